"""A scheduled meeting whose end has passed becomes "held" by itself (periodic task)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from meetings.models import Meeting
from meetings.tasks import mark_past_meetings_held

from .factories import MeetingFactory

Status = Meeting.Status


def past(status):
    start = timezone.now() - timedelta(hours=3)
    return MeetingFactory(status=status, start=start, end=start + timedelta(hours=2))


def test_a_scheduled_meeting_whose_end_has_passed_becomes_held_with_a_history_row(demo):
    ended = past(Status.SCHEDULED)
    running = MeetingFactory(
        status=Status.SCHEDULED,
        start=timezone.now() - timedelta(hours=1),
        end=timezone.now() + timedelta(hours=1),
    )
    upcoming = MeetingFactory(status=Status.SCHEDULED)

    assert mark_past_meetings_held.apply().get() == 1

    ended.refresh_from_db()
    assert ended.status == Status.HELD
    latest = ended.history.first()
    assert latest.status == Status.HELD and latest.history_type == "~"
    assert ended.history.count() == 2
    for meeting in (running, upcoming):
        meeting.refresh_from_db()
        assert meeting.status == Status.SCHEDULED


def test_draft_cancelled_and_later_statuses_are_left_alone(demo):
    others = {status: past(status) for status in (Status.DRAFT, Status.CANCELLED, Status.MINUTES_APPROVED)}
    held = past(Status.HELD)

    assert mark_past_meetings_held() == 0

    for status, meeting in others.items():
        meeting.refresh_from_db()
        assert meeting.status == status
        assert meeting.history.count() == 1
    assert held.history.count() == 1


def test_running_the_task_twice_changes_and_records_once(demo):
    ended = past(Status.SCHEDULED)

    assert mark_past_meetings_held() == 1
    assert mark_past_meetings_held() == 0

    assert ended.history.count() == 2


def test_the_task_is_in_the_one_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "meetings.tasks.mark_past_meetings_held" in tasks
