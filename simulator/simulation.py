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
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np
from openfisca_core.indexed_enums import EnumArray
from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rules.system import tax_benefit_system
from simulator import speedups
from simulator.situation import Series

speedups.install()

# OpenFisca-France reads the taxable income (rfr) of year N-2 through formulas that
# read the rfr of N-4 (the CSG rate on a pension depends on the taxable income of two
# years before): a "spiral", which OpenFisca cuts at its first loop. The mapping gives
# the rfr of the years before N-2 (zero: the model has no income then, see
# `simulator.situation.years_without_income`), which ends the chain there; the rfr of
# each fiscal year the simulation reads is still computed first, so that no other
# spiral's cut can fall on it.
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
    person_ids, memberships, inputs = situation_parts(system, situation)
    simulation = built_simulation(system, person_ids, memberships)
    for entity, members in inputs.items():
        set_inputs(simulation, entity, members)
    warm_up(simulation, fiscal_years)
    return simulation


# A group entity's ids, and each person's group id and role key, in person order.
Memberships = tuple[list[str], list[str], list[str]]


def situation_parts(
    system: TaxBenefitSystem, situation: Mapping[str, Any]
) -> tuple[list[str], dict[str, Memberships], dict[str, dict[str, Any]]]:
    """A situation's persons, who belongs to which group of each group entity and in
    which role, and each entity's inputs (the groups' without their role lists)."""
    person_ids = list(situation["individus"])
    inputs: dict[str, dict[str, Any]] = {"individu": situation["individus"]}
    memberships = {}
    for key, plural in GROUP_PLURALS.items():
        groups = situation.get(plural, {})
        entity = next(found for found in system.entities if found.key == key)
        roles = role_keys(entity)
        group_of_person: dict[str, tuple[str, str]] = {}
        for group_id, group in groups.items():
            for role, keys in roles.items():
                for rank, person_id in enumerate(group.get(role, ())):
                    group_of_person[person_id] = (
                        group_id,
                        keys[min(rank, len(keys) - 1)],
                    )
        memberships[key] = (
            list(groups),
            [group_of_person[person_id][0] for person_id in person_ids],
            [group_of_person[person_id][1] for person_id in person_ids],
        )
        inputs[key] = {
            group_id: {k: v for k, v in group.items() if k not in roles}
            for group_id, group in groups.items()
        }
    return person_ids, memberships, inputs


def built_simulation(
    system: TaxBenefitSystem,
    person_ids: list[str],
    memberships: Mapping[str, Memberships],
) -> Simulation:
    """A simulation of these persons and groups, with no input set yet."""
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("individu", person_ids)
    for key, (group_ids, assignment, roles) in memberships.items():
        entity = builder.declare_entity(key, group_ids)
        builder.join_with_persons(entity, assignment, roles)
    simulation = builder.build(system)
    traced = _traced.get()
    if traced is not None:
        simulation.trace = True
        traced.append(simulation)
    return simulation


def warm_up(simulation: Simulation, fiscal_years: Iterable[str]) -> None:
    """Compute the taxable income of the fiscal years first (see WARM_UP_VARIABLE)."""
    for year in sorted(set(fiscal_years)):
        simulation.calculate(WARM_UP_VARIABLE, year)


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
    variables = simulation.tax_benefit_system.variables
    for name, (column, arrays) in input_columns(variables, position, members).items():
        for period, (array, _given) in arrays.items():
            simulation.set_input(name, period, column.stored(array))


# variable → (its Column, period → (array of every entity, which entities gave it)).
InputColumns = dict[str, tuple["Column", dict[str, tuple[np.ndarray, np.ndarray]]]]


