"""Celery tasks of the meetings app. They take nothing or primary keys and are idempotent;
the beat schedule that runs them is CELERY_BEAT_SCHEDULE in portal/settings.py."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from .models import Meeting


@shared_task
def mark_past_meetings_held() -> int:
    """A scheduled meeting whose end has passed is held: set the status, with a history row.

    Draft and cancelled meetings, and meetings already past "scheduled", are left alone.
    Safe to run twice or from two workers at once (rows are claimed with skip_locked and
    only "scheduled" ones change)."""
    with transaction.atomic():
        meetings = list(
            Meeting.objects.select_for_update(skip_locked=True).filter(
                status=Meeting.Status.SCHEDULED, end__lt=timezone.now()
            )
        )
        for meeting in meetings:
            meeting.status = Meeting.Status.HELD
        if meetings:
            bulk_update_with_history(
                meetings,
                Meeting,
                ["status"],
                default_change_reason="Marked held automatically after the meeting ended",
            )
    return len(meetings)
