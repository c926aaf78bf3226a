"""Publish Celery tasks only after the transaction commits, and never fail the request.

Like pretix's TransactionAwareTask: a worker must never look for a row that is
not committed yet. If the broker is unreachable the page still works: the row
is in the database and the periodic dispatcher sends it once the broker is back.

Outbox rows are sent by a few tasks per transaction (`send_on_commit`: one a worker process),
not one per row: a task costs a broker round trip, a claim, an SMTP connection and a log
line, so one task per message drained a queue of 500 at about 30 messages a second.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import connection, transaction

logger = logging.getLogger(__name__)

# Give up quickly: the outbox row is already safe in the database.
RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


def publish(task, *args) -> bool:
    try:
        task.apply_async(args=args, retry=True, retry_policy=RETRY_POLICY)
    except Exception as exc:  # broker down: kombu/redis raise many types; the DB keeps the work
        logger.warning(
            "could not publish %s%r (%s: %s); the dispatcher will pick it up",
            task.name,
            args,
            exc.__class__.__name__,
            exc,
        )
        return False
    return True


def publish_on_commit(task, *args) -> None:
    transaction.on_commit(partial(publish, task, *args))


# A transaction's rows are shared among the workers' processes: up to `SEND_TASKS` tasks
# (settings.NOTIFICATIONS_SEND_TASKS, the workers' processes in all), each of at least
# MIN_TASK_ROWS rows (a task costs a broker round trip, a claim and an SMTP connection) and at
# most TASK_ROWS (a long fan-out or a first scan publishes more, taken as processes free up).
TASK_ROWS = 500
MIN_TASK_ROWS = 50


def task_parts(pks: list) -> list[list]:
    from django.conf import settings

    tasks = max(1, settings.NOTIFICATIONS_SEND_TASKS)
    size = min(TASK_ROWS, max(MIN_TASK_ROWS, -(-len(pks) // tasks)))
    return [pks[start : start + size] for start in range(0, len(pks), size)]


class _Batch:
    """The outbox rows one transaction asked to send; called once at its commit."""

    def __init__(self) -> None:
        self.pks: dict[int, None] = {}  # ordered, without duplicates
        self.done = False

    def __call__(self) -> None:
        from ..tasks import send_notifications

        self.done = True  # (a test's captured callbacks stay in the list after they ran)
        for part in task_parts(list(self.pks)):
            publish(send_notifications, part)


def send_on_commit(pks) -> None:
    """Ask a worker to send these outbox rows after the transaction commits: every call in one
    transaction adds to one batch, published as one task a worker process (`task_parts`). A batch
    still waiting in Django's on-commit list is this transaction's; one that is not there ran
    (commit) or was dropped (rollback of the transaction or of the savepoint that made it),
    so a new one starts. Rows added in a savepoint rolled back later stay in the batch: their
    task finds nothing to claim for them."""
    batch = getattr(connection, "_outbox_batch", None)
    if batch is not None and not batch.done and connection.in_atomic_block:
        if any(entry[1] is batch for entry in connection.run_on_commit):
            batch.pks.update(dict.fromkeys(pks))
            return
    batch = connection._outbox_batch = _Batch()
    batch.pks.update(dict.fromkeys(pks))
    if batch.pks:
        transaction.on_commit(batch)
