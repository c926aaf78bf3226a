"""Geometry of the dashboard charts, drawn by the templates as inline SVG.

No JavaScript and no CDN: the server computes every coordinate, the template writes
<svg> elements with CSS classes (static/audits/monitoring.css), and a table with the same
numbers follows each chart for screen readers. No style attributes (the CSP forbids them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import formats

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 32
SERIES_CLASSES = 4  # aks-series-0 .. aks-series-3 in the stylesheet


@dataclass
class Point:
    x: float
    y: float
    label: str
    value: Decimal


@dataclass
class Line:
    name: str
    css: str
    points: list[Point] = field(default_factory=list)

    @property
    def path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


@dataclass
class Tick:
    position: float
    label: str


@dataclass
class LineChart:
    width: int
    height: int
    lines: list[Line]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    target_y: float
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM
    top: int = TOP

    @property
    def empty(self) -> bool:
        return not any(line.points for line in self.lines)


def percent(value: Decimal) -> str:
    """ "14,5%" in Indonesian, "14.5%" in English: the chart's own text is localised too."""
    return f"{formats.number_format(value, 1)}%"


def _y_max(values: list[Decimal], target: Decimal) -> int:
    top = max([target, *values])
    return int((top // 10 + 1) * 10)  # the next multiple of ten above every value


def line_chart(series: dict[str, dict[int, Decimal]], target: Decimal) -> LineChart:
    """`series`: name -> {year: percent}, in legend order."""
    years = sorted({year for values in series.values() for year in values})
    ceiling = _y_max([v for values in series.values() for v in values.values()], target)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(year: int) -> float:
        if len(years) == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (year - years[0]) / (years[-1] - years[0])

    def y_of(value: Decimal) -> float:
        return TOP + plot_h * (1 - float(value) / ceiling)

    lines = [
        Line(
            name=name,
            css=f"aks-series-{index % SERIES_CLASSES}",
            points=[
                Point(x_of(y), y_of(v), f"{name} {y}: {percent(v)}", v) for y, v in sorted(values.items())
            ],
        )
        for index, (name, values) in enumerate(series.items())
    ]
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        lines=lines,
        x_ticks=[Tick(x_of(year), str(year)) for year in years],
        y_ticks=[Tick(y_of(Decimal(v)), f"{v}%") for v in range(0, ceiling + 1, 10)],
        target_y=y_of(target),
    )


@dataclass
class Bar:
    label: str
    value: Decimal | None
    y: float
    width: float
    css: str
    note: str = ""


@dataclass
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    target_x: float
    label_width: int
    bar_height: int
    x_ticks: list[Tick]


def bar_chart(rows: list[tuple[str, Decimal | None, str]], target: Decimal) -> BarChart:
    """Horizontal bars, one per (label, percent or None, note); bars at or above the target
    are marked `aks-bar-high`."""
    label_width, bar_height, gap = 170, 18, 8
    ceiling = _y_max([v for _l, v, _n in rows if v is not None], target)
    plot_w = WIDTH - label_width - RIGHT

    def x_of(value: Decimal) -> float:
        return plot_w * float(value) / ceiling

    bars = [
        Bar(
            label=label,
            value=value,
            y=TOP + index * (bar_height + gap),
            width=x_of(value) if value is not None else 0,
            css="aks-bar-high" if value is not None and value >= target else "aks-bar-ok",
            note=note,
        )
        for index, (label, value, note) in enumerate(rows)
    ]
    height = TOP + len(rows) * (bar_height + gap) + BOTTOM
    return BarChart(
        width=WIDTH,
        height=height,
        bars=bars,
        target_x=label_width + x_of(target),
        label_width=label_width,
        bar_height=bar_height,
        x_ticks=[Tick(label_width + x_of(Decimal(v)), f"{v}%") for v in range(0, ceiling + 1, 10)],
    )
