"""A batch's inputs as arrays, mapped once for all of its simulations.

The gross-up (`simulator.gross`) simulates the same households several times: each
step of the fixed point with the households still off, then every household in the
simulation results are read from. Mapping the households again for each of them (the
situation, then one array per variable and period) cost a quarter of a batch of 1,000
households (about 0.6 of 2.4 s). Here a batch is mapped once, every gross factor at 1,
into one array per entity, variable and period; a simulation of some of its households
takes their rows of each array, and maps again only the grossed-up incomes whose
factor is not 1.

A simulation made here is the one `new_simulation(compact_situation(...))` makes of
the same households with the same factors: the same entities, ids and roles in the
same order, the same (variable, period) inputs with the same arrays
(tests/simulator/test_inputs.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rules.system import tax_benefit_system
from simulator.household import SimulationRequest
from simulator.simulation import (
    GROUP_PLURALS,
    Column,
    InputColumns,
    built_simulation,
    input_columns,
    period_arrays,
    situation_parts,
    warm_up,
)
from simulator.situation import (
    GROSSED_UP_INCOMES,
    EntityIds,
    GrossFactors,
    compact_situation,
    income_series,
    periods_read,
)


class EntityRows:
    """One entity's rows in the batch: each household's are consecutive."""

    def __init__(self, ids: list[str], households: int) -> None:
        # "h12_famille_other0" → household 12, suffix "famille_other0"
        self.suffixes: list[list[str]] = [[] for _ in range(households)]
        self.first: list[int] = [0] * households
        self.count = len(ids)
        for row, entity_id in enumerate(ids):
            household, suffix = EntityIds.split(entity_id)
            if not self.suffixes[household]:
                self.first[household] = row
            self.suffixes[household].append(suffix)

    def rows(self, households: Sequence[int]) -> np.ndarray:
        """The rows of these households, in their order."""
        return np.array(
            [
                row
                for household in households
                for row in range(
                    self.first[household],
                    self.first[household] + len(self.suffixes[household]),
                )
            ],
            dtype=np.intp,
        )

    def ids(self, households: Sequence[int]) -> list[str]:
        """The entities' ids in a simulation of these households, numbered in order."""
        return [
            EntityIds.of_household(local).prefix + suffix
            for local, household in enumerate(households)
            for suffix in self.suffixes[household]
        ]


class BatchInputs:
    """The inputs of `requests`, every gross factor at 1, ready to simulate any of
    its households with any factors (`simulation`)."""

    def __init__(
        self,
        requests: Sequence[SimulationRequest],
        system: TaxBenefitSystem | None = None,
    ) -> None:
        system = system or tax_benefit_system()
        self.requests = requests
        self.variables = system.variables
        persons, memberships, members = situation_parts(
            system, compact_situation(requests)
        )
        self.rows = {"individu": EntityRows(persons, len(requests))}
        # entity → (row of each person's group, each person's role key)
        self.memberships: dict[str, tuple[np.ndarray, list[str]]] = {}
        for key, (group_ids, assignment, roles) in memberships.items():
            self.rows[key] = EntityRows(group_ids, len(requests))
            row = {group_id: index for index, group_id in enumerate(group_ids)}
            self.memberships[key] = (
                np.array([row[group_id] for group_id in assignment], dtype=np.intp),
                roles,
            )
        self.columns: dict[str, InputColumns] = {
            entity: input_columns(
                system.variables,
                {entity_id: index for index, entity_id in enumerate(found)},
                found,
            )
            for entity, found in members.items()
        }

    def simulation(
        self,
        households: Sequence[int],
        factors: GrossFactors,
        fiscal_years: Sequence[str],
        system: TaxBenefitSystem | None = None,
    ) -> Simulation:
        """A simulation of `households` (indices in the requests), numbered in the
        order given, with the gross `factors` (keyed by the requests' indices)."""
        system = system or tax_benefit_system()
        rows = {entity: found.rows(households) for entity, found in self.rows.items()}
        people = rows["individu"]
        memberships = {}
        for key in GROUP_PLURALS:
            group_rows, roles = self.memberships[key]
            ids = self.rows[key].ids(households)
            local = np.empty(self.rows[key].count, dtype=object)
            local[rows[key]] = ids
            memberships[key] = (
                ids,
                list(local[group_rows[people]]),
                [roles[person] for person in people],
            )
        simulation = built_simulation(
            system, self.rows["individu"].ids(households), memberships
        )
        scaled = self.scaled_incomes(households, factors)
        for entity, columns in self.columns.items():
            taken = rows[entity]
            for name, (column, arrays) in columns.items():
                changed = scaled.get(name, {}) if entity == "individu" else {}
                for period, (array, given) in arrays.items():
                    values = array[taken]
                    given_here = given[taken]
                    found = changed.get(period)
                    if found is not None:
                        at, amounts, gives = found
                        values[at] = column.convert(amounts)
                        given_here[at] = gives
                    if given_here.any():
                        simulation.set_input(name, period, column.stored(values))
        warm_up(simulation, fiscal_years)
        return simulation

    def scaled_incomes(
        self, households: Sequence[int], factors: GrossFactors
    ) -> dict[str, dict[str, tuple[list[int], list[float], list[bool]]]]:
        """The gross incomes whose factor is not 1, where they differ from the
        columns: variable → period → (positions in the simulation, amounts, whether
        given). A period no column has yet gets one (nobody's value given)."""
        scaled: dict[str, dict[str, tuple[list[int], list[float], list[bool]]]] = {}
        people = (
            (household, member)
            for household in households
            for member in self.requests[household].household.members
        )
        for position, (household, member) in enumerate(people):
            months = periods_read(self.requests[household].month)
            for income, (variable, _net) in GROSSED_UP_INCOMES.items():
                factor = factors.get((household, member.id, income), 1.0)
                if factor == 1.0:
                    continue
                series = income_series(member, income, months, factor)
                gives = series.any()
                by_period = scaled.setdefault(variable, {})
                for period in series.periods:
                    found = by_period.get(period)
                    if found is None:
                        found = by_period[period] = ([], [], [])
                        self.blank_column(variable, period)
                    found[0].append(position)
                    found[1].append(series.changes.get(period, series.value))
                    found[2].append(gives)
        return scaled

    def blank_column(self, variable: str, period: str) -> None:
        """A person column for (variable, period), if none: defaults, none given."""
        columns = self.columns["individu"]
        if variable not in columns:
            count = self.rows["individu"].count
            columns[variable] = (Column(self.variables[variable], count), {})
        column, arrays = columns[variable]
        period_arrays(arrays, period, column)
