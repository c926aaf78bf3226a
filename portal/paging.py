"""Pages of the portal's long lists, counted only as far as anyone pages.

A list page said "Page 1 of 209" by counting every row the user may see, on every page: for a
camat's *Komitmen saya* at national scale, 10,447 commitments read from the table (13 to 31 ms, as
long as reading the page itself). `CountedPagesPaginator` counts up to `counted_pages` pages (or
up to the page asked for, when it is further) and one row more; beyond, it knows only that there
are more (`more_than`: the pages counted, shown as "Page 1 of more than 10" by the templates),
and offers a next page while rows remain.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


def count_to_page(paginator, number) -> None:
    """Makes `paginator` (with `per_page`, `count_up_to` and `more_than`) count again, up to the
    end of page `number`, when that page lies beyond what it counts."""
    try:
        asked = int(number)
    except (TypeError, ValueError):
        return  # not a page number: validate_number rejects it
    if asked * paginator.per_page > paginator.count_up_to:
        paginator.count_up_to = asked * paginator.per_page
        paginator.__dict__.pop("count", None)
        paginator.__dict__.pop("num_pages", None)
        paginator.more_than = None


class CountedPagesPaginator(Paginator):
    """A Paginator of a queryset whose count stops past `counted_pages` pages (see the module)."""

    def __init__(self, object_list, per_page, *, counted_pages: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_up_to = counted_pages * self.per_page
        self.more_than: int | None = None

    @cached_property
    def count(self) -> int:
        # Any count_up_to + 1 rows say whether there are more: unordered, none is sorted first.
        counted = self.object_list.order_by()[: self.count_up_to + 1].count()
        if counted > self.count_up_to:
            self.more_than = self.count_up_to // self.per_page
        return counted

    def page(self, number):
        count_to_page(self, number)
        return super().page(number)


class CountedPagesMixin:
    """For a ListView: its pages from a CountedPagesPaginator counting `counted_pages` pages."""

    counted_pages = 10

    def get_paginator(self, queryset, per_page, **kwargs):
        return CountedPagesPaginator(queryset, per_page, counted_pages=self.counted_pages, **kwargs)
