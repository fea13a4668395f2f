"""Running OpenFisca: a simulation from a situation, on the shared tax-benefit system.

The situation is the usual OpenFisca JSON form (see `simulator.situation`), whose
values over periods may also be `Series` (one value and its exceptions). OpenFisca's
own builder parses a period for every value of every person, which costs more than the
simulation itself for a batch; here each (variable, period) becomes one array, so a
batch of households costs little more than one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rules.system import tax_benefit_system
from simulator import speedups
from simulator.situation import Series

speedups.install()

# OpenFisca-France reads the taxable income (rfr) of year N-2 through formulas that
# read the rfr of N-4 (the CSG rate on a pension depends on the taxable income of two
# years before): a "spiral", which OpenFisca cuts at its first loop. Asked first, the
# rfr of each fiscal year comes out right and stays cached; asked in the middle of
# another calculation (a pension's net amount), the cut falls on it and it comes out as
# zero: a pension's net amount then equalled its gross one. Allowing two loops also
# fixes it, at 2.5 times the cost of every simulation.
WARM_UP_VARIABLE = "rfr"

# The simulations made while `tracing()` is on, with OpenFisca's full tracer.
_traced: ContextVar[list[Simulation] | None] = ContextVar("traced", default=None)

GROUP_PLURALS = {
    "famille": "familles",
    "foyer_fiscal": "foyers_fiscaux",
    "menage": "menages",
}


def role_keys(entity: Any) -> dict[str, list[str]]:
    """How the situation names each role → the role keys OpenFisca stores, in order.

    A role with sub-roles (a family's parents: demandeur then conjoint) gives its
    members the sub-roles in the order they are listed, as OpenFisca's own builder does.
    """
    keys = {}
    for role in entity.roles:
        name = role.plural or role.key
        keys[name] = [sub.key for sub in role.subroles or ()] or [role.key]
    return keys


def new_simulation(
    situation: dict[str, Any],
    fiscal_years: Iterable[str] = (),
    system: TaxBenefitSystem | None = None,
) -> Simulation:
    """A fresh simulation of `situation` on the process-wide tax-benefit system.

    `fiscal_years`: the years whose taxable income the simulation reads, oldest
    first; they are computed before anything else (see WARM_UP_VARIABLE).
    `system`: another tax-benefit system to run on (the folded one, see
    `rules.folding`).
    """
    system = system or tax_benefit_system()
    builder = SimulationBuilder()
    builder.create_entities(system)
    person_ids = list(situation["individus"])
    builder.declare_person_entity("individu", person_ids)
    inputs: dict[str, dict[str, Any]] = {"individu": situation["individus"]}
    for key, plural in GROUP_PLURALS.items():
        groups = situation.get(plural, {})
        roles = role_keys(builder.populations[key].entity)
        group_of_person: dict[str, tuple[str, str]] = {}
        for group_id, group in groups.items():
            for role, keys in roles.items():
                for rank, person_id in enumerate(group.get(role, ())):
                    group_of_person[person_id] = (
                        group_id,
                        keys[min(rank, len(keys) - 1)],
                    )
        entity = builder.declare_entity(key, list(groups))
        builder.join_with_persons(
            entity,
            [group_of_person[person_id][0] for person_id in person_ids],
            [group_of_person[person_id][1] for person_id in person_ids],
        )
        inputs[key] = {
            group_id: {k: v for k, v in group.items() if k not in roles}
            for group_id, group in groups.items()
        }
    simulation = builder.build(system)
    traced = _traced.get()
    if traced is not None:
        simulation.trace = True
        traced.append(simulation)
    for entity, members in inputs.items():
        set_inputs(simulation, entity, members)
    for year in sorted(set(fiscal_years)):
        simulation.calculate(WARM_UP_VARIABLE, year)
    return simulation


@contextmanager
def tracing() -> Iterator[list[Simulation]]:
    """Record every calculation of the simulations made inside (OpenFisca's full
    tracer: each variable, period and value); yield the list of those simulations.

    Slow and memory-hungry: for tools (`benchmarks/derive_folding.py`), not requests.
    """
    simulations: list[Simulation] = []
    token = _traced.set(simulations)
    try:
        yield simulations
    finally:
        _traced.reset(token)


def set_inputs(
    simulation: Simulation, entity: str, members: dict[str, dict[str, Any]]
) -> None:
    """Every (variable, period) of an entity's inputs, set as one array."""
    population = simulation.populations[entity]
    position = {entity_id: index for index, entity_id in enumerate(population.ids)}
    by_variable: dict[str, dict[str, dict[int, Any]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    series: dict[str, dict[tuple[str, ...], list[tuple[int, Series]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for entity_id, variables in members.items():
        index = position[entity_id]
        for name, periods in variables.items():
            if isinstance(periods, Series):
                series[name][periods.periods].append((index, periods))
                continue
            for period, value in periods.items():
                by_variable[name][period][index] = value
    variables = simulation.tax_benefit_system.variables
    for name in {**by_variable, **series}:
        variable = variables[name]
        arrays: dict[str, np.ndarray] = {}
        blank = np.full(population.count, variable.default_value, dtype=object)
        for period, values in by_variable.get(name, {}).items():
            array = arrays.setdefault(period, blank.copy())
            array[list(values)] = list(values.values())
        for periods, entries in series.get(name, {}).items():
            indices = [index for index, _ in entries]
            values = [entry.value for _, entry in entries]
            for period in periods:
                arrays.setdefault(period, blank.copy())[indices] = values
            for index, entry in entries:
                for period, value in entry.changes.items():
                    arrays[period][index] = value
        for period, array in arrays.items():
            simulation.set_input(name, period, typed(variable, array))


def typed(variable: Any, array: np.ndarray) -> np.ndarray:
    """An object array as the variable's own type (enums by their names)."""
    if variable.value_type.__name__ == "Enum":
        return np.array(
            [value.name if hasattr(value, "name") else value for value in array],
            dtype=str,
        )
    if variable.value_type.__name__ == "date":
        return np.array(array, dtype="datetime64[D]")
    return array.astype(variable.dtype)


# What the holders of a simulation have computed: entity → variable → period → array.
CacheState = dict[str, dict[str, dict[Any, np.ndarray]]]


def cache_state(simulation: Simulation) -> CacheState:
    """What every holder of the simulation has computed (the arrays are shared).

    With `restore_cache_state`, several calculations can start from the same state:
    OpenFisca cuts the "spirals" of its rules (this month's AAH reads last month's...)
    and the values it gives then depend on what was computed before.
    """
    return {
        entity: {
            name: dict(holder._memory_storage._arrays)
            for name, holder in population._holders.items()
        }
        for entity, population in simulation.populations.items()
    }


def restore_cache_state(simulation: Simulation, state: CacheState) -> None:
    """Forget what was computed since `state` was taken."""
    for entity, population in simulation.populations.items():
        saved = state[entity]
        for name, holder in population._holders.items():
            holder._memory_storage._arrays = dict(saved.get(name, {}))


@functools.cache
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


def release_memory() -> None:
    """Hand the memory freed by a large simulation back to the system.

    A simulation of 1,000 households holds about 170 MB of arrays; once freed, glibc
    keeps the pages, and a worker's RSS would stay at its peak. No-op elsewhere.
    """
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)
