"""The copy of the meeting's region on each invitation (Invitation.meeting_region): written by
every way an invitation is made, following a meeting that moves, and leaving
Meeting.visible_to's rows what the rule says (invitations to meetings in the user's regions are
left out of its invitation parts, their meetings being in the region's part)."""

import datetime as dt

import pytest
from django.db.models import Max, Min, Q
from django.utils import timezone

from meetings.models import Invitation, Meeting, user_organisations
from portal.models import region_q

from .factories import MeetingFactory

pytestmark = pytest.mark.django_db

USERNAMES = ["dppkb", "notulis", "dinkes", "camat.tapinutara", "camat.binuang", "bkkbn"]


def the_rule(user, meetings=None) -> set[int]:
    """Meeting.visible_to's rule written out plainly: published meetings in the user's regions,
    chaired or invited to (in person or through an organisation), and drafts for their writers."""
    from meetings.models.meeting import WRITER_ROLES

    meetings = meetings if meetings is not None else Meeting.objects.all()
    invited = Invitation.objects.filter(Q(person=user) | Q(organisation__in=user_organisations(user)))
    published = meetings.exclude(status=Meeting.Status.DRAFT).filter(
        region_q(user.scope_codes(), "region_id") | Q(chair=user) | Q(pk__in=invited.values("meeting_id"))
    )
    drafts = meetings.filter(status=Meeting.Status.DRAFT).filter(
        region_q(user.scope_codes(roles=WRITER_ROLES), "region_id") | Q(created_by=user)
    )
    return set(published.values_list("pk", flat=True)) | set(drafts.values_list("pk", flat=True))


@pytest.fixture
def invited_everywhere(demo):
    """Offices and people invited to meetings inside and outside their own regions, published
    and draft, upcoming and past."""
    now = timezone.now()
    meetings = []
    for n, (region, status, days) in enumerate(
        [
            ("63.05", Meeting.Status.SCHEDULED, 3),
            ("63.05.04", Meeting.Status.HELD, -20),
            ("63.05.01", Meeting.Status.SCHEDULED, 9),
            ("63.01", Meeting.Status.SCHEDULED, 5),
            ("63.01", Meeting.Status.HELD, -40),
            ("63.01", Meeting.Status.DRAFT, 12),
            ("63", Meeting.Status.SCHEDULED, 30),
        ]
    ):
        start = (now + dt.timedelta(days=days, hours=n)).replace(microsecond=0)
        meetings.append(MeetingFactory(region_id=region, status=status, start=start, title=f"Rakor {n}"))
    for meeting in meetings:
        for key in ("dppkb", "dinkes", "kec_binuang"):
            Invitation.objects.create(meeting=meeting, organisation=demo.orgs[key])
    for meeting in meetings[2:5]:
        Invitation.objects.create(meeting=meeting, person=demo.users["camat.tapinutara"])
    return meetings


def test_every_way_of_inviting_writes_the_meetings_region(demo):
    meeting = MeetingFactory(region_id="63.05.04")
    other = MeetingFactory(region_id="63.01")

    saved = Invitation.objects.create(meeting=meeting, organisation=demo.orgs["dinkes"])
    loaded = Invitation(meeting_id=other.pk, organisation=demo.orgs["dinkes"])  # the meeting not loaded
    cached = Invitation(meeting=meeting, organisation=demo.orgs["pupr"])
    Invitation.objects.bulk_create([loaded, cached])

    assert saved.meeting_region_id == "63.05.04"
    assert dict(
        Invitation.objects.values_list("organisation_id", "meeting_region_id").filter(meeting=other)
    ) == {demo.orgs["dinkes"].pk: "63.01"}
    assert Invitation.objects.get(pk=cached.pk).meeting_region_id == "63.05.04"


def test_the_copy_follows_a_meeting_that_moves(demo):
    meeting = MeetingFactory(region_id="63.05.04")
    Invitation.objects.create(meeting=meeting, organisation=demo.orgs["kec_binuang"])
    binuang = demo.users["camat.binuang"]
    camat_a = demo.users["camat.tapinutara"]
    assert meeting in Meeting.objects.visible_to(camat_a)

    meeting.region_id = "63.01"
    meeting.save()

    assert set(Invitation.objects.filter(meeting=meeting).values_list("meeting_region_id", flat=True)) == {
        "63.01"
    }
    # Binuang's office is invited: still seen there through the invitation, now outside the kabupaten.
    assert meeting in Meeting.objects.visible_to(binuang)
    assert meeting not in Meeting.objects.visible_to(camat_a)


@pytest.mark.parametrize("username", USERNAMES)
def test_the_lists_rows_are_the_rules(demo, invited_everywhere, username):
    user = demo.users[username]
    expected = the_rule(user)

    assert set(Meeting.objects.visible_to(user).values_list("pk", flat=True)) == expected
    assert set(Meeting.objects.all().visible_ids(user).values_list("pk", flat=True)) == expected
    for window in (
        Meeting.objects.upcoming(),
        Meeting.objects.past(),
        Meeting.objects.filter(title__icontains="rakor"),
    ):
        assert set(window.visible_to(user).values_list("pk", flat=True)) == the_rule(user, window)


@pytest.mark.parametrize("username", USERNAMES)
@pytest.mark.parametrize("order", [("start", "pk"), ("-start", "-pk")])
def test_a_pages_rows_are_the_rules_first(demo, invited_everywhere, username, order):
    user = demo.users[username]
    everything = Meeting.objects.filter(pk__in=the_rule(user)).order_by(*order)
    searched = Meeting.objects.filter(title__icontains="rakor").order_by(*order)

    for walk in (True, False):
        page = Meeting.objects.order_by(*order).visible_to(user, up_to=3, walk=walk)
        assert list(page[:3]) == list(everything[:3])
        found = searched.visible_to(user, up_to=3, walk=walk)
        assert list(found[:3]) == list(searched.filter(pk__in=the_rule(user))[:3])


@pytest.mark.parametrize("username", USERNAMES)
def test_the_bounds_are_the_rules(demo, invited_everywhere, username):
    user = demo.users[username]
    held = Meeting.objects.filter(status=Meeting.Status.HELD)

    for meetings in (Meeting.objects.all(), held):
        expected = meetings.filter(pk__in=the_rule(user, meetings)).aggregate(
            first=Min("start"), last=Max("start")
        )
        assert meetings.visible_bounds(user, "start") == expected


def test_an_invitation_written_without_the_copy_still_shows_its_meeting(demo):
    """As the previous version writes them while an upgrade migrates (no such column there)."""
    binuang = demo.users["camat.binuang"]
    meeting = MeetingFactory(region_id="63.01", title="Rakor Tanah Laut")
    invitation = Invitation.objects.create(meeting=meeting, organisation=demo.orgs["kec_binuang"])
    Invitation.objects.filter(pk=invitation.pk).update(meeting_region=None)

    assert meeting in Meeting.objects.visible_to(binuang)
    page = Meeting.objects.order_by("-start", "-pk").visible_to(binuang, up_to=5, walk=False)
    assert meeting in list(page[:5])
    assert Meeting.objects.visible_bounds(binuang, "start")["last"] >= meeting.start
