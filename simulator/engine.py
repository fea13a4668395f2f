"""Simulating many households at once: one vectorised OpenFisca simulation per batch."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from openfisca_core.simulations import Simulation

from rules.catalog import Benefit, Reference
from rules.system import checked_catalog, tax_benefit_system
from simulator.gross import gross_factors
from simulator.household import SimulationRequest
from simulator.simulation import new_simulation
from simulator.situation import EntityIds, build_situation, fiscal_years
from simulator.territory import communes


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


def period_of(variable: str, month: str) -> str:
    """The period to read a variable at for a simulated month."""
    unit = tax_benefit_system().variables[variable].definition_period
    if unit == "year":
        return month[:4]
    if unit == "eternity":
        return "ETERNITY"
    return month


@dataclass
class Computed:
    """OpenFisca's values for one batch, read by household through their ids."""

    simulation: Simulation
    requests: Sequence[SimulationRequest]
    _cache: dict[tuple[str, str], np.ndarray]
    _positions: dict[str, dict[str, int]]

    def array(self, variable: str, period: str) -> np.ndarray:
        key = (variable, period)
        if key not in self._cache:
            self._cache[key] = self.simulation.calculate(variable, period)
        return self._cache[key]

    def value(self, variable: str, month: str, entity_id: str) -> Any:
        entity = tax_benefit_system().variables[variable].entity.key
        position = self._positions[entity][entity_id]
        value = self.array(variable, period_of(variable, month))[position]
        return value.item() if hasattr(value, "item") else value

    def parameter(self, path: str, month: str) -> float:
        node: Any = tax_benefit_system().get_parameters_at_instant(f"{month}-01")
        for part in path.split("."):
            node = node[part]
        return float(node)

    def reference(self, reference: Reference, month: str, entity_id: str) -> Any:
        if reference.parameter is not None:
            return self.parameter(reference.parameter, month)
        assert reference.variable is not None
        return self.value(reference.variable, month, entity_id)


def entity_id_for(variable: str, ids: EntityIds, person_id: str) -> str:
    """The id of the entity holding `variable` for a member of the family."""
    entity = tax_benefit_system().variables[variable].entity.key
    return {
        "individu": person_id,
        "famille": ids.famille,
        "foyer_fiscal": ids.foyer_fiscal,
        "menage": ids.menage,
    }[entity]


def run(requests: Sequence[SimulationRequest]) -> Computed:
    """Build one simulation for every household of `requests`."""
    factors = gross_factors(requests)
    situation = build_situation(requests, factors)
    simulation = new_simulation(situation, fiscal_years(requests))
    positions = {
        entity: {entity_id: index for index, entity_id in enumerate(population.ids)}
        for entity, population in simulation.populations.items()
    }
    return Computed(simulation, requests, {}, positions)


def benefits_for(commune_code: str) -> Iterable[Benefit]:
    return (b for b in checked_catalog() if applies_to(b, commune_code))
