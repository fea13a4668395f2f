"""Net → gross incomes with OpenFisca-France's own formulas.

People know their net salary, pension or unemployment benefit; OpenFisca-France takes
the gross amount as input and derives net, taxable and contribution amounts from it
(housing aid reads taxable salary, ASPA reads gross pension). No rate is typed here:
the gross amount is found by a fixed point on OpenFisca's own net formula, for every
member of every household at once (one vectorised simulation per step).

The steps of the fixed point are light simulations (nets only, the taxable income
only where a net reads it); the simulation results are read from comes after (`solve`).

Each step is a simulation, so where the fixed point starts decides much of a batch's
time. Taking each net as its gross (factor 1), every salary needed a second step to
read its ratio, and a salary above the social security ceiling, whose net is no longer
proportional to its gross, four or more. It now starts from OpenFisca's own nets of
reference amounts (`starting_factor`): a person alone with only that income, 400 gross
amounts from 1 € to 100,000 € about 3 % apart, for an employee's salary, an
apprentice's, a pension and an unemployment benefit, simulated once per simulated
month (`reference_curves`). A net is placed on a line fitted to the reference points
around it: the contributions are rounded, so a net moves around a straight line by a
cent or two. On 300 generated households, 71 % of salaries, 43 % of pensions (whose
CSG rate depends on the household's taxable income) and 86 % of unemployment benefits
were within half a cent from the start; the others take the ratio read there, as
before. Every factor is still checked in a simulation of its own household; the
curves depend on the simulated month alone, so a household's factors never depend on
the households beside it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rules.system import tax_benefit_system
from simulator.household import (
    MAX_MONTHLY_AMOUNT,
    Member,
    SimulationRequest,
    parse_request,
)
from simulator.inputs import BatchInputs
from simulator.simulation import (
    CacheState,
    cache_state,
    discard,
    restore_cache_state,
)
from simulator.situation import (
    GROSSED_UP_INCOMES,
    EntityIds,
    fiscal_years,
    months_read,
    net_amount,
)
from simulator.timing import FINAL, GROSS_UP, phase

TOLERANCE = 0.005  # euros: half a cent
MAX_STEPS = 6
# The nets of these incomes bear a CSG rate read from the taxable income of N-2, so
# the first estimate needs it computed first (see simulator.simulation).
READ_TAXABLE_INCOME = ("pension", "unemployment")
# The other nets do not read that income: computed first or not, they are the same
# (tested). A step's households without such an income are checked in a light
# simulation of their own, which spares them that computation (about 0.25 ms a
# household); when they are this many or fewer, they join the simulation of the
# others instead, which spares a simulation (10 to 20 ms, most of a small batch's step).
JOIN_AT_MOST = 32

FactorKey = tuple[int, str, str]  # (household index, member id, income kind)

# The reference amounts the fixed point starts from: gross, monthly, about 3 % apart.
CURVE_AMOUNTS = tuple(
    round(float(amount), 2) for amount in np.geomspace(1.0, MAX_MONTHLY_AMOUNT, 400)
)
# The reference person of each curve: alone, in free housing in Paris, with only one
# income; curve → (income, birth date, activity). An apprentice's salary bears almost
# no contribution: a curve of its own.
REFERENCE_COMMUNE = "75056"
REFERENCE = {
    "salary": ("salary", "1985-01-01", "employed"),
    "salary_apprentice": ("salary", "2005-01-01", "apprentice"),
    "pension": ("pension", "1950-01-01", "retired"),
    "unemployment": ("unemployment", "1985-01-01", "unemployed"),
}


def curve_of(member: Member, income: str) -> str:
    """The reference curve a member's income starts from (`REFERENCE`)."""
    if income == "salary" and member.activity == "apprentice":
        return "salary_apprentice"
    return income


@dataclass(frozen=True)
class Target:
    """A net amount a member's gross income must give, read at `month`; `curve`:
    the reference curve its fixed point starts from (`curve_of`)."""

    key: FactorKey
    month: str
    net: float
    curve: str

    @property
    def household(self) -> int:
        return self.key[0]


@dataclass(frozen=True)
class Solved:
    """A simulation and the households whose results it holds.

    `households` maps a household's index in the requests to its index in the
    simulation (the `h{index}_` prefix of its entity ids).
    """

    simulation: Simulation
    households: dict[int, int]
    prepared: Any = None  # what `prepare` made of the simulation (see `solve`)


def probe_month(request: SimulationRequest, member_index: int, income: str) -> str:
    """The latest month with a positive amount, where the net/gross ratio is read."""
    member = request.household.members[member_index]
    history = getattr(member.history, income)
    if not history:
        return request.month  # stable: the simulated month itself
    for month in reversed(months_read(request.month)):
        if net_amount(member, income, month) > 0:
            return month
    return request.month


