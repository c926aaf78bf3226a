"""The meetings card is cached per scope (portal.dashboard): after every kind of write it shows
what a fresh computation shows, never another scope's numbers, in a constant number of queries."""

import datetime as dt

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import dashboard
from meetings.commitments import services
from meetings.commitments.resources import CommitmentResource
from meetings.models import Commitment, Invitation, Meeting
from portal.dashboard import changed, next_midnight
from portal.models import RoleAssignment, User
from portal.roles import Role
from portal.tests.job_helpers import run

from .factories import CommitmentFactory, MeetingFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DASHBOARD = reverse("portal:dashboard")
NO_UPDATES = {"updates-TOTAL_FORMS": "0", "updates-INITIAL_FORMS": "0"}


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def shown(client) -> tuple:
    """The meetings card's numbers and lists as the dashboard shows them."""
    response = client.get(DASHBOARD)
    card = next(c for c in response.context["cards"] if c["template"] == "meetings/_dashboard_card.html")
    return card["open"], card["overdue"], [m.pk for m in card["upcoming"]], [m.pk for m in card["awaiting"]]


def fresh(user) -> tuple:
    """The same, computed now from the database (a new user object: no role cache)."""
    card = dashboard._aggregates(User.objects.get(pk=user.pk)).value
    return card["open"], card["overdue"], [m.pk for m in card["upcoming"]], [m.pk for m in card["awaiting"]]


def as_user(user) -> Client:
    other = Client()
    other.force_login(user)
    return other


@pytest.fixture
def seen_by_dinkes(client, demo, dinkes):
    """Dinas Kesehatan's focal point with one open and one overdue commitment, their
    dashboard already cached."""
    CommitmentFactory(owner=demo.orgs["dinkes"])
    CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(-3))
    client.force_login(dinkes)
    assert shown(client) == fresh(dinkes)
    with CaptureQueriesContext(connection) as queries:
        seen = shown(client)
    assert not [q for q in queries if "meetings_" in q["sql"]]  # from the cache
    return seen


def create_one(demo, notulis):
    services.create_commitment(
        meeting=MeetingFactory(held=True),
        description="Kelas ibu hamil",
        owner=demo.orgs["dinkes"],
        due_date=days(-1),
        acting_user=notulis,
    )


def create_many(demo, notulis):
    meeting = MeetingFactory(held=True)
    services.create_commitments(
        commitments=[
            Commitment(meeting=meeting, description=f"RTL {i}", owner=demo.orgs["dinkes"], due_date=days(5))
            for i in range(3)
        ],
        acting_user=notulis,
    )


def import_rows(demo, notulis):
    meeting = MeetingFactory(held=True)
    dataset = tablib.Dataset(headers=["meeting", "description", "owner", "due_date"])
    for i in range(2):
        dataset.append([meeting.pk, f"RTL {i}", "Dinkes Tapin", days(-2).isoformat()])
    result = CommitmentResource(user=notulis).import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()


def import_in_admin(demo, notulis):
    meeting = MeetingFactory(held=True)
    text = (
        f"meeting,description,owner,due_date\n{meeting.pk},Jamban sehat,Dinkes Tapin,{days(9).isoformat()}\n"
    )
    upload = SimpleUploadedFile("rtl.csv", text.encode(), "text/csv")
    response = as_user(notulis).post(
        reverse("admin:meetings_commitment_import"), {"format": "0", "resource": "0", "import_file": upload}
    )
    assert run(response).state == "done"


def cancel_in_admin(demo, notulis):
    commitment = Commitment.objects.filter(owner=demo.orgs["dinkes"]).order_by("pk").first()
    response = as_user(notulis).post(
        reverse("admin:meetings_commitment_change", args=[commitment.pk]),
        {
            "meeting": commitment.meeting_id,
            "description": commitment.description,
            "intervention_type": commitment.intervention_type,
            "owner": commitment.owner_id,
            "due_date": commitment.due_date.isoformat(),
            "status": "cancelled",
            **NO_UPDATES,
        },
    )
    assert response.status_code == 302


def move_due_date_in_admin(demo, notulis):
    commitment = Commitment.objects.filter(owner=demo.orgs["dinkes"], due_date__gte=days(0)).get()
    response = as_user(notulis).post(
        reverse("admin:meetings_commitment_change", args=[commitment.pk]),
        {
            "meeting": commitment.meeting_id,
            "description": commitment.description,
            "intervention_type": commitment.intervention_type,
            "owner": commitment.owner_id,
            "due_date": days(-10).isoformat(),
            "status": commitment.status,
            **NO_UPDATES,
        },
    )
    assert response.status_code == 302


def cancel_in_bulk_action(demo, notulis):
    pks = list(Commitment.objects.filter(owner=demo.orgs["dinkes"]).values_list("pk", flat=True))
    response = as_user(notulis).post(
        reverse("admin:meetings_commitment_changelist"),
        {"action": "mark_cancelled", "_selected_action": pks},
    )
    assert response.status_code == 302


def change_status(demo, notulis):
    commitment = Commitment.objects.filter(owner=demo.orgs["dinkes"], due_date__lt=days(0)).get()
    services.change_status(
        commitment=commitment, status=Commitment.Status.CANCELLED, acting_user=notulis, note="Batal"
    )


def delete_one(demo, notulis):
    Commitment.objects.filter(owner=demo.orgs["dinkes"]).order_by("pk").first().delete()


