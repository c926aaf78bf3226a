"""Bulk writes with PostgreSQL COPY (psycopg 3): rows as tuples of the named columns, every other
non-null column filled with the model field's default, computed once per table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, models
from django.utils import timezone


def _constant(field: models.Field, now: datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        value = field.get_default()
    elif field.null:
        return None
    elif isinstance(field, models.CharField | models.TextField):
        value = ""
    else:
        raise ValueError(f"{field.model.__name__}.{field.name} needs a value")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


# How long before its generation the data stands, for the stamps of auto_now fields (updated_at):
# nothing in it was saved just now. Stamped with the generation's own time, a measurement within
# ten minutes of it (`make bench all`) saw the reminder scan's next beat reconcile every
# commitment as saved since the beat before (rules.CHANGES_OVERLAP): 261,920 sources and 62 s at
# full scale, a bulk import's beat rather than a steady one.
SETTLED = timedelta(days=1)


def copy_rows(model: type[models.Model], columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY `rows` (tuples in the order of `columns`, attnames such as "meeting_id") into the
    model's table. Returns the number of rows written."""
    now = timezone.now() - SETTLED
    extra = [f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key]
    constants = tuple(_constant(f, now) for f in extra)
    cols = [model_column(model, c) for c in columns] + [f.column for f in extra]
    quoted = ", ".join(map(connection.ops.quote_name, cols))
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({quoted}) FROM STDIN"
    count = 0
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row + constants)
            count += 1
    return count


def model_column(model: type[models.Model], attname: str) -> str:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field.column
    raise ValueError(f"{model.__name__} has no column {attname}")


def reset_sequences(*models_: type[models.Model]) -> None:
    """After COPY with explicit ids: move each table's id sequence past the largest id."""
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            pk = model._meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE((SELECT MAX({pk}) FROM {table}), 0) + 1, false)",  # noqa: S608 - table names from models
                [table, pk],
            )


def next_id(model: type[models.Model]) -> int:
    value = model.objects.aggregate(m=models.Max("pk"))["m"]
    return (value or 0) + 1
