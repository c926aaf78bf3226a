"""Periodic jobs never overlap: a lease on a database row (JobLock).

One mechanism for the embedded default (SQLite) and production (PostgreSQL):
the lease is taken with a conditional UPDATE (atomic on both), released at the
end, and expires by itself after `ReminderSettings.job_lock_seconds` if the
worker holding it was killed. Overlap would not duplicate messages anyway (the
outbox key and the row claim prevent that); the lock saves the wasted work of
two beats or a slow run meeting the next tick.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from ..models import JobLock


@contextmanager
def periodic_lock(name: str, seconds: int) -> Iterator[bool]:
    """Yield True if this run holds the lock, False if another run does."""
    token = uuid.uuid4().hex
    now = timezone.now()
    JobLock.objects.get_or_create(name=name)
    taken = (
        JobLock.objects.filter(name=name)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(owner=token, locked_until=now + timedelta(seconds=seconds))
    )
    try:
        yield bool(taken)
    finally:
        if taken:
            JobLock.objects.filter(name=name, owner=token).update(owner="", locked_until=None)
