"""History rows (django-simple-history) for rows written in bulk."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db import connections, models, router
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

# The columns simple_history adds to every historical table besides the tracked fields.
_HISTORY_OWN = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def record_created(
    model: type[models.Model], pks: Sequence[int], *, user=None, batch_size: int = 1000
) -> None:
    """What simple_history's `bulk_history_create` writes for rows just created ("+" rows of
    `user`, no change reason), copied by the database from the stored rows (one
    `INSERT ... SELECT` a batch) instead of built in Python: for a 10,000-row import, one
    historical instance per row, each value prepared by Django and quoted by psycopg again,
    was a third of its writing. The columns come from the history model; a history model
    with columns of its own (extra fields, `history_relation`) gets the library's path."""
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    manager = get_history_manager_for_model(model)
    history = manager.model
    tracked = list(history.tracked_fields)
    names = {field.name for field in tracked} | _HISTORY_OWN
    if {field.name for field in history._meta.concrete_fields} != names:
        manager.bulk_history_create(
            list(model._default_manager.filter(pk__in=pks)),
            default_user=user,
            default_change_reason=None,
            batch_size=batch_size,
        )
        return
    connection = connections[router.db_for_write(history)]
    quote = connection.ops.quote_name
    own = history._meta
    target = [quote(f.column) for f in tracked] + [
        quote(own.get_field(name).column)
        for name in ("history_date", "history_change_reason", "history_type", "history_user")
    ]
    source = [quote(model._meta.get_field(f.name).column) for f in tracked]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), batch_size):
            batch = list(pks[start : start + batch_size])
            sql = (
                f"INSERT INTO {quote(own.db_table)} ({', '.join(target)}) "  # noqa: S608 - model names
                f"SELECT {', '.join(source)}, %s, NULL, '+', %s FROM {quote(model._meta.db_table)} "
                f"WHERE {pk} IN ({', '.join(['%s'] * len(batch))}) ORDER BY {pk}"
            )
            cursor.execute(sql, [now, getattr(user, "pk", None), *batch])
