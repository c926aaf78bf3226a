"""Formatting helpers shared by every app's templates and messages."""

from __future__ import annotations

from datetime import date, datetime, time

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def isodate(value: str | date | None) -> date | None:
    """A date kept as ISO text in a message's JSON context, back as a date for `|date`."""
    if not value or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@register.simple_tag
def time_span(start: datetime, end: datetime, weekday: bool = True) -> str:
    """Like "Senin, 15 Juli 2024, 09.00-11.00 WITA" (en dash); a span across midnight shows its end date."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    day_format = "l, j F Y" if weekday else "DATE_FORMAT"
    first = formats.date_format(start, day_format)
    begin = formats.time_format(start, "TIME_FORMAT")
    finish = formats.time_format(end, "TIME_FORMAT")
    if start.date() == end.date():
        return f"{first}, {begin}–{finish} {_('WITA')}"
    last = formats.date_format(end, day_format)
    return f"{first}, {begin} – {last}, {finish} {_('WITA')}"


@register.simple_tag
def day_span(day: date, start: time, end: time, weekday: bool = True) -> str:
    """A training session (a day, a start and an end time) written as `time_span` writes a meeting."""
    return time_span(
        timezone.make_aware(datetime.combine(day, start)),
        timezone.make_aware(datetime.combine(day, end)),
        weekday,
    )
