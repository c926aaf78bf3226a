"""Admin changelists that stay fast at national scale: filters with a bounded list of choices
and an estimated count for a huge unfiltered list (COUNT(*) over millions of rows costs more
than the page itself)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class BoundedRelatedFilter(admin.SimpleListFilter):
    """A filter on a foreign key that lists at most `limit` choices (plus the chosen one),
    taken from `choice_queryset(request)`: the sidebar of a national list never lists every
    organisation. Any other choice the user may pick still works by its id in the URL (e.g. a
    link from another page); a value outside `choice_queryset(request)` is an invalid filter."""

    field_name = ""  # the foreign key on the listed model
    limit = 25

    def __init__(self, request, params, model, model_admin):
        self.parameter_name = f"{self.field_name}__id__exact"
        super().__init__(request, params, model, model_admin)

    def choice_queryset(self, request) -> QuerySet:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        choices = self.choice_queryset(request)
        shown = list(choices[: self.limit])
        value = self.value()
        if value is not None and not any(str(obj.pk) == value for obj in shown):
            chosen = list(choices.filter(pk=value)) if value.isdigit() else []
            if not chosen:
                raise IncorrectLookupParameters(value)
            shown += chosen
        return [(str(obj.pk), str(obj)) for obj in shown]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(**{f"{self.field_name}_id": self.value()})


class EstimatedCountPaginator(Paginator):
    """Counts exactly, except an unfiltered list of a big PostgreSQL table, whose size comes
    from the planner's statistics (pg_class.reltuples; kept by autovacuum/ANALYZE)."""

    exact_below = 100_000

    @cached_property
    def count(self) -> int:
        estimate = self._estimate()
        if estimate is not None and estimate >= self.exact_below:
            return estimate
        return super().count

    def _estimate(self) -> int | None:
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or queryset.query.where:
            return None
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [queryset.model._meta.db_table],
            )
            row = cursor.fetchone()
        return int(row[0]) if row and row[0] > 0 else None
