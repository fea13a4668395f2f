"""The what-if chart as a unit: the SVG geometry from hand-written values, the salary
axis chosen for a household, and the runs where a benefit is paid."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.household import parse_request
from webapp.results.chart import Series, line_chart, nice_step
from webapp.results.what_if import paid_ranges, salary_axis


def euros(value: float) -> str:
    return f"{value:.0f} €"


def points_of(segment: str) -> list[tuple[float, float]]:
    return [tuple(float(n) for n in pair.split(",")) for pair in segment.split()]


def test_a_higher_amount_is_drawn_higher_and_the_axes_start_at_zero():
    chart = line_chart(
        [0.0, 1000.0, 2000.0],
        [Series("A", [300.0, 100.0, 0.0])],
        euros,
        euros,
        "Salaire",
    )
    (line,) = chart.lines
    (segment,) = line.segments
    (x0, y300), (x1, y100), (x2, y0) = points_of(segment)

    assert y300 < y100 < y0 == chart.bottom
    assert y300 == chart.top  # 300 is the top of the axis: a tick falls on it
    assert (x0, x2) == (chart.left, chart.right)
    assert x1 == pytest.approx((chart.left + chart.right) / 2, abs=0.1)
    # Twice the money apart, twice as far apart.
    assert y100 - y300 == pytest.approx(2 * (y0 - y100), abs=0.2)
    assert [tick.label for tick in chart.y_ticks] == ["0 €", "100 €", "200 €", "300 €"]
    assert chart.x_ticks[0].label == "0 €" and chart.x_ticks[-1].label == "2000 €"


def test_each_line_has_its_own_dash_pattern_and_marker_shape():
    chart = line_chart(
        [0.0, 100.0, 200.0],
        [Series(name, [10.0, 20.0, 30.0]) for name in "ABCDEF"],
        euros,
        euros,
        "Salaire",
    )

    assert len({line.dash for line in chart.lines}) == 6
    # The same points, six marker shapes.
    assert len({line.markers for line in chart.lines}) == 6
    assert len({line.style for line in chart.lines}) == 6


def test_a_missing_value_breaks_the_line_and_the_marker_sits_on_the_salary():
    chart = line_chart(
        [0.0, 1000.0, 2000.0, 3000.0],
        [Series("B", [50.0, None, 200.0, 100.0])],
        euros,
        euros,
        "Salaire",
        now=(1500.0, "Aujourd'hui"),
    )
    (line,) = chart.lines

    assert len(line.segments) == 2
    assert len(points_of(line.segments[0])) == 1
    (x2, y200), (_x3, y100) = points_of(line.segments[1])
    assert y200 < y100
    assert chart.now is not None and chart.now.label == "Aujourd'hui"
    assert chart.now.x == pytest.approx((chart.left + chart.right) / 2, abs=0.1)
    assert chart.now.x < x2


@pytest.mark.parametrize(
    ("span", "most", "step"),
    [(3000, 6, 500), (4053, 5, 1000), (639, 5, 200), (300, 6, 50), (5000, 6, 1000)],
)
def test_ticks_fall_on_round_amounts(span, most, step):
    assert nice_step(span, most) == step


def household(activity: str, **incomes: float) -> Any:
    return parse_request(
        {
            "household": {
                "commune": "35238",
                "housing": {"tenure": "hosted_free"},
                "members": [
                    {
                        "id": "me",
                        "role": "applicant",
                        "birth_date": "1980-01-01",
                        "activity": activity,
                        "incomes": incomes,
                    }
                ],
            }
        }
    )


@pytest.mark.parametrize(
    ("activity", "incomes", "step", "stop", "steps"),
    [
        ("employed", {"salary": 1600.0}, 100.0, 3000.0, 31),
        ("employed", {"salary": 2800.0}, 100.0, 3500.0, 36),
        ("employed", {"salary": 4000.0}, 200.0, 5000.0, 26),
        ("unemployed", {}, 100.0, 3000.0, 31),
        ("student", {}, 100.0, 3000.0, 31),
        # A retiree who works still has a salary to vary.
        ("retired", {"salary": 500.0, "pension": 900.0}, 100.0, 3000.0, 31),
    ],
)
def test_the_salary_axis_covers_the_salary_in_at_most_41_points(
    activity, incomes, step, stop, steps
):
    axis = salary_axis(household(activity, **incomes))

    assert axis is not None
    assert (axis.member_id, axis.step, axis.stop, axis.steps) == (
        "me",
        step,
        stop,
        steps,
    )
    assert axis.steps <= 41
    assert axis.current <= axis.stop
    assert axis.current % axis.step == 0


@pytest.mark.parametrize(
    ("activity", "incomes"),
    [("retired", {"pension": 900.0}), ("self_employed", {})],
)
def test_no_salary_axis_for_a_retiree_or_a_self_employed_person_without_salary(
    activity, incomes
):
    assert salary_axis(household(activity, **incomes)) is None


def test_the_runs_where_a_benefit_is_paid():
    points = [0.0, 100.0, 200.0, 300.0, 400.0]

    assert paid_ranges(points, [5.0, 0.0, 3.0, 4.0, 0.0]) == [
        (0.0, 0.0),
        (200.0, 300.0),
    ]
    assert paid_ranges(points, [0.0, None, 1.0, 1.0, 1.0]) == [(200.0, 400.0)]
    assert paid_ranges(points, [0.0] * 5) == []
