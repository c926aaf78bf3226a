"""Periodic jobs never overlap: a lease on a database row (JobLock), renewed while the run lasts.

One mechanism for the embedded default (SQLite) and production (PostgreSQL):
the lease is taken with a conditional UPDATE (atomic on both) and released at the
end. While the run goes on, a heartbeat thread extends the lease every third of
its length, so a run longer than `ReminderSettings.job_lock_seconds` (a first scan
at national scale) still holds it and the next beat skips; if the worker holding
it is killed, the heartbeat dies with it and the lease expires by itself.
Overlap would not duplicate messages anyway (the outbox key and the row claim
prevent that); the lock saves the wasted work of two runs at once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from ..models import JobLock

logger = logging.getLogger(__name__)


def renew(name: str, token: str, seconds: int) -> bool:
    """Extend the lease `token` holds; False if it is no longer ours."""
    until = timezone.now() + timedelta(seconds=seconds)
    return bool(JobLock.objects.filter(name=name, owner=token).update(locked_until=until))


class _Heartbeat(threading.Thread):
    """Renews the lease every `seconds / 3` until stopped (its own database connection)."""

    def __init__(self, name: str, token: str, seconds: int) -> None:
        super().__init__(name=f"lock-heartbeat-{name}", daemon=True)
        self.lock_name, self.token, self.seconds = name, token, seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(max(self.seconds / 3, 0.05)):
                try:
                    if not renew(self.lock_name, self.token, self.seconds):
                        logger.warning("lost the lock %s; the run goes on without it", self.lock_name)
                        return
                except Exception:  # e.g. SQLite busy: the lease still has two thirds left
                    logger.warning("could not renew the lock %s", self.lock_name, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join()


@contextmanager
def periodic_lock(name: str, seconds: int) -> Iterator[bool]:
    """Yield True if this run holds the lock (kept for as long as the run lasts),
    False if another run does."""
    token = uuid.uuid4().hex
    now = timezone.now()
    JobLock.objects.get_or_create(name=name)
    taken = (
        JobLock.objects.filter(name=name)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(owner=token, locked_until=now + timedelta(seconds=seconds))
    )
    heartbeat = None
    if taken and not connection.in_atomic_block:
        # Inside a transaction (a test's) another connection would not see the lease row.
        heartbeat = _Heartbeat(name, token, seconds)
        heartbeat.start()
    try:
        yield bool(taken)
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        if taken:
            JobLock.objects.filter(name=name, owner=token).update(owner="", locked_until=None)
