"""Line charts drawn on the server as SVG: scales, ticks, polylines and markers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Each line is told apart by its dash pattern and the shape of its markers, not by
# its colour alone (the colours come from the stylesheet, by style number).
DASHES = ("", "9 4", "2 4", "12 4 3 4", "6 6", "1 3")
SHAPES = ("circle", "square", "triangle", "diamond", "cross", "bar")
STYLES = len(DASHES)
MARKER_SIZE = 3.5
# Room around the plot, in viewBox units: tick labels left, the "now" label above,
# tick labels and the axis title below.
LEFT, RIGHT, TOP, BOTTOM = 70.0, 42.0, 26.0, 50.0


@dataclass(frozen=True)
class Series:
    """Values to draw, one per x (None where there is no value)."""

    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class Tick:
    position: float  # along its axis, in viewBox units
    label: str


@dataclass(frozen=True)
class Line:
    label: str
    style: int
    dash: str
    segments: tuple[str, ...]  # `points` of one polyline per run of values
    markers: str  # one path `d` with every marker


@dataclass(frozen=True)
class Now:
    """The vertical marker of the household's own situation."""

    x: float
    label: str
    anchor: str  # text-anchor of its label: start, middle or end


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    left: float
    right: float
    top: float
    bottom: float
    x_title: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...]
    now: Now | None


@dataclass(frozen=True)
class Sample:
    """A line's look in the legend: a short stroke with one marker."""

    style: int
    dash: str
    marker: str


def nice_step(span: float, most: int) -> float:
    """The smallest of 1, 2, 2.5 or 5 times a power of ten that cuts `span` into at
    most `most` intervals."""
    if span <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(span / most))
    for scale in (1, 2, 2.5, 5, 10, 20):
        step = scale * power
        if span / step <= most + 1e-9:
            return step
    return 20 * power  # unreachable: span / (10 * power) <= most


def marker_path(shape: str, x: float, y: float, size: float = MARKER_SIZE) -> str:
    """An SVG path drawing `shape` centred on (x, y)."""
    s = size
    if shape == "circle":
        arc = f"a{s:g} {s:g} 0 1 0"
        return f"M{x - s:.1f} {y:.1f}{arc} {2 * s:g} 0{arc} {-2 * s:g} 0"
    if shape == "cross":
        return (
            f"M{x - s:.1f} {y - s:.1f}L{x + s:.1f} {y + s:.1f}"
            f"M{x + s:.1f} {y - s:.1f}L{x - s:.1f} {y + s:.1f}"
        )
    corners = {
        "square": ((-s, -s), (s, -s), (s, s), (-s, s)),
        "triangle": ((0, -s), (s, s), (-s, s)),
        "diamond": ((0, -s), (s, 0), (0, s), (-s, 0)),
        "bar": ((-s, -s / 2), (s, -s / 2), (s, s / 2), (-s, s / 2)),
    }[shape]
    return "M" + "L".join(f"{x + dx:.1f} {y + dy:.1f}" for dx, dy in corners) + "Z"


def sample(style: int) -> Sample:
    """The legend's sample of a style, in a 40 × 12 viewBox."""
    return Sample(style, DASHES[style], marker_path(SHAPES[style], 20, 6))


def line_chart(
    xs: Sequence[float],
    series: Sequence[Series],
    label_x: Callable[[float], str],
    label_y: Callable[[float], str],
    x_title: str,
    now: tuple[float, str] | None = None,
    width: float = 480.0,
    height: float = 260.0,
    first_style: int = 0,
) -> Chart:
    """Lines of `series` over `xs` (increasing), on axes from 0; `now` is the x and
    label of a vertical marker; tick labels are written by `label_x`, `label_y`."""
    left, right = LEFT, width - RIGHT
    top, bottom = TOP, height - BOTTOM
    x_min, x_max = xs[0], xs[-1]
    x_span = (x_max - x_min) or 1.0
    highest = max(
        (v for s in series for v in s.values if v is not None and math.isfinite(v)),
        default=0.0,
    )
    y_step = nice_step(highest, 5) if highest > 0 else 100.0
    y_max = max(y_step, math.ceil(highest / y_step - 1e-9) * y_step)

    def x_at(value: float) -> float:
        return round(left + (value - x_min) / x_span * (right - left), 1)

    def y_at(value: float) -> float:
        return round(bottom - max(value, 0.0) / y_max * (bottom - top), 1)

    x_step = nice_step(x_span, 6)
    first_tick = math.ceil(x_min / x_step - 1e-9) * x_step
    x_ticks = tuple(
        Tick(x_at(value), label_x(value)) for value in frange(first_tick, x_max, x_step)
    )
    y_ticks = tuple(
        Tick(y_at(value), label_y(value)) for value in frange(0.0, y_max, y_step)
    )
    every = max(1, round(len(xs) / 6))
    lines = []
    for rank, one in enumerate(series):
        style = (first_style + rank) % STYLES
        segments: list[list[str]] = [[]]
        markers = []
        for index, (x, value) in enumerate(zip(xs, one.values, strict=True)):
            if value is None or not math.isfinite(value):
                if segments[-1]:
                    segments.append([])
                continue
            point = (x_at(x), y_at(value))
            segments[-1].append(f"{point[0]:g},{point[1]:g}")
            # Markers where the line stands clear of the axis, spread along it.
            if value > 0 and (index + rank) % every == 0:
                markers.append(marker_path(SHAPES[style], *point))
        lines.append(
            Line(
                label=one.label,
                style=style,
                dash=DASHES[style],
                segments=tuple(" ".join(s) for s in segments if s),
                markers="".join(markers),
            )
        )
    marker = None
    if now is not None and x_min <= now[0] <= x_max:
        x = x_at(now[0])
        anchor = "start" if x < left + 40 else "end" if x > right - 40 else "middle"
        marker = Now(x, now[1], anchor)
    return Chart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        x_title=x_title,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        lines=tuple(lines),
        now=marker,
    )


def frange(start: float, stop: float, step: float) -> list[float]:
    """start, start + step, ... up to stop included (computed, not accumulated)."""
    count = math.floor((stop - start) / step + 1e-9)
    return [start + step * index for index in range(count + 1)]
