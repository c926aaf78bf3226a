"""Opening a page never writes: attendance lines, minutes, check-in codes and calendar
addresses are made by the POST that needs them (or when the meeting is created)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings import demo as meetings_demo
from meetings.links import progress_url, rsvp_url
from meetings.models import Commitment, Invitation, Meeting


@pytest.fixture
def seeded(demo):
    meetings_demo.seed(log=lambda *a: None)
    # A meeting without minutes or attendance yet, to open as its notulis would.
    fresh = Meeting.objects.filter(minutes__isnull=True, invitations__isnull=False).first()
    return fresh


def pages(meeting: Meeting, commitment: Commitment) -> list[str]:
    per_meeting = [
        "meeting-detail",
        "meeting-update",
        "meeting-invite",
        "meeting-ics",
        "attendance",
        "checkin-screen",
        "minutes",
    ]
    return [
        reverse("meetings:index"),
        reverse("meetings:meeting-create"),
        reverse("meetings:my-calendar"),
        reverse("meetings:my-commitments"),
        reverse("meetings:commitment-detail", args=[commitment.pk]),
        reverse("meetings:checkin") + f"?code={meeting.checkin_code}",
        *(reverse(f"meetings:{name}", args=[meeting.pk]) for name in per_meeting),
    ]


def test_the_secretariat_opening_every_meeting_page_changes_no_row(client, notulis, seeded, table_rows):
    commitment = Commitment.objects.filter(meeting__region_id="63.05").first()
    client.force_login(notulis)
    before = table_rows()

    for url in pages(seeded, commitment):
        assert client.get(url).status_code in (200, 302), url

    assert table_rows() == before


def test_opening_a_one_tap_link_changes_no_row(client, seeded, table_rows):
    # A scheduled meeting: the demo also has a future draft, whose links answer 400 by design.
    upcoming = Invitation.objects.filter(
        meeting__start__gt=timezone.now(), meeting__status=Meeting.Status.SCHEDULED
    ).order_by("pk")
    invitation = next(i for i in upcoming if i.recipients())
    commitment = next(c for c in Commitment.objects.open().order_by("pk") if c.focal_points())
    links = [
        rsvp_url(invitation, invitation.recipients()[0]),
        progress_url(commitment, commitment.focal_points()[0]),
    ]
    before = table_rows()

    for url in links:
        assert client.get(url).status_code == 200, url

    assert table_rows() == before
