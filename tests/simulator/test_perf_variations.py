"""The what-if axis: one simulation of copies of the household, each point the same as
the household simulated on its own with that income."""

import pytest

from simulator import service
from simulator.cache import MemoryStore, ResultsCache
from simulator.coalescer import Coalescer
from simulator.household import HouseholdError, parse_request
from simulator.results import simulate
from simulator.variations import (
    disposable_income,
    variations,
    with_income,
)

REQUEST = parse_request(
    {
        "month": "2026-11",
        "household": {
            "commune": "35238",
            "housing": {"tenure": "tenant", "rent": 550.0},
            "members": [
                {
                    "id": "me",
                    "role": "applicant",
                    "birth_date": "1987-02-02",
                    "activity": "employed",
                    "incomes": {"salary": 900.0, "alimony_received": 150.0},
                    "history": {"salary": {"2026-09": 0.0}},
                },
                {"id": "kid", "role": "child", "birth_date": "2016-03-03"},
            ],
        },
    }
)


@pytest.fixture(scope="module")
def axis():
    return variations(REQUEST, "me", "salary", 0, 3000, 7)


def test_the_points_are_evenly_spaced_from_start_to_stop(axis):
    assert axis["points"] == [0.0, 500.0, 1000.0, 1500.0, 2000.0, 2500.0, 3000.0]
    assert all(len(amounts) == 7 for amounts in axis["benefits"].values())
    assert len(axis["disposable_income"]) == 7


def test_each_point_is_the_household_simulated_alone_with_that_income(axis):
    point = with_income(REQUEST, "me", "salary", 1500.0)
    assert point.household.members[0].history.salary == {}
    (alone,) = simulate([point])
    for benefit in alone.benefits:
        assert axis["benefits"][benefit.benefit.id][3] == benefit.amount
    assert axis["disposable_income"][3] == disposable_income(alone)


def test_benefits_fall_as_the_salary_rises(axis):
    rsa = axis["benefits"]["rsa"]
    assert rsa[0] > 0
    assert rsa[-1] == 0
    assert axis["disposable_income"][-1] > axis["disposable_income"][0]


def test_disposable_income_is_net_incomes_plus_the_monthly_benefits_received(axis):
    (results,) = simulate([with_income(REQUEST, "me", "salary", 1000.0)])
    monthly = sum(
        b.amount
        for b in results.benefits
        if b.status == "eligible"
        and b.benefit.unit == "EUR"
        and b.benefit.direction == "received"
        and b.benefit.paid_per == "month"
    )
    assert disposable_income(results) == pytest.approx(1000.0 + 150.0 + monthly)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        (("nobody", "salary", 0, 100, 5), "member_id"),
        (("me", "lottery", 0, 100, 5), "income"),
        (("me", "salary", -1, 100, 5), "start"),
        (("me", "salary", 0, 1e9, 5), "stop"),
        (("me", "salary", 0, 100, 1), "steps"),
    ],
)
def test_a_wrong_axis_is_rejected_naming_the_field(arguments, field):
    with pytest.raises(HouseholdError) as rejected:
        variations(REQUEST, *arguments)
    assert [error.field for error in rejected.value.errors] == [field]


def test_the_household_and_its_axis_simulated_together_are_as_apart(axis, monkeypatch):
    # A fresh cache and coalescer: the household is simulated with the axis' points.
    cache = ResultsCache(MemoryStore())
    monkeypatch.setattr(service, "results_cache", lambda: cache)
    coalescer = Coalescer(max_wait=0.05)
    monkeypatch.setattr(service, "coalescer", lambda: coalescer)

    results, together = service.simulate_with_variations(
        REQUEST, "me", "salary", 0, 3000, 7
    )

    (alone,) = simulate([REQUEST])
    assert results.to_json() == alone.to_json()
    assert together == axis
    # Household and points in one simulation, and the household's results cached.
    assert (coalescer.batches, coalescer.simulated) == (1, 8)
    assert cache.get(REQUEST).to_json() == alone.to_json()
