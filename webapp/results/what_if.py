"""The "what if my income changed?" section: the salary axis, simulated and shown."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _

from simulator.cache import MemoryStore, cache_key
from simulator.household import MAX_MONTHLY_AMOUNT, SimulationRequest
from simulator.results import Results
from simulator.service import Overloaded, simulate_one, simulate_with_variations
from simulator.variations import disposable_income, received_monthly
from webapp.i18n import format_euros
from webapp.results.chart import Chart, Sample, Series, line_chart, sample
from webapp.results.presenter import whole_euros

# Display choices, not legal figures: the axis runs from 0 to 3,000 € a month, further
# when the salary is higher, in steps of 100 € (more when the axis is longer) so
# that the points stay at most 41: one simulation of 41 households costs little more
# than of one.
BASE_TOP = 3000.0
HEADROOM = 1.25  # the axis goes a quarter past a salary near or above BASE_TOP
STEPS = (100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0, 2500.0, 5000.0)
MAX_INTERVALS = 40
# Benefit lines on the chart: with the disposable income, the six line styles.
MAX_LINES = 5
# A retiree or a self-employed person without a salary is not asked "what if your
# salary changed": their income is of another kind.
WITHOUT_SALARY_AXIS = ("retired", "self_employed")
# Axes of recently shown households (a reload, the language switch): in process.
AXES = MemoryStore(entries=256)

Euros = Callable[[float], str]


@dataclass(frozen=True)
class Axis:
    member_id: str
    current: float
    step: float
    stop: float

    @property
    def steps(self) -> int:
        return round(self.stop / self.step) + 1


@dataclass(frozen=True)
class LegendItem:
    label: str
    sample: Sample


@dataclass(frozen=True)
class Row:
    salary: str
    current: bool
    cells: tuple[str, ...]


@dataclass(frozen=True)
class WhatIfView:
    top: str
    step: str
    current: str
    summary: str
    income_chart: Chart
    benefits_chart: Chart | None
    legend: tuple[LegendItem, ...]
    benefit_labels: str  # those drawn, for the chart's description
    sentences: tuple[str, ...]  # one per benefit of the table
    columns: tuple[str, ...]  # after the salary's
    rows: tuple[Row, ...]


def salary_axis(request: SimulationRequest) -> Axis | None:
    """The applicant's monthly net salary from 0 to a top that includes theirs, or
    None when a salary axis makes no sense for them."""
    applicant = request.household.applicant
    current = float(applicant.incomes.salary or 0)
    if not current and applicant.activity in WITHOUT_SALARY_AXIS:
        return None
    wanted = max(BASE_TOP, current * HEADROOM)
    step = next(s for s in STEPS if math.ceil(wanted / s) <= MAX_INTERVALS)
    stop = min(math.ceil(wanted / step), math.floor(MAX_MONTHLY_AMOUNT / step)) * step
    return Axis(applicant.id, current, step, stop)


def axis_key(request: SimulationRequest, axis: Axis) -> str:
    return f"{cache_key(request)}:{axis.member_id}:{axis.stop}:{axis.steps}"


def simulate_with_axis(
    request: SimulationRequest,
) -> tuple[Results, Axis | None, dict[str, Any] | None]:
    """The household's results, its salary axis and the axis' values.

    A first view simulates the household and the axis' points together (one
    coalesced simulation: the cost of one instead of two); the axes of recently
    shown households are kept in process (a reload, the language switch). The
    values are None when there is no axis for this household or it failed: the
    results never fail because of it. May raise Overloaded, like `simulate_one`.
    """
    axis = salary_axis(request)
    if axis is None:
        return simulate_one(request), None, None
    key = axis_key(request, axis)
    found = AXES.get(key)
    if found is not None:
        return simulate_one(request), axis, json.loads(found)
    try:
        results, values = simulate_with_variations(
            request, axis.member_id, "salary", 0.0, axis.stop, axis.steps
        )
    except Overloaded:
        raise
    except Exception:
        current_app.logger.exception("The what-if axis failed; the section is left out")
        return simulate_one(request), axis, None
    AXES.set(key, json.dumps(values).encode())
    return results, axis, values


def what_if_view(
    axis: Axis | None,
    values: dict[str, Any] | None,
    results: Results,
    language: str,
) -> WhatIfView | None:
    """The section for this household, or None (no axis, or it failed)."""
    if axis is None or values is None:
        return None
    try:
        return build_view(values, axis, results, language)
    except Exception:
        current_app.logger.exception("The what-if view failed; the section is left out")
        return None


def build_view(
    values: dict[str, Any], axis: Axis, results: Results, language: str
) -> WhatIfView:
    """The section from the axis' values and the household's own results."""

    def euros(amount: float) -> str:
        return format_euros(whole_euros(amount), language)

    points = [float(point) for point in values["points"]]
    income = [float(amount) for amount in values["disposable_income"]]
    shown = [
        (result.benefit.label.get(language), values["benefits"][result.benefit.id])
        for result in results.benefits
        if received_monthly(result.benefit)
        and any(amount for amount in values["benefits"].get(result.benefit.id, []))
    ]
    shown.sort(key=lambda item: -max(amount or 0 for amount in item[1]))
    drawn = shown[:MAX_LINES]
    now = (axis.current, _("Aujourd'hui"))
    x_title = _("Votre salaire net par mois")
    income_chart = line_chart(
        points, [Series(_("Revenu disponible"), income)], euros, euros, x_title, now
    )
    benefits_chart = (
        line_chart(
            points,
            [Series(label, amounts) for label, amounts in drawn],
            euros,
            euros,
            x_title,
            now,
            first_style=1,
        )
        if drawn
        else None
    )
    legend = (
        tuple(
            LegendItem(line.label, sample(line.style)) for line in benefits_chart.lines
        )
        if benefits_chart
        else ()
    )
    rows = tuple(
        Row(
            salary=euros(point),
            current=math.isclose(point, axis.current, abs_tol=0.005),
            cells=(
                euros(income[index]),
                *(cell(amounts[index], language) for _label, amounts in shown),
            ),
        )
        for index, point in enumerate(points)
    )
    return WhatIfView(
        top=euros(axis.stop),
        step=euros(axis.step),
        current=euros(axis.current),
        summary=summary(points, income, axis, disposable_income(results), euros),
        income_chart=income_chart,
        benefits_chart=benefits_chart,
        legend=legend,
        benefit_labels=", ".join(label for label, _amounts in drawn),
        sentences=tuple(
            benefit_sentence(label, points, amounts, euros) for label, amounts in shown
        ),
        columns=(_("Revenu disponible"), *(label for label, _amounts in shown)),
        rows=rows,
    )


def cell(amount: float | None, language: str) -> str:
    if amount is None:
        return _("non calculable")
    return format_euros(whole_euros(amount), language)


def summary(
    points: list[float],
    income: list[float],
    axis: Axis,
    now_income: float,
    euros: Euros,
) -> str:
    """The chart of the disposable income in a sentence."""
    if not axis.current:
        return _(
            "Aujourd'hui, sans salaire, votre revenu disponible est de %(now)s par "
            "mois. Avec un salaire de %(top)s, il serait de %(high)s.",
            now=euros(now_income),
            top=euros(points[-1]),
            high=euros(income[-1]),
        )
    return _(
        "Avec votre salaire actuel de %(current)s, votre revenu disponible est de "
        "%(now)s par mois. Sans salaire, il serait de %(low)s ; avec %(top)s, de "
        "%(high)s.",
        current=euros(axis.current),
        now=euros(now_income),
        low=euros(income[0]),
        top=euros(points[-1]),
        high=euros(income[-1]),
    )


def paid_ranges(
    points: list[float], amounts: list[float | None]
) -> list[tuple[float, float]]:
    """The runs of consecutive points where an amount is paid: (first, last)."""
    ranges: list[tuple[float, float]] = []
    start = None
    for index, amount in enumerate(amounts):
        if amount and start is None:
            start = index
        if start is not None and (not amount or index == len(amounts) - 1):
            last = index if amount else index - 1
            ranges.append((points[start], points[last]))
            start = None
    return ranges


def benefit_sentence(
    label: str, points: list[float], amounts: list[float | None], euros: Euros
) -> str:
    """Where along the axis a benefit is paid, and its largest amount."""
    spans = [
        _("de %(amount)s", amount=euros(low))
        if low == high
        else _("de %(low)s à %(high)s", low=euros(low), high=euros(high))
        for low, high in paid_ranges(points, amounts)
    ]
    return _(
        "%(benefit)s : versée pour un salaire %(ranges)s, jusqu'à %(most)s par mois.",
        benefit=label,
        ranges=_(" et ").join(spans),
        most=euros(max(amount or 0 for amount in amounts)),
    )
