"""Our own rules: residence duration for Paris aids, EPCI membership."""

import pytest
from openfisca_core.simulation_builder import SimulationBuilder

from rules.system import tax_benefit_system


def simulate_menages(menages: list[dict]) -> object:
    """One simulation with a single adult in each of `menages`."""
    situation = {"individus": {}, "familles": {}, "foyers_fiscaux": {}, "menages": {}}
    for index, menage in enumerate(menages):
        person = f"p{index}"
        situation["individus"][person] = {"date_naissance": {"ETERNITY": "1980-01-01"}}
        situation["familles"][f"f{index}"] = {"parents": [person]}
        situation["foyers_fiscaux"][f"ff{index}"] = {"declarants": [person]}
        situation["menages"][f"m{index}"] = {
            "personne_de_reference": [person],
            **menage,
        }
    return SimulationBuilder().build_from_entities(tax_benefit_system(), situation)


def paris_since(arrival: str | None, commune: str = "75056") -> dict:
    menage = {"depcom": {"2026-11": commune}}
    if arrival:
        menage["date_arrivee_commune"] = {"ETERNITY": arrival}
    return menage


def test_parisien_needs_three_years_in_paris():
    # Règlement municipal des aides sociales facultatives de la Ville de Paris:
    # at least 3 years of residence. Boundaries: exactly 36 months, one month short.
    simulation = simulate_menages(
        [
            paris_since("2023-11-01"),  # 36 months before November 2026
            paris_since("2023-12-01"),  # 35 months
            paris_since("2010-01-01"),
            paris_since(None),  # unknown arrival: not assumed
            paris_since("2010-01-01", commune="35238"),  # long in Rennes
        ]
    )
    assert list(simulation.calculate("parisien", "2026-11")) == [
        True,
        False,
        True,
        False,
        False,
    ]


def test_the_residence_duration_is_a_dated_parameter():
    parameters = tax_benefit_system().get_parameters_at_instant("2026-11-01")
    assert parameters.paris_local.duree_residence_minimum == 3


@pytest.mark.parametrize(
    ("commune", "siren", "member"),
    [
        ("35238", "243500139", True),  # Rennes in Rennes Métropole
        ("35051", "243500139", True),  # Cesson-Sévigné, a member too
        ("75056", "243500139", False),
        ("69123", "200046977", True),  # Lyon in the Métropole de Lyon
    ],
)
def test_epci_membership_comes_from_the_official_list(commune, siren, member):
    simulation = simulate_menages([{"depcom": {"2026-11": commune}}])
    value = simulation.calculate(f"menage_dans_epci_siren_{siren}", "2026-11")
    assert bool(value[0]) is member
