"""Calendar files (RFC 5545) for meetings: one per meeting, and a personal feed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from django.conf import settings
from icalendar import Calendar, Event

from .models import Meeting


def meeting_event(meeting: Meeting) -> Event:
    event = Event()
    # The UID never changes, so calendars update the entry instead of adding a new one.
    event.add("uid", meeting.ics_uid())
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", (meeting.created_at or meeting.start).astimezone(UTC))
    event.add("dtstart", meeting.start.astimezone(UTC))
    event.add("dtend", meeting.end.astimezone(UTC))
    event.add("summary", meeting.title)
    if meeting.place:
        event.add("location", meeting.place)
    event.add("url", f"{settings.SITE_URL}{meeting.get_absolute_url()}")
    description = [meeting.description] if meeting.description else []
    if meeting.is_online and meeting.online_link:
        description.append(meeting.online_link)
    if description:
        event.add("description", "\n\n".join(description))
    event.add("status", "CANCELLED" if meeting.status == Meeting.Status.CANCELLED else "CONFIRMED")
    return event


def meeting_calendar(meetings: Iterable[Meeting], *, name: str = "") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Portal TPPS//Rapat//ID")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    return calendar.to_ical()