def input_columns(
    variables: Mapping[str, Any],
    position: Mapping[str, int],
    members: Mapping[str, Mapping[str, Any]],
) -> InputColumns:
    """Each (variable, period) of the entities' inputs as one array, in the order
    `set_inputs` sets them, with the entities that gave a value for it (the others
    hold the variable's default).

    The values a `Series` gives many periods are converted to the variable's type
    once, then copied into each period's array.
    """
    count = len(position)
    # name → period → ([index], [value])
    by_variable: dict[str, dict[str, tuple[list[int], list[Any]]]] = defaultdict(dict)
    # name → periods → ([index], [value], [(index, changes)])
    series: dict[str, dict[tuple[str, ...], SeriesGroup]] = defaultdict(dict)
    for entity_id, entity_variables in members.items():
        index = position[entity_id]
        for name, periods in entity_variables.items():
            if isinstance(periods, Series):
                group = series[name].get(periods.periods)
                if group is None:
                    group = series[name][periods.periods] = ([], [], [])
                group[0].append(index)
                group[1].append(periods.value)
                if periods.changes:
                    group[2].append((index, periods.changes))
                continue
            for period, value in periods.items():
                found = by_variable[name].get(period)
                if found is None:
                    found = by_variable[name][period] = ([], [])
                found[0].append(index)
                found[1].append(value)
    columns: InputColumns = {}
    for name in {**by_variable, **series}:
        column = Column(variables[name], count)
        arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for period, (indices, values) in by_variable.get(name, {}).items():
            array, given = period_arrays(arrays, period, column)
            array[indices] = column.convert(values)
            given[indices] = True
        for periods, (indices, values, changes) in series.get(name, {}).items():
            converted = column.convert(values)
            where = np.array(indices, dtype=np.intp)
            for period in periods:
                array, given = period_arrays(arrays, period, column)
                array[where] = converted
                given[where] = True
            changed: dict[str, tuple[list[int], list[Any]]] = {}
            for index, by_period in changes:
                for period, value in by_period.items():
                    found = changed.get(period)
                    if found is None:
                        found = changed[period] = ([], [])
                    found[0].append(index)
                    found[1].append(value)
            for period, (at, values_then) in changed.items():
                arrays[period][0][at] = column.convert(values_then)
        columns[name] = (column, arrays)
    return columns


def period_arrays(
    arrays: dict[str, tuple[np.ndarray, np.ndarray]], period: str, column: Column
) -> tuple[np.ndarray, np.ndarray]:
    """A period's (values, given) in `arrays`, defaults and nobody's at first."""
    found = arrays.get(period)
    if found is None:
        blank = column.blank
        found = arrays[period] = (blank.copy(), np.zeros(len(blank), dtype=bool))
    return found


# The entities of a Series group, their values, and those with exceptions (changes).
SeriesGroup = tuple[list[int], list[Any], list[tuple[int, Mapping[str, Any]]]]


class Column:
    """Values of a variable for one entity, converted to the array OpenFisca stores.

    Each value is converted as `typed` converts it within a whole array (numpy
    converts an object array element by element); enums go straight to their
    indices, as OpenFisca's own encoding gives them.
    """

    def __init__(self, variable: Any, count: int) -> None:
        self.variable = variable
        kind = variable.value_type.__name__
        self.enum = variable.possible_values if kind == "Enum" else None
        if self.enum is not None:
            self.indices = {item.name: item.index for item in self.enum}
            self.dtype: Any = self.enum.indices.dtype
        elif kind == "date":
            self.dtype = np.dtype("datetime64[D]")
        else:
            self.dtype = variable.dtype
        self.blank = np.repeat(self.convert([variable.default_value]), count)

    def convert(self, values: list[Any]) -> np.ndarray:
        """Values (names or members for an enum) as an array of the stored type."""
        if self.enum is not None:
            indices = self.indices
            try:
                return np.array(
                    [
                        indices[value.name if hasattr(value, "name") else value]
                        for value in values
                    ],
                    dtype=self.dtype,
                )
            except (KeyError, TypeError):
                # Not a name of the enum: OpenFisca's encoding raises its own error.
                return self.enum.encode(typed(self.variable, np.array(values)))
        array = np.empty(len(values), dtype=object)
        array[:] = values
        if self.dtype == np.dtype("datetime64[D]"):
            return np.array(array, dtype=self.dtype)
        return array.astype(self.dtype)

    def stored(self, array: np.ndarray) -> np.ndarray:
        """The array to give OpenFisca's `set_input`."""
        if self.enum is not None:
            return EnumArray(array, self.enum)
        return array


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


def discard(simulation: Simulation) -> None:
    """Let go of the values a simulation holds, now: a simulation and its populations
    refer to each other, so without this its arrays would wait for the collector
    (a gross-up step's simulation of 500 households holds about 10 MB of them)."""
    for population in simulation.populations.values():
        for holder in population._holders.values():
            holder._memory_storage._arrays = {}


def release_memory() -> None:
    """Hand the memory freed by a large simulation back to the system.

    A simulation of 1,000 households holds about 170 MB of arrays; once freed, glibc
    keeps the pages, and a worker's RSS would stay at its peak. No-op elsewhere.
    """
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None)
    if trim is not None:
        trim(0)
