import pytest
from django.urls import reverse

from meetings.models import Invitation, Meeting

from .factories import MeetingFactory

pytestmark = pytest.mark.django_db

READ_URLS = [
    "meetings:meeting-detail",
    "meetings:meeting-ics",
    "meetings:minutes",
]
# PDFs are made by the worker: a POST queues a job, for those who see the meeting only.
JOB_URLS = ["meetings:attendance-pdf-job", "meetings:minutes-pdf-job"]
WRITE_URLS = [
    "meetings:meeting-update",
    "meetings:meeting-invite",
    "meetings:attendance",
    "meetings:checkin-screen",
]


@pytest.mark.parametrize("name", READ_URLS + WRITE_URLS)
def test_camat_binuang_gets_404_on_tapin_utara_rakor(client, camat_b, tapin_utara_rakor, name):
    client.force_login(camat_b)

    assert client.get(reverse(name, args=[tapin_utara_rakor.pk])).status_code == 404


@pytest.mark.parametrize("name", READ_URLS + WRITE_URLS)
def test_outsider_gets_404(client, outsider, tapin_utara_rakor, name):
    client.force_login(outsider)

    assert client.get(reverse(name, args=[tapin_utara_rakor.pk])).status_code == 404


@pytest.mark.parametrize("name", READ_URLS)
def test_camat_tapin_utara_reads_their_kecamatan_rakor(client, camat_a, tapin_utara_rakor, name):
    client.force_login(camat_a)

    assert client.get(reverse(name, args=[tapin_utara_rakor.pk])).status_code == 200


@pytest.mark.parametrize("name", WRITE_URLS)
def test_read_only_roles_get_403_on_writes(client, pkk, tapin_utara_rakor, name):
    client.force_login(pkk)

    assert client.get(reverse(name, args=[tapin_utara_rakor.pk])).status_code == 403


def test_camat_binuang_cannot_post_to_tapin_utara_rakor(client, camat_b, tapin_utara_rakor):
    client.force_login(camat_b)

    assert client.post(reverse("meetings:meeting-repeat", args=[tapin_utara_rakor.pk])).status_code == 404
    assert Meeting.objects.count() == 1


def test_invited_person_sees_a_meeting_outside_their_region(
    client, camat_b, kabupaten_rakor, tapin_utara_rakor
):
    Invitation.objects.create(meeting=tapin_utara_rakor, person=camat_b)
    client.force_login(camat_b)

    assert client.get(tapin_utara_rakor.get_absolute_url()).status_code == 200
    # Invited, but not a writer of Tapin Utara.
    url = reverse("meetings:meeting-update", args=[tapin_utara_rakor.pk])
    assert client.get(url).status_code == 403


def test_organisation_invitation_makes_the_meeting_visible_to_its_focal_point(dinkes, demo):
    meeting = MeetingFactory(region_id="63.01")
    assert meeting not in Meeting.objects.visible_to(dinkes)

    Invitation.objects.create(meeting=meeting, organisation=demo.orgs["dinkes"])

    assert meeting in Meeting.objects.visible_to(dinkes)


def test_camat_list_shows_own_kecamatan_only(client, camat_b, camat_a, tapin_utara_rakor):
    binuang = MeetingFactory(title="Rakor Binuang", region_id="63.05.01")
    client.force_login(camat_b)

    listed = list(client.get(reverse("meetings:index")).context["object_list"])

    assert listed == [binuang]


def test_meeting_list_runs_a_constant_number_of_queries(client, dppkb, demo, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add_meetings(n):
        for i in range(n):
            meeting = MeetingFactory(title=f"Rakor {i}")
            meeting.organisers.set([demo.orgs["tpps"], demo.orgs["dppkb"]])
            Invitation.objects.create(meeting=meeting, organisation=demo.orgs["dinkes"])

    client.force_login(dppkb)
    add_meetings(2)
    client.get(reverse("meetings:index"))  # the first request also fills the user's cached rights
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("meetings:index"))
    add_meetings(10)
    with django_assert_max_num_queries(12), CaptureQueriesContext(connection) as many:
        response = client.get(reverse("meetings:index"))

    assert len(response.context["object_list"]) == 12
    assert len(many) == len(few)


def test_past_tab_lists_past_meetings(client, dppkb):
    from datetime import timedelta

    from django.utils import timezone

    old = MeetingFactory(title="Rakor lama", start=timezone.now() - timedelta(days=30))
    MeetingFactory(title="Rakor baru")
    client.force_login(dppkb)

    response = client.get(reverse("meetings:index"), {"when": "past"})

    assert list(response.context["object_list"]) == [old]


def test_meeting_list_counts_each_meetings_own_invitations(client, dppkb, demo):
    from datetime import timedelta

    busy = MeetingFactory(title="Rakor ramai")
    quiet = MeetingFactory(title="Rakor sepi", start=busy.start + timedelta(days=1))
    for key in ("dinkes", "pupr"):
        Invitation.objects.create(meeting=busy, organisation=demo.orgs[key])
    client.force_login(dppkb)

    listed = client.get(reverse("meetings:index")).context["object_list"]

    assert {m.pk: m.n_invitations for m in listed} == {busy.pk: 2, quiet.pk: 0}


@pytest.mark.parametrize("name", JOB_URLS)
def test_only_those_who_see_the_meeting_queue_its_pdfs(
    client, camat_a, camat_b, outsider, tapin_utara_rakor, name
):
    from portal.jobs import Job

    url = reverse(name, args=[tapin_utara_rakor.pk])
    for refused in (camat_b, outsider):
        client.force_login(refused)
        assert client.post(url).status_code == 404
    assert not Job.objects.exists()
    client.force_login(camat_a)
    assert client.post(url).status_code == 302
    assert Job.objects.get().owner == camat_a


def test_a_meeting_seen_for_several_reasons_is_listed_once(client, camat_a, demo, tapin_utara_rakor):
    tapin_utara_rakor.chair = camat_a
    tapin_utara_rakor.save()
    Invitation.objects.create(meeting=tapin_utara_rakor, person=camat_a)
    Invitation.objects.create(meeting=tapin_utara_rakor, organisation=demo.orgs["dinkes"])
    client.force_login(camat_a)

    listed = list(client.get(reverse("meetings:index")).context["object_list"])

    assert listed == [tapin_utara_rakor]
    assert Meeting.objects.visible_to(camat_a).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["dppkb", "dinkes", "camat.tapinutara"])
def test_visible_to_without_walk_has_the_same_rows_in_order(demo, username):
    from .test_meeting_list_pages import spread

    spread(demo, 40)
    user = demo.users[username]
    ordered = Meeting.objects.order_by("-start", "-pk")
    walked = ordered.visible_to(user, up_to=12)
    looked_up = ordered.visible_to(user, up_to=12, walk=False)

    assert list(looked_up[:12]) == list(walked[:12]) == list(ordered.visible_to(user)[:12])
    assert "pg_class" not in str(looked_up.query)  # no walk, nor its check


@pytest.mark.django_db
def test_region_range_q_matches_region_q(demo):
    from portal.models import Region, region_q, region_range_q

    for codes in (["63.05"], ["63.05.01"], ["63.05", "63.01"], []):
        ranged = set(Region.objects.filter(region_range_q(codes, "code")).values_list("code", flat=True))
        assert ranged == set(Region.objects.filter(region_q(codes, "code")).values_list("code", flat=True))
