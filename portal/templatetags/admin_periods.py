"""Django admin's date drill-down (`date_hierarchy`) without reading every row of the list.

Django lists the years (or months, or days) that have rows with SELECT DISTINCT over every row
in the changelist, after a MIN/MAX over the same rows: two passes over a national list. Here
the periods are every year (month, day) from the first to the last date, from the MIN/MAX
alone: one pass, and a period without rows in between shows an empty list when chosen.

Use it in a changelist template: `{% load admin_periods %}` and
`{% block date_hierarchy %}{% if cl.date_hierarchy %}{% period_hierarchy cl %}{% endif %}{% endblock %}`.
"""

from __future__ import annotations

import datetime

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.functional import cached_property

register = template.Library()


class Periods:
    """Stands in for `cl.queryset` in Django's `date_hierarchy`: answers its MIN/MAX once, and
    its `dates()` / `datetimes()` with every period between them. A changelist with a cheaper
    way to its first and last dates offers `date_bounds()` ({"first": .., "last": ..})."""

    def __init__(self, queryset, field_name: str, date_bounds=None):
        self.queryset, self.field_name, self.date_bounds = queryset, field_name, date_bounds

    @cached_property
    def bounds(self) -> dict:
        if self.date_bounds is not None:
            return self.date_bounds()
        return self.queryset.aggregate(first=Min(self.field_name), last=Max(self.field_name))

    def aggregate(self, **kwargs) -> dict:
        return self.bounds  # Django asks only for first=Min(field), last=Max(field)

    def dates(self, field_name: str, kind: str) -> list[datetime.date]:
        first, last = self.bounds["first"], self.bounds["last"]
        if first is None or last is None:
            return []
        if isinstance(first, datetime.datetime):
            first, last = (timezone.localtime(v) if timezone.is_aware(v) else v for v in (first, last))
            first, last = first.date(), last.date()
        if kind == "year":
            return [datetime.date(year, 1, 1) for year in range(first.year, last.year + 1)]
        if kind == "month":
            months = range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
            return [datetime.date(month // 12, month % 12 + 1, 1) for month in months]
        return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]

    datetimes = dates  # only .year, .month, .day and a date format are read from them


class PeriodChangeList:
    """The changelist as Django's `date_hierarchy` sees it, with `Periods` as its queryset."""

    def __init__(self, cl):
        self._cl = cl
        self.queryset = Periods(cl.queryset, cl.date_hierarchy, getattr(cl, "date_bounds", None))

    def __getattr__(self, name):
        return getattr(self._cl, name)


def period_hierarchy(cl):
    return date_hierarchy(PeriodChangeList(cl))


@register.tag(name="period_hierarchy")
def period_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=period_hierarchy, template_name="date_hierarchy.html", takes_context=False
    )
