"""Publish Celery tasks only after the transaction commits, and never fail the request.

Like pretix's TransactionAwareTask: a worker must never look for a row that is
not committed yet. If the broker is unreachable the page still works: the row
is in the database and the periodic dispatcher sends it once the broker is back.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

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
