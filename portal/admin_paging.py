"""Admin changelists that stay fast at national scale: filters with a bounded list of choices
and an estimated count for a huge list (COUNT(*) over millions of rows costs more than the
page itself)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import contextmanager, nullcontext

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS, PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.paginator import Paginator
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext

from .links import reverse_pk


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
    """Counts exactly up to `count_up_to` rows; beyond that (a search or filter matching a
    third of a national table) the planner's estimate, at least what was counted. An
    unfiltered list of a big PostgreSQL table takes its size from the planner's statistics
    (pg_class.reltuples; kept by autovacuum/ANALYZE) without counting at all."""

    exact_below = 100_000
    count_up_to = 5_000
    # Parts of the list (subsets of it), each read along one index: when one alone holds more
    # than count_up_to rows, so does the list, whose own bounded count (the OR of its
    # visibility rule, read as a bitmap of every matching row first) is not needed.
    lower_bounds: Sequence[QuerySet] = ()
    # The list is a small part of its table, read along indexes (e.g. one kabupaten's rows):
    # its bounded count never reads the table from the start (see `without_sequential_scans`).
    index_bounded = False

    @cached_property
    def count(self) -> int:
        estimate = self._estimate()
        if estimate is not None and estimate >= self.exact_below:
            return estimate
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or connections[queryset.db].vendor != "postgresql":
            return super().count
        # COUNT(*) over a LIMIT: reads at most count_up_to + 1 matching rows.
        rows = queryset.order_by().values("pk")
        for part in self.lower_bounds:
            counted = part.order_by().values("pk")[: self.count_up_to + 1].count()
            if counted > self.count_up_to:
                return max(counted, self._planned_rows(rows))
        with without_sequential_scans(queryset.db) if self.index_bounded else nullcontext():
            counted = rows[: self.count_up_to + 1].count()
        if counted <= self.count_up_to:
            return counted
        return max(counted, self._planned_rows(rows))

    @staticmethod
    def _planned_rows(queryset: QuerySet) -> int:
        plan = json.loads(queryset.explain(format="json"))
        return int(plan[0]["Plan"]["Plan Rows"])

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


@contextmanager
def without_sequential_scans(using: str):
    """PostgreSQL without sequential scans, for the statements inside only.

    A bounded count (LIMIT n) of a list with a search: PostgreSQL prices a scan of the whole
    table as stopping once it has found n rows, from its estimate of how many match (for one
    kabupaten's commitments twice the real number: the meeting's and the owner's regions, ORed,
    counted as independent) and with each row's `UPPER(description) LIKE` priced as cheap as
    any comparison. Between the estimates of one ANALYZE sample and the next it chose that scan
    in 2 of 6 samples, then 4 of 8: 170-200 ms, where the bitmap of the list's own indexes
    takes 34 ms. The setting is local to a transaction (a savepoint inside one) that is rolled
    back when the block ends, so nothing after it plans differently."""
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        yield
        transaction.set_rollback(True, using=using)


def list_narrowed(request) -> bool:
    """Whether a changelist request filters or searches its list (ChangeList's own reading
    of the query string: any parameter but paging, ordering, popups and facets filters)."""
    ignored = {*IGNORED_PARAMS, PAGE_VAR, ERROR_FLAG}
    return bool(request.GET.get(SEARCH_VAR)) or any(key not in ignored for key in request.GET)


class SortableByChangeList(ChangeList):
    """Sorts only by the columns in `sortable_by`: Django hides the other headers' sort links
    but still obeys a hand-written `?o=` for them. Each row's link is reversed once for the
    list (portal.links), not matched again per row, and carries the list's filters itself."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django adds the filters to each row's link with add_preserved_filters, which resolves
        # the link again to learn whether it is the changelist's own (a row's never is): 51
        # resolves a filtered or searched page, 90-270 us each through the admin's URLs. The
        # rows' links get the same query string from url_for_result; nothing else reads this.
        self.row_filters, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result):
        pk = getattr(result, self.pk_attname)
        if self.model_admin.admin_site.name != "admin":
            url = super().url_for_result(result)
        else:
            url = reverse_pk(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", pk)
        return f"{url}?{self.row_filters}" if self.row_filters else url

    def get_ordering_field(self, field_name):
        if self.sortable_by is not None and field_name not in self.sortable_by:
            return None
        return super().get_ordering_field(field_name)

    def get_ordering(self, request, queryset):
        """Django's order, minus a field named again (the list's default order after the chosen
        column: a no-op for the order that hides the index), with the primary key breaking
        ties in the direction of the column before it, so one index (column, id) serves the
        column both ways."""
        pk_name = self.lookup_opts.pk.name
        kept, seen = [], set()
        for part in super().get_ordering(request, queryset):
            if isinstance(part, str):
                name = part.lstrip("-")
                name = "pk" if name == pk_name else name
                if name in seen:
                    continue
                seen.add(name)
            kept.append(part)
        if len(kept) > 1 and kept[-1] in ("pk", "-pk") and isinstance(kept[-2], str):
            kept[-1] = "-pk" if kept[-2].startswith("-") else "pk"
        return kept


class LargeListMixin:
    """For a changelist of national size: sorted only along indexes (`sortable_by`, enforced:
    sorting a national table by a name or a text reads and sorts every row for one page), and
    rows rendered without a template per row: the action checkbox is the same markup Django's
    CheckboxInput renders, written directly (a widget template per row was a fifth of the
    page's rendering time)."""

    def get_changelist(self, request, **kwargs):
        return SortableByChangeList

    def count_lower_bounds(self, request) -> list[QuerySet]:
        """Subsets of the whole list (`get_queryset`) whose bounded counts may stand in for
        the list's own (see EstimatedCountPaginator.lower_bounds); none by default."""
        return []

    def count_index_bounded(self, request) -> bool:
        """Whether the user's whole list is a small part of the table read along its indexes
        (EstimatedCountPaginator.index_bounded); not by default."""
        return False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        if isinstance(paginator, EstimatedCountPaginator):
            if not list_narrowed(request):
                paginator.lower_bounds = self.count_lower_bounds(request)
            paginator.index_bounded = self.count_index_bounded(request)
        return paginator

    def action_checkbox(self, obj):
        label = format_html(gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )
