import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from meetings.commitments import services
from meetings.models import Commitment

from .factories import CommitmentFactory, MeetingFactory, pdf_upload

# The assertions read English msgids; Indonesian is checked in test_my_commitments.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def render(meeting, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string("meetings/_carry_forward.html", {"meeting": meeting}, request=request)


def review(meeting, user):
    from meetings.commitments.templatetags.commitment_tags import carry_forward

    request = RequestFactory().get("/")
    request.user = user
    return carry_forward({"request": request}, meeting)


@pytest.fixture
def meetings(demo):
    now = timezone.now()
    first = MeetingFactory(held=True, title="Rakor Triwulan I", start=now - dt.timedelta(days=180))
    second = MeetingFactory(held=True, title="Rakor Triwulan II", start=now - dt.timedelta(days=90))
    new = MeetingFactory(
        held=True, title="Rakor Triwulan III", start=now + dt.timedelta(days=1), status="scheduled"
    )
    return first, second, new


def test_open_commitments_of_earlier_meetings_are_grouped_by_owner(demo, dppkb, meetings):
    first, second, new = meetings
    a = CommitmentFactory(meeting=first, owner=demo.orgs["dinkes"], description="Kelas ibu hamil")
    b = CommitmentFactory(meeting=second, owner=demo.orgs["dinkes"], description="PMT balita")
    c = CommitmentFactory(meeting=second, owner=demo.orgs["pupr"], description="Jamban sehat")
    CommitmentFactory(meeting=second, owner=demo.orgs["pupr"], status=Commitment.Status.VERIFIED)
    CommitmentFactory(meeting=new, owner=demo.orgs["pupr"])  # the new meeting's own RTL
    CommitmentFactory(
        meeting=MeetingFactory(held=True, region_id="63.05.04", start=first.start),
        owner=demo.orgs["pkm_tapinutara"],
    )

    result = review(new, dppkb)

    assert result.previous == second
    grouped = [(owner.name, [line.commitment for line in lines]) for owner, lines in result.groups]
    assert grouped == [
        ("Dinas Kesehatan Kabupaten Tapin", [a, b])
        if a.due_date <= b.due_date
        else ("Dinas Kesehatan Kabupaten Tapin", [b, a]),
        ("Dinas PUPR Kabupaten Tapin", [c]),
    ]


def test_status_change_since_the_previous_meeting_comes_from_the_history(demo, dinkes, dppkb, meetings):
    first, second, new = meetings
    commitment = CommitmentFactory(meeting=first, owner=demo.orgs["dinkes"], pic=dinkes)
    # Reported before the previous meeting: in progress at its end.
    early = services.post_update(commitment=commitment, acting_user=dinkes, note="Mulai", percent=20)
    early.created_at = second.start - dt.timedelta(days=5)
    early.save()
    unchanged = CommitmentFactory(meeting=second, owner=demo.orgs["pupr"])

    # Done after it and reopened by the secretariat: still open, now back in progress.
    services.mark_done(commitment=commitment, acting_user=dinkes, note="Selesai", files=[pdf_upload()])
    services.reopen(commitment=commitment, acting_user=dppkb, reason="Bukti kurang")
    services.post_update(commitment=commitment, acting_user=dinkes, note="Dilengkapi", percent=90)

    lines = {line.commitment: line for _owner, group in review(new, dppkb).groups for line in group}

    assert lines[commitment].status_then == Commitment.Status.IN_PROGRESS
    assert [u.note for u in lines[commitment].updates_since] == ["Selesai", "Bukti kurang", "Dilengkapi"]
    assert lines[commitment].last_update.note == "Dilengkapi"
    assert lines[unchanged].status_then == Commitment.Status.OPEN
    assert not lines[unchanged].changed
    html = render(new, dppkb)
    assert "Dilengkapi" in html
    assert "Rakor Triwulan II" in html


