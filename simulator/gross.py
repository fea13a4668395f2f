"""Net → gross incomes with OpenFisca-France's own formulas.

People know their net salary, pension or unemployment benefit; OpenFisca-France takes
the gross amount as input and derives net, taxable and contribution amounts from it
(housing aid reads taxable salary, ASPA reads gross pension). No rate is typed here:
the gross amount is found by a fixed point on OpenFisca's own net formula, for every
member of every household at once (one vectorised simulation per step).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simulator.household import SimulationRequest
from simulator.simulation import new_simulation
from simulator.situation import (
    GROSSED_UP_INCOMES,
    EntityIds,
    build_situation,
    fiscal_years,
    months_read,
    net_amount,
)

TOLERANCE = 0.005  # euros: half a cent
MAX_STEPS = 6


def probe_month(request: SimulationRequest, member_index: int, income: str) -> str:
    """The latest month with a positive amount, where the net/gross ratio is read."""
    member = request.household.members[member_index]
    for month in reversed(months_read(request.month)):
        if net_amount(member, income, month) > 0:
            return month
    return request.month


def gross_factors(
    requests: Sequence[SimulationRequest],
) -> dict[tuple[int, str, str], float]:
    """For each (household, member, income) with a net amount: gross / net."""
    targets: list[tuple[tuple[int, str, str], str, str, float]] = []
    for index, request in enumerate(requests):
        ids = EntityIds(f"h{index}_")
        for member_index, member in enumerate(request.household.members):
            for income in GROSSED_UP_INCOMES:
                month = probe_month(request, member_index, income)
                target = net_amount(member, income, month)
                if target > 0:
                    key = (index, member.id, income)
                    targets.append((key, ids.person(member.id), month, target))
    factors = {key: 1.0 for key, *_ in targets}
    for _step in range(MAX_STEPS):
        if not targets:
            break
        simulation = new_simulation(
            build_situation(requests, factors), fiscal_years(requests)
        )
        person_index = {
            person_id: position
            for position, person_id in enumerate(simulation.persons.ids)
        }
        computed: dict[tuple[str, str], np.ndarray] = {}
        remaining = []
        for key, person_id, month, target in targets:
            net_variable = GROSSED_UP_INCOMES[key[2]][1]
            if (net_variable, month) not in computed:
                computed[(net_variable, month)] = simulation.calculate(
                    net_variable, month
                )
            net = float(computed[(net_variable, month)][person_index[person_id]])
            gross = target * factors[key]
            if abs(net - target) <= TOLERANCE or net <= 0:
                continue
            # Net is piecewise proportional to gross: take the ratio found there.
            factors[key] = gross / net
            remaining.append((key, person_id, month, target))
        targets = remaining
    return factors
