"""The reminders engine's Celery tasks. They take primary keys (or nothing), are
idempotent, and the periodic ones never overlap (portal.notifications.locks).
The beat schedule that runs them is CELERY_BEAT_SCHEDULE in settings.py."""

from __future__ import annotations

from celery import shared_task

from .models import Heartbeat, ReminderSettings
from .notifications import engine, rules
from .notifications.locks import periodic_lock


@shared_task
def scan_reminders() -> int:
    """Create and reconcile the time-driven reminders from database state: the sources that
    changed or entered a rule's window since the last beat, and a slice of all of them."""
    with periodic_lock("scan_reminders", ReminderSettings.load().job_lock_seconds) as mine:
        return rules.scan(incremental=True) if mine else 0


@shared_task
def dispatch_due() -> int:
    """Send every due outbox row (and take back rows a killed worker left 'sending')."""
    seconds = ReminderSettings.load().job_lock_seconds
    with periodic_lock("dispatch_due", seconds) as mine:
        # Stop well inside the lease so a long run never outlives its lock.
        return engine.dispatch(budget_seconds=seconds / 2) if mine else 0


@shared_task
def send_digests() -> int:
    """Build today's daily digests (once a day per person, after the digest time)."""
    with periodic_lock("send_digests", ReminderSettings.load().job_lock_seconds) as mine:
        return engine.send_digests() if mine else 0


@shared_task
def send_notification(pk: int) -> bool:
    """Send one outbox row now if it is due and nobody took it yet. No longer published (see
    send_notifications); kept for the messages an older release left in the broker."""
    return engine.deliver_one(pk)


@shared_task
def send_notifications(pks: list[int]) -> int:
    """Send the outbox rows one transaction made (publish.send_on_commit): one task, one SMTP
    connection, each row claimed with skip_locked and marked sent before the next goes out."""
    return engine.deliver_many(pks)


@shared_task
def beat_tick() -> None:
    """Record that the beat published and a worker ran this (the age shows on /healthz)."""
    Heartbeat.beat("beat")


@shared_task
def run_job(pk: str) -> None:
    """Run one background job (portal.jobs); a job already taken or finished is left alone."""
    from .jobs.models import Job

    job = Job.objects.filter(pk=pk).first()
    if job is not None:
        job.run()


@shared_task
def clean_up_jobs() -> int:
    """Fail background jobs whose worker was lost; remove those past JOB_RETENTION_DAYS."""
    from .jobs.models import clean_up_jobs as clean_up

    with periodic_lock("clean_up_jobs", ReminderSettings.load().job_lock_seconds) as mine:
        return sum(clean_up()) if mine else 0
