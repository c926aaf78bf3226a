"""Many new rows in one statement a batch, on PostgreSQL: INSERT ... SELECT FROM unnest(one array
a column).

Django's `bulk_create` prepares, places and binds every value of every row (a Python call per
value and field), and psycopg escapes every string of every array: for a first reminder beat's
tens of thousands of new rows and a 10,000-row import, most of their Python time. Here a column
with one value for the whole batch (a state, an empty text, the creation time) is bound once,
and the values of plain fields (text, numbers, dates, keys) go to psycopg as they are; any other
field's values are prepared by the field, as Django does.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable

from django.db import connections, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

# The Python types of the values psycopg adapts as Django's own preparation would, by exact
# field class (a subclass may prepare its values, e.g. to encrypt them); a value of any other
# type (a lazy translation, a string for a number) is prepared by its field.
TEXT = (models.CharField, models.TextField, models.SlugField, models.EmailField)
NUMBERS = (
    models.AutoField,
    models.BigAutoField,
    models.SmallAutoField,
    models.IntegerField,
    models.SmallIntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)


def fits(model: type[models.Model], objs: list[models.Model], using: str) -> bool:
    """Whether `create` writes these objects as `bulk_create` would: on PostgreSQL, new rows
    (no primary key yet, an automatic one) of a model without parents, database defaults or
    generated columns, whose related objects are saved."""
    meta = model._meta
    if connections[using].vendor != "postgresql" or meta.parents or not objs:
        return False
    if not isinstance(meta.pk, models.AutoField | models.BigAutoField | models.SmallAutoField):
        return False
    fields = meta.concrete_fields
    if any(f.db_default is not NOT_PROVIDED or f.generated for f in fields):
        return False
    if any(obj.pk is not None for obj in objs):
        return False
    related = [f for f in fields if f.is_relation]
    # An unsaved related object: bulk_create raises its own error.
    return not any(
        field.is_cached(obj) and getattr(field.get_cached_value(obj), "pk", 0) is None
        for obj in objs
        for field in related
    )


def create(model: type[models.Model], objs: Iterable[models.Model], using: str = "default") -> list:
    """`model.objects.bulk_create(objs)` for objects that `fits` allows: the same rows, the
    objects' auto_now and auto_now_add fields set (one moment for the batch), their primary
    keys read back and their state saved. Like bulk_create, it sends no model signals."""
    objs = list(objs)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    related = [f for f in fields if f.is_relation]
    for obj in objs:
        for field in related:  # a related object saved after it was assigned: its key now
            if getattr(obj, field.attname) is None and field.is_cached(obj):
                target = field.get_cached_value(obj)
                if target is not None:
                    setattr(obj, field.attname, target.pk)
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = field.pre_save(objs[0], add=True)
            for obj in objs[1:]:
                setattr(obj, field.attname, value)
    rows = [{f.attname: getattr(obj, f.attname) for f in fields} for obj in objs]
    pks = insert(model, rows, returning=True, using=using)
    for obj, pk in zip(objs, pks, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = using
    return objs


def insert(
    model: type[models.Model],
    rows: list[dict],
    *,
    skip_conflicts: bool = False,
    returning: bool = False,
    batch_size: int = 5000,
    using: str = "default",
) -> list:
    """Insert `rows` (each a dict of field attnames to values; a field left out takes its
    default, auto_now and auto_now_add fields the moment of the call) into `model`'s table on
    PostgreSQL; with `skip_conflicts`, a row that breaks a unique constraint is skipped (ON
    CONFLICT DO NOTHING). With `returning`, the new rows' primary keys, in the rows' order."""
    connection = connections[using]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now if isinstance(f, models.DateTimeField) else timezone.localdate(now)
        else:
            defaults[f.attname] = f.get_default()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    tail = (" ON CONFLICT DO NOTHING" if skip_conflicts else "") + (
        f" RETURNING {quote(model._meta.pk.column)}" if returning else ""
    )
    table = quote(model._meta.db_table)
    pks = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            chosen, arrays, names, once, many = [], [], [], [], []
            for n, field in enumerate(fields):
                default = defaults[field.attname]
                values = [row.get(field.attname, default) for row in batch]
                db_type = field.db_type(connection)
                if values.count(values[0]) == len(values):
                    chosen.append(f"CAST(%s AS {db_type})")
                    once.append(_prepared(field, values[:1], connection)[0])
                else:
                    chosen.append(f"u.v{n}")
                    arrays.append(f"CAST(%s AS {db_type}[])")
                    names.append(f"v{n}")
                    many.append(_prepared(field, values, connection))
            # Without an array (one row, or rows alike), SELECT gives the one row.
            source = f" FROM unnest({', '.join(arrays)}) AS u({', '.join(names)})" if arrays else ""
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {', '.join(chosen)}{source}{tail}",
                [*once, *many],
            )
            if returning:
                pks += [row[0] for row in cursor.fetchall()]
    return pks


def _prepared(field: models.Field, values: list, connection) -> list:
    """A column's values as psycopg gets them: as they are when Django would pass them on
    unchanged, else prepared by the field."""
    if isinstance(field, models.JSONField):
        return [None if v is None else json.dumps(v, cls=field.encoder) for v in values]
    kind = type(field.target_field if field.is_relation else field)
    if kind in TEXT:
        plain = all(v is None or isinstance(v, str) for v in values)  # choices too (str's)
    elif kind in NUMBERS:
        plain = all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in values)
    elif kind is models.BooleanField:
        plain = all(v is None or type(v) is bool for v in values)
    elif kind is models.DateField:
        plain = all(v is None or type(v) is datetime.date for v in values)
    elif kind is models.DateTimeField:
        plain = all(v is None or (type(v) is datetime.datetime and v.tzinfo is not None) for v in values)
    else:
        plain = False
    return values if plain else [field.get_db_prep_save(v, connection) for v in values]
