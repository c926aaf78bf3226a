"""Pages of the meetings a user sees, read from visible_to's union alone."""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Page
from django.db.models import QuerySet
from django.utils.functional import cached_property

from portal.admin_paging import EstimatedCountPaginator
from portal.paging import count_to_page


class VisibleMeetingsPaginator(EstimatedCountPaginator):
    """The meetings of `window` (an ordered MeetingQuerySet: upcoming, past, ...) that `user`
    may see, a page at a time. A page's rows come from `visible_to(user, up_to=<end of the
    page>)`: each part of the union reads up to the page's end, never every meeting the user
    may see. The count is exact up to `count_up_to` (each part cut there), then the planner's
    estimate; a page past the real end is empty, and a short page has no next one. `walk`:
    as for visible_to (False for a filtered or searched window).

    With `counted_pages` (the portal's list) nothing is estimated: the count is exact up to
    that many pages or up to the asked page, whichever is further, and beyond it only "more"
    is known (`more_than`: the pages counted), so a next page is offered while rows remain."""

    def __init__(
        self,
        window: QuerySet,
        per_page: int,
        *,
        user,
        shown: Callable[[QuerySet], QuerySet],
        counted_pages: int | None = None,
        walk: bool = True,
        **kwargs,
    ):
        self.window, self.user, self.shown, self.walk = window, user, shown, walk
        super().__init__(None, per_page, **kwargs)
        self.counted_pages = counted_pages
        if counted_pages is not None:
            self.count_up_to = counted_pages * per_page  # page() raises it to the asked page
        self.more_than: int | None = None  # set by a bounded count that found more rows

    def _check_object_list_is_ordered(self) -> None:
        pass  # object_list is only counted; pages come in the window's order

    @property
    def object_list(self) -> QuerySet:
        """The keys of every meeting the user may see in the window, built when first asked
        for: only a count without `counted_pages` (the admin's) reads it, and building the
        union costs about a millisecond of Python that the portal's list never used."""
        if self._visible_ids is None:
            self._visible_ids = self.window.visible_ids(self.user)
        return self._visible_ids

    @object_list.setter
    def object_list(self, value) -> None:
        self._visible_ids = value  # None from __init__: built on first use

    @cached_property
    def count(self) -> int:
        if self.counted_pages is not None:
            return self._bounded_count()
        if not self.object_list.query.combinator:
            # Everything (a superuser's unfiltered list): the table's size, as for other lists.
            estimate = self._estimate()
            if estimate is not None and estimate >= self.exact_below:
                return estimate
        # Every part cut after count_up_to rows: at most that many counted is the exact count.
        cut = self.window.order_by().visible_ids(self.user, up_to=self.count_up_to + 1)
        counted = cut[: self.count_up_to + 1].count()
        if counted <= self.count_up_to:
            return counted
        return max(counted, self._planned_rows(self.object_list.order_by()))

    def _bounded_count(self) -> int:
        """Exact up to count_up_to (set by page() to the counted pages' end), else one row
        more than that: enough for a next page, and `more_than` says the total is unknown."""
        cut = self.window.order_by().visible_ids(self.user, up_to=self.count_up_to + 1)
        counted = cut[: self.count_up_to + 1].count()
        if counted > self.count_up_to:
            self.more_than = self.count_up_to // self.per_page
        return counted

    def page(self, number) -> Page:
        if self.counted_pages is not None:
            # Counted to the asked page's end (once already, for "last": counted again).
            count_to_page(self, number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.shown(self.window.visible_to(self.user, up_to=top, walk=self.walk))[bottom:top]
        return ShortPage(rows, number, self)


class ShortPage(Page):
    """A page with fewer rows than a full one is the last, whatever an estimated count says."""

    def has_next(self) -> bool:
        return super().has_next() and len(self) >= self.paginator.per_page