def delete_in_bulk(demo, notulis):
    Commitment.objects.filter(owner=demo.orgs["dinkes"]).delete()


def hand_over_in_bulk(demo, notulis):
    # A bulk update sends no signal: the queryset itself tells the cache.
    Commitment.objects.filter(owner=demo.orgs["dinkes"]).update(owner=demo.orgs["pupr"])


def schedule_a_meeting(demo, notulis):
    MeetingFactory(region_id="63.05", start=timezone.now() + dt.timedelta(days=1))


def invite_to_another_kabupaten(demo, notulis):
    meeting = MeetingFactory(region_id="63.01")
    Invitation.objects.create(meeting=meeting, organisation=demo.orgs["dinkes"])


@pytest.mark.parametrize(
    "change",
    [
        create_one,
        create_many,
        import_rows,
        import_in_admin,
        cancel_in_admin,
        move_due_date_in_admin,
        cancel_in_bulk_action,
        change_status,
        delete_one,
        delete_in_bulk,
        hand_over_in_bulk,
        schedule_a_meeting,
        invite_to_another_kabupaten,
    ],
)
def test_after_each_kind_of_change_the_cached_card_equals_a_fresh_one(
    change, client, demo, dinkes, notulis, seen_by_dinkes
):
    change(demo, notulis)

    assert shown(client) == fresh(dinkes) != seen_by_dinkes


def test_a_cancelled_invitation_leaves_the_card(client, demo, dinkes):
    invitation = Invitation.objects.create(
        meeting=MeetingFactory(region_id="63.01"), organisation=demo.orgs["dinkes"]
    )
    client.force_login(dinkes)
    assert shown(client)[2] == [invitation.meeting_id]

    invitation.delete()

    assert shown(client) == fresh(dinkes) and shown(client)[2] == []


def test_a_cancelled_meeting_leaves_the_card(client, demo, camat_a):
    meeting = MeetingFactory(region_id="63.05.04")
    client.force_login(camat_a)
    assert shown(client)[2] == [meeting.pk]

    meeting.status = Meeting.Status.CANCELLED
    meeting.save()

    assert shown(client)[2] == [] == fresh(camat_a)[2]


def test_the_card_comes_from_the_cache_until_the_data_change(client, demo, dinkes):
    CommitmentFactory(owner=demo.orgs["dinkes"])
    client.force_login(dinkes)
    assert shown(client)[:2] == (1, 0)
    # A write the cache cannot see (plain SQL) shows that the card is really cached...
    with connection.cursor() as cursor:
        cursor.execute("UPDATE meetings_commitment SET due_date = %s", [days(-1)])
    assert shown(client)[:2] == (1, 0)

    changed(Commitment)  # ...and that a change of the model drops it

    assert shown(client)[:2] == (1, 1) == fresh(dinkes)[:2]


def test_camats_of_two_kecamatan_never_see_each_others_numbers(client, demo, camat_a, camat_b):
    utara = MeetingFactory(region_id="63.05.04", held=True)
    binuang = MeetingFactory(region_id="63.05.01", held=True)
    CommitmentFactory(meeting=utara, owner=demo.orgs["pkm_tapinutara"], due_date=days(-1))
    for _ in range(2):
        CommitmentFactory(meeting=binuang, owner=demo.orgs["pkm_binuang"])
    upcoming_a = MeetingFactory(region_id="63.05.04")
    client.force_login(camat_a)
    seen_a = shown(client)

    seen_b = shown(as_user(camat_b))

    assert seen_a == fresh(camat_a) and seen_b == fresh(camat_b)
    assert seen_a[2] == [upcoming_a.pk] and upcoming_a.pk not in seen_b[2]
    assert seen_a != seen_b


def test_a_new_role_shows_the_new_scopes_numbers_at_once(client, demo, camat_a):
    MeetingFactory(region_id="63.05.04")
    elsewhere = MeetingFactory(region_id="63.05.01")
    client.force_login(camat_a)
    assert elsewhere.pk not in shown(client)[2]

    RoleAssignment.objects.filter(user=camat_a, role=Role.CAMAT).update(region_id="63.05.01")

    assert shown(client) == fresh(camat_a) and elsewhere.pk in shown(client)[2]


def test_the_entry_lasts_until_the_first_listed_meeting_ends(demo, camat_a):
    soon = MeetingFactory(region_id="63.05.04", start=timezone.now() - dt.timedelta(hours=1))
    soon.end = timezone.now() + dt.timedelta(minutes=10)
    soon.save()
    MeetingFactory(region_id="63.05.04")

    computed = dashboard._aggregates(camat_a)

    assert computed.until == min(soon.end, next_midnight())


def test_a_warm_dashboard_runs_few_queries_whatever_the_number_of_rows(client, demo, dinkes):
    client.force_login(dinkes)

    def warm_queries() -> list[str]:
        shown(client)
        with CaptureQueriesContext(connection) as queries:
            shown(client)
        return [q["sql"] for q in queries]

    few = warm_queries()
    for day in range(1, 6):
        MeetingFactory(region_id="63.05", start=timezone.now() + dt.timedelta(days=day))
        CommitmentFactory(owner=demo.orgs["dinkes"], due_date=days(-day))
    many = warm_queries()

    assert len(many) == len(few) <= 8
    # Nothing of the card is read from the database on a warm dashboard.
    assert not [sql for sql in many if "meetings_" in sql]
