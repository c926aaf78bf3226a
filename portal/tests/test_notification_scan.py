"""The periodic scan at scale: its query count does not grow with the number of sources,
and a run longer than its lock's lease still holds the lock until it ends."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from portal.models import JobLock
from portal.notifications import rules
from portal.notifications.locks import periodic_lock
from portal.tasks import scan_reminders


class SlowRule(rules.ReminderRule):
    """Takes longer than the lease, and looks whether another run could take the lock meanwhile."""

    name = "test_message"
    model = "portal.Organisation"
    seen: list[bool] = []

    def candidates(self, now, cfg):
        time.sleep(2.5)  # more than twice the 1-second lease
        with periodic_lock("scan_reminders", 1) as second:
            SlowRule.seen.append(second)
        return []


@pytest.mark.django_db(transaction=True)
def test_a_run_longer_than_its_lease_keeps_the_lock_until_it_ends(reminder_settings):
    reminder_settings.job_lock_seconds = 1
    reminder_settings.save()
    rules.register(SlowRule)
    try:
        scan_reminders()
    finally:
        rules.unregister(SlowRule.name)

    assert SlowRule.seen == [False], "a second run took the lock of a run still going"
    lock = JobLock.objects.get(name="scan_reminders")
    assert lock.owner == "" and lock.locked_until is None  # released at the end
    with periodic_lock("scan_reminders", 1) as next_run:
        assert next_run


@pytest.mark.django_db(transaction=True)
def test_a_lease_left_by_a_dead_worker_expires_without_its_heartbeat(db):
    with periodic_lock("job", 1) as first:
        assert first
        JobLock.objects.filter(name="job").update(owner="dead-worker", locked_until=timezone.now())
        time.sleep(0.6)  # the heartbeat finds the lease is no longer its own and stops renewing
        with periodic_lock("job", 1) as second:
            assert second
