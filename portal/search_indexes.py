"""Trigram indexes for the admin's substring search, on PostgreSQL only.

Django admin searches with `icontains`, which PostgreSQL runs as
`UPPER(column::text) LIKE UPPER('%words%')`: no b-tree serves a leading wildcard, so every
search read the whole table. A GIN index with `gin_trgm_ops` on `UPPER(column)` serves that
very expression, and ANALYZE then keeps statistics on it, so the planner also knows when a
word matches a third of the table (walk the list's order index and stop at one page) rather
than guessing a handful of rows (sort every match).

`make run` uses SQLite, which has neither pg_trgm nor GIN: there the operation does nothing.
The index is not part of the model state, so `makemigrations` never tries to drop it.
"""

from __future__ import annotations

from django.contrib.postgres.operations import TrigramExtension
from django.db import router
from django.db.migrations.operations.base import Operation


class AddTrigramSearchIndex(Operation):
    """CREATE INDEX <name> ON <table> USING gin (UPPER(<field>) gin_trgm_ops); ANALYZE <table>."""

    reversible = True

    def __init__(self, model_name: str, field: str, name: str, app_label: str | None = None):
        self.model_name, self.field, self.name, self.app_label = model_name, field, name, app_label

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "field": self.field, "name": self.name}
        if self.app_label:
            kwargs["app_label"] = self.app_label
        return self.__class__.__qualname__, [], kwargs

    def state_forwards(self, app_label, state):
        pass

    def applies(self, app_label, schema_editor) -> bool:
        connection = schema_editor.connection
        return connection.vendor == "postgresql" and router.allow_migrate(connection.alias, app_label)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not self.applies(app_label, schema_editor):
            return
        TrigramExtension().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(self.app_label or app_label, self.model_name)
        quote = schema_editor.quote_name
        table, column = quote(model._meta.db_table), quote(model._meta.get_field(self.field).column)
        # Raw SQL: OpClass needs django.contrib.postgres installed as an app to be allowed
        # around an index expression, and this is the only place that wants it.
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {quote(self.name)} ON {table} USING gin (UPPER({column}) gin_trgm_ops)"
        )
        schema_editor.execute(f"ANALYZE {table}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not self.applies(app_label, schema_editor):
            return
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(self.name)}")

    def describe(self):
        return f"Trigram search index {self.name} on UPPER({self.model_name}.{self.field}) (PostgreSQL only)"

    @property
    def migration_name_fragment(self):
        return self.name