def targets_of(requests: Sequence[SimulationRequest]) -> list[Target]:
    """Every (household, member, income) with a net amount to reach, in order."""
    targets = []
    for index, request in enumerate(requests):
        for member_index, member in enumerate(request.household.members):
            for income in GROSSED_UP_INCOMES:
                month = probe_month(request, member_index, income)
                net = net_amount(member, income, month)
                if net > 0:
                    key = (index, member.id, income)
                    targets.append(Target(key, month, net, curve_of(member, income)))
    return targets


def gross_factors(
    requests: Sequence[SimulationRequest],
) -> dict[FactorKey, float]:
    """For each (household, member, income) with a net amount: gross / net."""
    return solve(requests)[0]


def solve(
    requests: Sequence[SimulationRequest],
    system: TaxBenefitSystem | None = None,
    prepare: Callable[[Simulation, list[int]], Any] | None = None,
) -> tuple[dict[FactorKey, float], Solved]:
    """The gross factors, and a simulation of every household with them.

    Step 0 starts from the reference curves (`starting_factor`); each later step
    simulates the households whose nets are not yet within half a cent with the
    ratios the last step read, up to MAX_STEPS checks. Those are light simulations
    (nets only); the taxable income of N-2 (what the CSG rate of year N reads) is
    computed first only for households with a pension or an unemployment benefit
    still to reach (a household's own trait, so that its factors never depend on the
    households beside it). Then one complete simulation holds every household, and
    `prepare(simulation, households)` computes what the results read.
    """
    system = system or tax_benefit_system()
    targets = targets_of(requests)
    # Started from the curve of the simulated month, even for a net read at an
    # earlier month (a history's last amount): one curve per month simulated.
    factors = {
        target.key: starting_factor(
            target.curve, requests[target.household].month, target.net, system
        )
        for target in targets
    }
    remaining: dict[int, list[Target]] = {}
    for target in targets:
        remaining.setdefault(target.household, []).append(target)
    years = fiscal_years(requests)
    inputs = BatchInputs(requests, system)  # mapped once for the simulations below
    with phase(GROSS_UP):
        for _step in range(MAX_STEPS):
            if not remaining:
                break
            pending = sorted(remaining)
            # Only the nets still off need the taxable income first: a household
            # whose pension is right and salary not (the salary's own steps are the
            # longest) goes on in the light simulations without it.
            reads_tax = {
                household
                for household, left in remaining.items()
                if any(target.key[2] in READ_TAXABLE_INCOME for target in left)
            }
            for households, warm_up in light_steps(pending, reads_tax, years[:1]):
                light(inputs, households, factors, warm_up, system, remaining)
    households = list(range(len(requests)))
    with phase(FINAL):
        simulation = simulate(inputs, households, factors, years, system)
        prepared = prepare(simulation, households) if prepare else None
    return factors, Solved(simulation, {h: h for h in households}, prepared)


def light_steps(
    pending: list[int], reads_tax: set[int], warm_up: Sequence[str]
) -> list[tuple[list[int], Sequence[str]]]:
    """The light simulations of a step: (households, years computed first).

    Those that read the taxable income of N-2 (`reads_tax`) have it computed first; the
    others too when they are few (`JOIN_AT_MOST`): one simulation instead of two."""
    without = [h for h in pending if h not in reads_tax]
    with_tax = [h for h in pending if h in reads_tax]
    if with_tax and len(without) <= JOIN_AT_MOST:
        return [(pending, warm_up)]
    steps: list[tuple[list[int], Sequence[str]]] = [(without, ()), (with_tax, warm_up)]
    return [(households, years) for households, years in steps if households]


def light(
    inputs: BatchInputs,
    households: list[int],
    factors: dict[FactorKey, float],
    years: Sequence[str],
    system: TaxBenefitSystem | None,
    remaining: dict[int, list[Target]],
) -> None:
    """A simulation that only checks the nets of `households` and updates factors."""
    simulation = simulate(inputs, households, factors, years, system)
    local = {household: index for index, household in enumerate(households)}
    check(simulation, cache_state(simulation), local, households, remaining, factors)
    discard(simulation)


def simulate(
    inputs: BatchInputs,
    households: list[int],
    factors: dict[FactorKey, float],
    years: Sequence[str],
    system: TaxBenefitSystem | None,
) -> Simulation:
    """One simulation of the chosen households, numbered in the order given."""
    return inputs.simulation(households, factors, years, system)


def check(
    simulation: Simulation,
    start: CacheState,
    local: dict[int, int],
    households: list[int],
    remaining: dict[int, list[Target]],
    factors: dict[FactorKey, float],
) -> set[int]:
    """Update the factors of the targets still off; the households now all right.

    A target within half a cent (or whose net is not positive) is done: its factor
    stays as it is from then on. Each net is computed from `start` (the state after
    the taxable income), whatever else the simulation computed and whichever nets the
    households beside need.
    """
    position = {person: index for index, person in enumerate(simulation.persons.ids)}
    wanted = {
        (GROSSED_UP_INCOMES[target.key[2]][1], target.month)
        for household in households
        for target in remaining.get(household, [])
    }
    computed = {}
    for key in sorted(wanted):
        restore_cache_state(simulation, start)
        computed[key] = simulation.calculate(*key)
    converged = set()
    for household in households:
        ids = EntityIds.of_household(local[household])
        still = []
        for target in remaining.get(household, []):
            net_variable = GROSSED_UP_INCOMES[target.key[2]][1]
            person = position[ids.person(target.key[1])]
            net = float(computed[(net_variable, target.month)][person])
            gross = target.net * factors[target.key]
            if abs(net - target.net) <= TOLERANCE or net <= 0:
                continue
            # Net is piecewise proportional to gross: take the ratio found there.
            factors[target.key] = gross / net
            still.append(target)
        if still:
            remaining[household] = still
        else:
            remaining.pop(household, None)
            converged.add(household)
    return converged


