from datetime import UTC

import pytest
from django.urls import reverse
from icalendar import Calendar

from meetings.models import CalendarFeed, Invitation

from .factories import MeetingFactory

pytestmark = pytest.mark.django_db


def events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def test_meeting_ics_parses_with_stable_uid_and_sequence(client, dppkb, kabupaten_rakor):
    client.force_login(dppkb)

    first = events(client.get(reverse("meetings:meeting-ics", args=[kabupaten_rakor.pk])).content)[0]
    kabupaten_rakor.sequence = 2
    kabupaten_rakor.save()
    second = events(client.get(reverse("meetings:meeting-ics", args=[kabupaten_rakor.pk])).content)[0]

    assert str(first["UID"]) == str(second["UID"]) == f"meeting-{kabupaten_rakor.pk}@portal-tpps"
    assert (first["SEQUENCE"], second["SEQUENCE"]) == (0, 2)
    assert first.decoded("DTSTART") == kabupaten_rakor.start.astimezone(UTC)
    assert str(first["LOCATION"]) == kabupaten_rakor.venue


def test_calendar_feed_lists_every_meeting_the_person_is_invited_to(client, dinkes, demo, kabupaten_rakor):
    other = MeetingFactory(title="Petik Aksi", region_id="63.01")
    Invitation.objects.create(meeting=kabupaten_rakor, organisation=demo.orgs["dinkes"])
    Invitation.objects.create(meeting=other, person=dinkes)
    MeetingFactory(title="Tidak diundang")
    feed = CalendarFeed.objects.create(user=dinkes)

    response = client.get(reverse("meetings:calendar-feed", args=[feed.token]))

    assert response.status_code == 200
    assert {str(e["SUMMARY"]) for e in events(response.content)} == {kabupaten_rakor.title, "Petik Aksi"}


def test_regenerating_the_token_retires_the_old_address(client, dinkes):
    client.force_login(dinkes)
    client.post(reverse("meetings:my-calendar"))
    old = CalendarFeed.objects.get(user=dinkes).token

    client.post(reverse("meetings:my-calendar"))

    new = CalendarFeed.objects.get(user=dinkes).token
    assert new != old
    assert client.get(reverse("meetings:calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("meetings:calendar-feed", args=[new])).status_code == 200


def test_calendar_feed_includes_meetings_the_person_chairs(client, dppkb):
    chaired = MeetingFactory(title="Rakor dipimpin", chair=dppkb)
    feed = CalendarFeed.objects.create(user=dppkb)

    body = client.get(reverse("meetings:calendar-feed", args=[feed.token])).content

    assert [str(e["SUMMARY"]) for e in events(body)] == [chaired.title]


def test_unknown_feed_token_is_404(client):
    assert client.get(reverse("meetings:calendar-feed", args=["nope"])).status_code == 404
