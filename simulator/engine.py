"""Simulating many households at once: vectorised OpenFisca simulations per batch.

A batch is split by simulated month (a simulation computes each variable for every
household it holds, at every month asked: mixing months would compute each household
at the others' months too). Within a month, the households share their simulations
(see `simulator.gross.solve`).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from openfisca_core.simulations import Simulation
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rules.catalog import Benefit
from rules.folding import folded_system
from rules.system import checked_catalog, tax_benefit_system
from simulator.gross import solve
from simulator.household import SimulationRequest
from simulator.simulation import cache_state, discard, restore_cache_state
from simulator.situation import EntityIds
from simulator.territory import communes
from simulator.timing import CATALOG, phase


def applies_to(benefit: Benefit, commune_code: str) -> bool:
    """Whether the benefit exists where the household lives."""
    territory = benefit.territory
    if territory.national:
        return True
    commune = communes().get(commune_code)
    if commune is None:
        return False
    return (
        commune.code in territory.communes
        or commune.departement in territory.departements
        or commune.region in territory.regions
        or any(epci in territory.epcis for epci in commune.epcis)
    )


@functools.cache
def variable_layout(variable: str) -> tuple[str, str]:
    """(entity key, definition period) of a variable, looked up once."""
    found = tax_benefit_system().variables[variable]
    return found.entity.key, str(found.definition_period)


def period_for(unit: str, month: str) -> str:
    if unit == "year":
        return month[:4]
    if unit == "eternity":
        return "ETERNITY"
    return month


Profile = tuple[str, ...]  # the ids of the local benefits of a household's territory


def profile_of(request: SimulationRequest) -> Profile:
    return tuple(
        b.id
        for b in benefits_for(request.household.commune or "")
        if not b.territory.national
    )


class Part:
    """One simulation, and the values its households' results read.

    OpenFisca-France has many "spirals" (this month's AAH reads last month's, which
    reads the month before...): OpenFisca cuts them and the values it gives then
    depend on what was computed before. So that a household's values never depend on
    the households beside it, every simulation computes the same things in the same
    order: the national benefits' variables in catalog order; then, for each
    territory, starting again from the state the national ones left, its local
    benefits' variables (`compute`). A household alone goes through the same steps.
    """

    def __init__(self, simulation: Simulation) -> None:
        self.simulation = simulation
        self._national: dict[tuple[str, str], np.ndarray] = {}
        self._local: dict[Profile, dict[tuple[str, str], np.ndarray]] = {}
        self._positions = {
            entity: {entity_id: index for index, entity_id in enumerate(population.ids)}
            for entity, population in simulation.populations.items()
        }
        # The arrays as Python values (what `value` returns), converted once each:
        # (variable, period, profile or None) → one value per entity.
        self._columns: dict[tuple[str, str, Profile | None], list[Any]] = {}
        # The same as the results ask for them: (month, profile) → variable → values.
        self._at_month: dict[tuple[str, Profile | None], dict[str, list[Any]]] = {}

    def discard(self) -> None:
        """Let go of every value computed, now (see `simulator.simulation.discard`):
        once the results are read, before the collector would."""
        discard(self.simulation)
        self._national.clear()
        self._local.clear()
        self._columns.clear()
        self._at_month.clear()

    def compute(self, month: str, profiles: set[Profile]) -> None:
        """Compute every variable the results of these territories read."""
        with phase(CATALOG):
            self._compute(month, profiles)

    def _compute(self, month: str, profiles: set[Profile]) -> None:
        catalog = checked_catalog()
        national = [b for b in catalog if b.territory.national]
        for variable in catalog_variables(national):
            self.array(variable, period_for(variable_layout(variable)[1], month))
        snapshot = cache_state(self.simulation)
        for rank, profile in enumerate(sorted(profiles)):
            if rank:
                restore_cache_state(self.simulation, snapshot)
            local = self._local.setdefault(profile, {})
            benefits = [b for b in catalog if b.id in profile]
            for variable in catalog_variables(benefits):
                key = (variable, period_for(variable_layout(variable)[1], month))
                if key not in self._national:
                    local[key] = self.simulation.calculate(*key)

    def array(
        self, variable: str, period: str, profile: Profile | None = None
    ) -> np.ndarray:
        key = (variable, period)
        if profile is not None and key in self._local.get(profile, {}):
            return self._local[profile][key]
        if key not in self._national:
            self._national[key] = self.simulation.calculate(variable, period)
        return self._national[key]

    def value(
        self,
        variable: str,
        month: str,
        entity_id: str,
        profile: Profile | None = None,
    ) -> Any:
        entity, unit = variable_layout(variable)
        position = self._positions[entity][entity_id]
        return self.column(variable, period_for(unit, month), profile)[position]

    def column(
        self, variable: str, period: str, profile: Profile | None = None
    ) -> list[Any]:
        """`array` as Python values (numpy's `tolist`, the same as `item()` on each).

        Converted once for the whole simulation: the results of every household read
        their values from it by position.
        """
        if profile is not None and (variable, period) not in self._local.get(
            profile, {}
        ):
            profile = None  # a national value, shared by every territory
        key = (variable, period, profile)
        found = self._columns.get(key)
        if found is None:
            found = self.array(variable, period, profile).tolist()
            self._columns[key] = found
        return found

    def column_at(
        self, variable: str, month: str, profile: Profile | None = None
    ) -> list[Any]:
        """`column` at the period a simulated month reads the variable at."""
        columns = self.columns_at(month, profile)
        found = columns.get(variable)
        if found is None:
            period = period_for(variable_layout(variable)[1], month)
            found = columns[variable] = self.column(variable, period, profile)
        return found

    def columns_at(
        self, month: str, profile: Profile | None = None
    ) -> dict[str, list[Any]]:
        """variable → `column_at(variable, month, profile)`, for those read so far."""
        key = (month, profile)
        found = self._at_month.get(key)
        if found is None:
            found = self._at_month[key] = {}
        return found

    def position(self, entity: str, entity_id: str) -> int:
        """The index of an entity in the simulation's arrays."""
        return self._positions[entity][entity_id]


@dataclass(frozen=True)
class Values:
    """What one household's results read: its simulation, territory and ids."""

    part: Part
    profile: Profile
    ids: EntityIds

    def value(self, variable: str, month: str, entity_id: str) -> Any:
        return self.part.value(variable, month, entity_id, self.profile)


def parameter(path: str, month: str) -> float:
    node: Any = tax_benefit_system().get_parameters_at_instant(f"{month}-01")
    for part in path.split("."):
        node = node[part]
    return float(node)


@dataclass
class Computed:
    """OpenFisca's values for one batch, read by household.

    `household(index)`: the values a household's results read. `simulation`, `array`,
    `value`: those of the first household's simulation, for a look at other
    variables (the only simulation for a single household).
    """

    requests: Sequence[SimulationRequest]
    parts: list[Part]
    located: dict[int, Values]

    def household(self, index: int) -> Values:
        return self.located[index]

    @property
    def simulation(self) -> Simulation:
        return self.located[0].part.simulation

    def array(self, variable: str, period: str) -> np.ndarray:
        return self.located[0].part.array(variable, period)

    def value(self, variable: str, month: str, entity_id: str) -> Any:
        return self.located[0].value(variable, month, entity_id)


def entity_id_for(variable: str, ids: EntityIds, person_id: str) -> str:
    """The id of the entity holding `variable` for a member of the family."""
    entity = variable_layout(variable)[0]
    return person_id if entity == "individu" else group_id(entity, ids)


def group_id(entity: str, ids: EntityIds) -> str:
    """The id of a household's group entity (every member of the family shares it)."""
    if entity == "famille":
        return ids.famille
    if entity == "foyer_fiscal":
        return ids.foyer_fiscal
    return ids.menage


def by_month(requests: Sequence[SimulationRequest]) -> dict[str, list[int]]:
    groups: dict[str, list[int]] = {}
    for index, request in enumerate(requests):
        groups.setdefault(request.month, []).append(index)
    return groups


FOLDING_SETTING = "SIMULATOR_FOLDING"  # "off": never fold (to compare, or in doubt)


def system_for(month: str) -> TaxBenefitSystem:
    """The rules to simulate a month with: folded when a valid folding covers it."""
    if os.environ.get(FOLDING_SETTING, "on") != "off":
        found = folded_system(frozenset(catalog_variables(checked_catalog())))
        if found is not None and found[0].covers(month):
            return found[1]
    return tax_benefit_system()


def run(
    requests: Sequence[SimulationRequest], system: TaxBenefitSystem | None = None
) -> Computed:
    """Simulate every household of `requests`, vectorised by month.

    `system`: the rules to run on; by default the folded rules where they apply
    (`system_for`).
    """
    parts: list[Part] = []
    located: dict[int, Values] = {}
    for month, indices in by_month(requests).items():
        group = [requests[index] for index in indices]
        prepare = functools.partial(prepared_part, month, group)
        _factors, solved = solve(group, system or system_for(month), prepare)
        part = solved.prepared
        parts.append(part)
        for in_group, local in solved.households.items():
            profile = profile_of(group[in_group])
            ids = EntityIds.of_household(local)
            located[indices[in_group]] = Values(part, profile, ids)
    return Computed(requests, parts, located)


def prepared_part(
    month: str,
    group: Sequence[SimulationRequest],
    simulation: Simulation,
    households: list[int],
) -> Part:
    """A simulation of `group[households]` with what their results read computed."""
    part = Part(simulation)
    part.compute(month, {profile_of(group[h]) for h in households})
    return part


def catalog_variables(benefits: Iterable[Benefit]) -> list[str]:
    """The variables the results read, in catalog order: amounts, then reasons."""
    names: dict[str, None] = {}
    for benefit in benefits:
        names[benefit.variable] = None
        for explanation in benefit.explanations:
            names[explanation.variable] = None
            condition = explanation.condition
            for reference in (
                condition.above,
                condition.at_least,
                condition.below,
                condition.at_most,
            ):
                if reference is not None and reference.variable is not None:
                    names[reference.variable] = None
    return list(names)


_benefits_by_commune: dict[tuple[int, str], tuple[Benefit, ...]] = {}


def benefits_for(commune_code: str) -> tuple[Benefit, ...]:
    """The catalog's benefits that exist in a commune, in catalog order."""
    catalog = checked_catalog()
    key = (id(catalog), commune_code)
    found = _benefits_by_commune.get(key)
    if found is None:
        found = tuple(b for b in catalog if applies_to(b, commune_code))
        _benefits_by_commune[key] = found
    return found