# Reference points on each side of a segment its line is fitted to, and the largest
# distance of a point from that line (euros) for the points to count as on one piece.
WINDOW = 4
ON_A_LINE = 0.03
MONTHS_KEPT = 64


@dataclass(frozen=True)
class Curve:
    """Reference nets of increasing gross amounts, with a line for each segment
    between two neighbours: gross = slope × net + intercept."""

    grosses: np.ndarray
    nets: np.ndarray
    slopes: np.ndarray
    intercepts: np.ndarray

    @classmethod
    def of(cls, grosses: np.ndarray, nets: np.ndarray) -> Curve:
        """Each segment's line is fitted by least squares to the reference points
        around it when they lie on one piece of the contributions: each net is
        rounded by a cent or two, which the line through two neighbours alone would
        carry to every net between them. Elsewhere, that line."""
        slopes = np.zeros(len(nets) - 1)
        intercepts = np.zeros(len(nets) - 1)
        for low in range(len(nets) - 1):
            if nets[low + 1] <= nets[low]:
                continue  # not a segment any net is placed on (see `factor`)
            around = slice(max(0, low - WINDOW), low + 2 + WINDOW)
            slope, intercept = np.polyfit(grosses[around], nets[around], 1)
            residuals = nets[around] - (slope * grosses[around] + intercept)
            if slope <= 0 or np.abs(residuals).max() > ON_A_LINE:
                ends = slice(low, low + 2)
                slope, intercept = np.polyfit(grosses[ends], nets[ends], 1)
            slopes[low] = 1 / slope
            intercepts[low] = -intercept / slope
        return cls(grosses, nets, slopes, intercepts)

    def factor(self, net: float) -> float:
        """Gross / net to start from: on the first rising segment whose ends' nets
        hold `net`; beyond the curve, the ratio of its nearest end; 1 where that end
        has no positive net. Never below 1: contributions only take away (an
        unemployment benefit exempt from them has its net as gross, and a line
        fitted there must not give a gross a millionth below)."""
        nets = self.nets
        rising = np.flatnonzero(
            (nets[:-1] <= net) & (net <= nets[1:]) & (nets[:-1] < nets[1:])
        )
        if rising.size:
            low = int(rising[0])
            gross = self.slopes[low] * net + self.intercepts[low]
        else:
            end = 0 if net < nets[0] else -1
            gross = self.grosses[end] / nets[end] * net if nets[end] > 0 else net
        return max(1.0, float(gross / net))


def starting_factor(
    curve: str, month: str, net: float, system: TaxBenefitSystem
) -> float:
    """Gross / net to start the fixed point from, on a reference curve of the
    month (`reference_curves`)."""
    return reference_curves(system, month)[curve].factor(net)


@functools.lru_cache(maxsize=MONTHS_KEPT)
def reference_curves(system: TaxBenefitSystem, month: str) -> dict[str, Curve]:
    """OpenFisca's nets at `month` of each reference person (`REFERENCE`) earning
    each of `CURVE_AMOUNTS` gross every month read: one light simulation, made once
    per process for the last MONTHS_KEPT months asked (about 50 kB and 0.2 s a month);
    the same whenever and wherever it is made."""
    requests = [
        parse_request(
            {
                "month": month,
                "household": {
                    "commune": REFERENCE_COMMUNE,
                    "housing": {"tenure": "hosted_free"},
                    "members": [
                        {
                            "id": "reference",
                            "role": "applicant",
                            "birth_date": birth_date,
                            "activity": activity,
                            "incomes": {income: amount},
                        }
                    ],
                },
            }
        )
        for income, birth_date, activity in REFERENCE.values()
        for amount in CURVE_AMOUNTS
    ]
    inputs = BatchInputs(requests, system)
    households = list(range(len(requests)))
    simulation = inputs.simulation(households, {}, fiscal_years(requests)[:1], system)
    grosses = np.array(CURVE_AMOUNTS)
    curves = {}
    for rank, (curve, (income, _birth, _activity)) in enumerate(REFERENCE.items()):
        nets = simulation.calculate(GROSSED_UP_INCOMES[income][1], month)
        first = rank * len(CURVE_AMOUNTS)
        curves[curve] = Curve.of(
            grosses, np.array(nets[first : first + len(CURVE_AMOUNTS)], dtype=float)
        )
    discard(simulation)
    return curves