def test_the_review_renders_the_owner_headings_on_the_meeting_page_partial(demo, dppkb, meetings):
    first, _second, new = meetings
    CommitmentFactory(meeting=first, owner=demo.orgs["dinsos"], description="Bansos keluarga berisiko")

    html = render(new, dppkb)

    assert 'data-testid="carry-forward-owner">Dinas Sosial Kabupaten Tapin' in html
    assert "Bansos keluarga berisiko" in html


def test_a_first_meeting_has_nothing_to_review(demo, dppkb, meetings):
    first, _second, _new = meetings
    CommitmentFactory(meeting=first, owner=demo.orgs["dinkes"])

    result = review(first, dppkb)

    assert result.groups == []
    assert "No open commitments from earlier meetings." in render(first, dppkb)


def test_the_review_is_scoped_to_what_the_viewer_may_see(demo, camat_b, meetings):
    # A Binuang camat invited to a kabupaten rakor sees only the RTL their scope allows.
    first, _second, new = meetings
    CommitmentFactory(meeting=first, owner=demo.orgs["dinkes"], description="RTL Dinkes")
    mine = CommitmentFactory(meeting=first, owner=demo.orgs["kec_binuang"], description="RTL Binuang")

    lines = [line.commitment for _o, group in review(new, camat_b).groups for line in group]

    assert lines == [mine]


def test_the_review_runs_a_constant_number_of_queries(demo, dppkb, meetings, django_assert_num_queries):
    first, second, new = meetings
    CommitmentFactory(meeting=first, owner=demo.orgs["dinkes"])
    # Warm the per-request caches (roles, permissions for the navigation) as a page would.
    dppkb.scope_codes()
    dppkb.has_perm("meetings.view_commitment")
    with django_assert_num_queries(3):
        render(new, dppkb)
    CommitmentFactory.create_batch(10, meeting=second, owner=demo.orgs["pupr"])

    with django_assert_num_queries(3):
        render(new, dppkb)


def test_a_long_review_shows_its_first_lines_and_links_to_the_whole_list(
    client, demo, dppkb, meetings, monkeypatch, django_assert_num_queries
):
    from meetings.commitments.templatetags import commitment_tags

    monkeypatch.setattr(commitment_tags, "REVIEW_LINES", 3)
    first, second, new = meetings
    CommitmentFactory.create_batch(10, meeting=second, owner=demo.orgs["pupr"])
    dppkb.scope_codes()
    dppkb.has_perm("meetings.view_commitment")

    with django_assert_num_queries(3):
        body = render(new, dppkb)
    CommitmentFactory.create_batch(10, meeting=first, owner=demo.orgs["dinkes"])
    with django_assert_num_queries(3):
        body = render(new, dppkb)

    assert body.count('data-testid="carry-forward-line"') == 3
    assert "20 commitments from earlier meetings are still open" in body
    assert "17 more open commitments" in body
    assert f"?review={new.pk}" in body
    client.force_login(dppkb)
    page = client.get(reverse("meetings:my-commitments"), {"review": new.pk})
    assert page.status_code == 200
    assert len(page.context["commitments"]) == 20
    assert {c.meeting_id for c in page.context["commitments"]} == {first.pk, second.pk}


def test_the_whole_review_is_refused_outside_the_users_scope(client, camat_b, meetings):
    client.force_login(camat_b)

    assert client.get(reverse("meetings:my-commitments"), {"review": meetings[2].pk}).status_code == 404
    assert client.get(reverse("meetings:my-commitments"), {"review": "x"}).status_code == 404


