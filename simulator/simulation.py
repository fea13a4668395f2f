"""Running OpenFisca: a simulation from a situation, on the shared tax-benefit system."""

from __future__ import annotations

from typing import Any

from openfisca_core.simulation_builder import SimulationBuilder
from openfisca_core.simulations import Simulation

from rules.system import tax_benefit_system

# OpenFisca-France reads incomes of year N-2 through formulas that themselves read year
# N-4 (the CSG rate on a pension depends on the taxable income of two years before).
# With OpenFisca's default of one loop, that spiral is cut at the first level and the
# income of N-2 comes out as zero or not depending on the order of the calculations.
# Two loops, and nothing computed before the first month the mapping fills, make the
# results exact for the periods we fill and independent of the order.
MAX_SPIRAL_LOOPS = 2


def new_simulation(situation: dict[str, Any], first_month: str) -> Simulation:
    """A fresh simulation of `situation` on the process-wide tax-benefit system."""
    simulation = SimulationBuilder().build_from_entities(
        tax_benefit_system(), situation
    )
    simulation.max_spiral_loops = MAX_SPIRAL_LOOPS
    simulation.start_computation_period = first_month
    return simulation
