"""A batch mapped once (`BatchInputs`) makes the simulations the mapping makes.

Each simulation taken from the batch's arrays is compared with
`new_simulation(compact_situation(...))` of the same households and factors: the
entities' ids and roles, and every input OpenFisca holds (variable, period, dtype and
values) must be the same.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from benchmarks.corpus import corpus
from simulator.gross import gross_factors
from simulator.household import parse_request
from simulator.inputs import BatchInputs
from simulator.simulation import new_simulation
from simulator.situation import GROSSED_UP_INCOMES, compact_situation


def held(simulation):
    """What a simulation holds: its entities, roles and every stored value."""
    found = {}
    for key, population in simulation.populations.items():
        found[(key, "ids")] = list(population.ids)
        if key != "individu":
            found[(key, "members")] = population.members_entity_id.tolist()
            found[(key, "roles")] = [role.key for role in population.members_role]
        for name, holder in population._holders.items():
            for period, array in holder._memory_storage._arrays.items():
                found[(key, name, str(period))] = (
                    type(array).__name__,
                    array.dtype.str,
                    np.asarray(array).tolist(),
                )
    return found


def mapped(requests, households, factors, years=()):
    """The simulation the mapping makes of `households` (numbered in that order)."""
    local = {household: position for position, household in enumerate(households)}
    local_factors = {
        (local[index], member, income): factor
        for (index, member, income), factor in factors.items()
        if index in local
    }
    situation = compact_situation([requests[h] for h in households], local_factors)
    return new_simulation(situation, years)


def differences(a, b):
    return sorted(
        str(key) for key in a.keys() | b.keys() if a.get(key, "missing") != b.get(key)
    )


@pytest.fixture(scope="module")
def batches():
    found = []
    for month, seed in (("2026-11", 31), ("2024-06", 32)):
        requests = [parse_request(data) for data in corpus(40, seed=seed, month=month)]
        found.append((requests, gross_factors(requests)))
    return found


def test_every_household_with_its_gross_factors(batches):
    for requests, factors in batches:
        households = list(range(len(requests)))
        inputs = BatchInputs(requests)
        made = held(inputs.simulation(households, factors, ()))
        expected = held(mapped(requests, households, factors))
        assert len(expected) > 500
        assert differences(made, expected) == []


def test_some_households_in_any_order_with_any_factors(batches):
    rng = random.Random(5)
    for requests, factors in batches:
        inputs = BatchInputs(requests)
        targets = list(factors)
        for _trial in range(6):
            households = rng.sample(range(len(requests)), rng.randint(1, 12))
            if rng.random() < 0.5:
                households.sort()
            # Factors at 1, as found, or others: a step's factors of the gross-up.
            chosen = {
                key: rng.choice([1.0, factors[key], rng.uniform(1.0, 1.4)])
                for key in rng.sample(targets, len(targets) // 2)
            }
            made = held(inputs.simulation(households, chosen, ()))
            expected = held(mapped(requests, households, chosen))
            assert differences(made, expected) == [], households


def test_a_factor_on_an_income_nobody_in_the_batch_has_is_mapped_too():
    # Not a case the gross-up makes (a target has a positive net), but the arrays
    # must not depend on it: a column the batch had no value for is made then.
    requests = [parse_request(data) for data in corpus(6, seed=8, month="2026-11")]
    member = requests[2].household.members[0]
    absent = [
        income for income in GROSSED_UP_INCOMES if not getattr(member.incomes, income)
    ]
    assert absent
    factors = {(2, member.id, absent[0]): 1.3}
    inputs = BatchInputs(requests)
    made = held(inputs.simulation([2, 4], factors, ()))
    assert differences(made, held(mapped(requests, [2, 4], factors))) == []


def test_the_taxable_income_is_computed_first_as_the_mapping_does(batches):
    requests, factors = batches[0]
    households = [3, 7, 11]
    years = ("2024", "2025")
    made = BatchInputs(requests).simulation(households, factors, years)
    expected = mapped(requests, households, factors, years)
    assert differences(held(made), held(expected)) == []
    assert "rfr" in {key[1] for key in held(made) if len(key) == 3}