def test_the_whole_review_runs_a_constant_number_of_queries(client, demo, dppkb, meetings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first, second, new = meetings
    CommitmentFactory.create_batch(2, meeting=first, owner=demo.orgs["dinkes"])
    client.force_login(dppkb)
    url = reverse("meetings:my-commitments")
    client.get(url, {"review": new.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"review": new.pk})
    CommitmentFactory.create_batch(12, meeting=second, owner=demo.orgs["pupr"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"review": new.pk})

    assert len(response.context["commitments"]) == 14
    assert len(many) == len(few)


@pytest.mark.parametrize("username", ["dppkb", "camat.binuang", "dinkes"])
def test_the_review_shows_the_first_lines_of_the_straightforward_query(demo, meetings, monkeypatch, username):
    from meetings.commitments.templatetags import commitment_tags

    monkeypatch.setattr(commitment_tags, "REVIEW_LINES", 4)
    first, second, new = meetings
    owners = ["dinkes", "pupr", "kec_binuang", "dppkb"]
    for n in range(12):
        CommitmentFactory(
            meeting=[first, second][n % 2],
            owner=demo.orgs[owners[n % len(owners)]],
            due_date=timezone.localdate() + dt.timedelta(days=n % 3),  # ties on the due date
        )
    user = demo.users[username]

    result = review(new, user)

    shown = [line.commitment.pk for _owner, lines in result.groups for line in lines]
    expected = _carried_in_review_order(new, user)
    assert shown == expected[:4]
    assert result.count == len(expected)


@pytest.fixture
def small_bound(monkeypatch):
    """A review that counts up to 5 and shows 3 lines (the page's are 1000 and 30)."""
    from meetings.commitments.templatetags import commitment_tags

    monkeypatch.setattr(commitment_tags, "REVIEW_COUNT_UP_TO", 5)
    monkeypatch.setattr(commitment_tags, "REVIEW_LINES", 3)


def test_a_review_over_the_bound_says_more_than_and_links_to_the_whole_list(
    demo, dppkb, meetings, small_bound, django_assert_num_queries
):
    first, second, new = meetings
    CommitmentFactory.create_batch(4, meeting=first, owner=demo.orgs["pupr"])
    CommitmentFactory.create_batch(4, meeting=second, owner=demo.orgs["dinkes"])
    dppkb.scope_codes()
    dppkb.has_perm("meetings.view_commitment")

    with django_assert_num_queries(3):
        body = render(new, dppkb)
    result = review(new, dppkb)

    assert (result.count, result.more_than) == (5, True)
    assert body.count('data-testid="carry-forward-line"') == 3
    assert "More than 5 commitments from earlier meetings are still open" in body
    assert "Status compared with the previous meeting, Rakor Triwulan II" in body
    assert "More open commitments: see the whole review" in body
    assert f"?review={new.pk}" in body
    assert "more open commitments:" not in body  # no exact "N more" past the bound


def test_a_review_at_the_bound_keeps_its_exact_count(demo, dppkb, meetings, small_bound):
    _first, second, new = meetings
    CommitmentFactory.create_batch(5, meeting=second, owner=demo.orgs["pupr"])

    result = review(new, dppkb)
    body = render(new, dppkb)

    assert (result.count, result.more_than, result.more) == (5, False, 2)
    assert "5 commitments from earlier meetings are still open" in body
    assert "More than" not in body
    assert "2 more open commitments: see the whole review" in body


def test_the_bounded_review_reads_in_indonesian(demo, dppkb, meetings, small_bound):
    from django.utils import translation

    first, _second, new = meetings
    CommitmentFactory.create_batch(6, meeting=first, owner=demo.orgs["pupr"])

    with translation.override("id"):
        body = render(new, dppkb)

    assert "Lebih dari 5 komitmen dari rapat sebelumnya masih terbuka" in body
    assert "Komitmen terbuka lainnya: lihat seluruh review" in body


@pytest.mark.parametrize("username", ["dppkb", "camat.binuang"])
def test_past_the_bound_the_first_lines_are_those_of_the_straightforward_sort(
    demo, meetings, small_bound, username
):
    # Each owner's first lines are the candidates: the first lines overall must be among them,
    # whatever the owners' names and due dates (and an owner the viewer cannot see has none).
    first, second, new = meetings
    owners = ["pupr", "dinkes", "kec_binuang", "dinsos", "dppkb"]
    for n in range(30):
        CommitmentFactory(
            meeting=[first, second][n % 2],
            owner=demo.orgs[owners[n % len(owners)]],
            due_date=timezone.localdate() + dt.timedelta(days=(n * 7) % 5),
        )
    user = demo.users[username]

    result = review(new, user)

    shown = [line.commitment.pk for _owner, lines in result.groups for line in lines]
    expected = _carried_in_review_order(new, user)
    assert shown == expected[:3]
    assert result.count == min(len(expected), 5)
    assert result.more_than == (len(expected) > 5)


def test_the_whole_review_keeps_its_exact_count_and_lists_overdue_first(
    client, demo, dppkb, meetings, small_bound
):
    first, second, new = meetings
    today = timezone.localdate()
    for n in range(8):
        CommitmentFactory(
            meeting=[first, second][n % 2],
            owner=demo.orgs["pupr"],
            due_date=today + dt.timedelta(days=(n * 5) % 7 - 3),  # some overdue
            status=[Commitment.Status.OPEN, Commitment.Status.IN_PROGRESS][n % 2],
        )
    CommitmentFactory(meeting=first, owner=demo.orgs["pupr"], status=Commitment.Status.VERIFIED)
    client.force_login(dppkb)

    page = client.get(reverse("meetings:my-commitments"), {"review": new.pk})

    expected = list(
        Commitment.objects.visible_to(dppkb).carried_into(new).overdue_first().values_list("pk", flat=True)
    )
    assert page.context["paginator"].count == 8  # not bounded like the meeting page's
    assert [c.pk for c in page.context["commitments"]] == expected
    assert all(hasattr(c, "update_count") for c in page.context["commitments"])


def test_two_bodies_of_the_same_name_are_never_mixed(demo, dppkb, meetings, small_bound):
    from portal.models import Organisation

    first, second, new = meetings
    pupr = demo.orgs["pupr"]
    # Names are unique within a region only.
    twin = Organisation.objects.create(name=pupr.name, kind=pupr.kind, region=demo.orgs["kec_binuang"].region)
    today = timezone.localdate()
    for n in range(4):  # due dates interleaved between the two
        CommitmentFactory(meeting=first, owner=pupr, due_date=today + dt.timedelta(days=2 * n))
        CommitmentFactory(meeting=second, owner=twin, due_date=today + dt.timedelta(days=2 * n + 1))

    result = review(new, dppkb)

    assert [(owner.pk, len(lines)) for owner, lines in result.groups] == [(min(pupr.pk, twin.pk), 3)]
    assert "Dinas PUPR" in render(new, dppkb)


def test_the_owners_scan_reads_the_open_statuses_of_the_review_index():
    # The loose scan's SQL names the statuses itself (as the partial index does): they must be
    # the open ones, or owners would be missed (or the index not used).
    from meetings.commitments.templatetags.commitment_tags import REVIEW_OWNERS_SQL

    index = next(i for i in Commitment._meta.indexes if i.name == "commitment_open_review")
    statuses = "(" + ", ".join(f"'{s}'" for s in Commitment.OPEN_STATUSES) + ")"

    assert REVIEW_OWNERS_SQL.count(f"status IN {statuses}") == 2
    assert dict(index.condition.children)["status__in"] == list(Commitment.OPEN_STATUSES)


def _carried_in_review_order(meeting, user) -> list[int]:
    """The open commitments of the region's earlier meetings that `user` may see, in the
    review's order, read the plain way."""
    carried = Commitment.objects.visible_to(user).filter(
        status__in=Commitment.OPEN_STATUSES,
        meeting_region_id=meeting.region_id,
        meeting__start__lt=meeting.start,
    )
    return list(carried.order_by("owner__name", "owner_id", "due_date", "pk").values_list("pk", flat=True))
