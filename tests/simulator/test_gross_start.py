"""Where the gross-up's fixed point starts: the reference curves (simulator.gross)."""

import numpy as np
import pytest
from openfisca_core.simulation_builder import SimulationBuilder

from rules.system import tax_benefit_system
from simulator import gross
from simulator.gross import CURVE_AMOUNTS, Curve, reference_curves
from simulator.household import parse_request

MONTH = "2026-11"
MONTHS = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)] + [
    f"2026-{month:02d}" for month in range(1, 12)
]


def kinked(grosses):
    """A net proportional to the gross up to 4,000 €, less so above (as a salary's
    over the social security ceiling)."""
    return np.where(grosses <= 4000, 0.79 * grosses, 3160 + 0.72 * (grosses - 4000))


def kinked_inverse(net):
    return net / 0.79 if net <= 3160 else 4000 + (net - 3160) / 0.72


GROSSES = np.geomspace(1.0, 100_000.0, 400)


def test_a_start_on_a_piece_of_a_line_is_its_exact_gross():
    curve = Curve.of(GROSSES, kinked(GROSSES))
    kink = np.searchsorted(GROSSES, 4000)
    across = (kinked(GROSSES[kink - 1]), kinked(GROSSES[kink]))
    nets = [n for n in np.linspace(5, 70_000, 997) if not across[0] <= n <= across[1]]
    for net in nets:
        assert curve.factor(net) * net == pytest.approx(kinked_inverse(net), rel=1e-9)


def test_a_start_looks_through_the_cents_each_net_is_rounded_by():
    # Each reference net off its line by 1.5 cent, up and down in turn: the line
    # through two neighbours would start up to 1.5 cent off; the line fitted to the
    # points around stays within a fifth of a cent of the true one.
    noisy = kinked(GROSSES) + 0.015 * (-1) ** np.arange(len(GROSSES))
    curve = Curve.of(GROSSES, noisy)
    for net in np.linspace(100, 2500, 301):  # the lines around the kink aside
        start = curve.factor(net) * net
        assert kinked(np.array([start]))[0] == pytest.approx(net, abs=0.002)


def test_a_start_is_never_a_gross_below_the_net():
    # Exempt up to 1,000 €, then taxed; each net a billionth above its gross, as
    # float rounding may leave it.
    exempt_then_taxed = np.where(GROSSES < 1000, GROSSES, 1000 + 0.9 * (GROSSES - 1000))
    curve = Curve.of(GROSSES, exempt_then_taxed * (1 + 1e-9))
    assert curve.factor(500.0) == 1.0
    assert curve.factor(1e9) >= 1.0  # beyond the curve: the ratio of its end


def test_a_net_beyond_the_curve_starts_from_the_ratio_of_its_nearest_end():
    curve = Curve.of(GROSSES, 0.8 * GROSSES)
    assert curve.factor(0.1) == pytest.approx(1 / 0.8)
    assert curve.factor(200_000.0) == pytest.approx(1 / 0.8)


def test_a_segment_where_the_net_falls_or_stays_is_not_started_from():
    # A pension's net falls where a higher CSG rate begins: a net met on the way up
    # and again after the fall starts from the first, lower gross.
    grosses = np.array([100.0, 200.0, 300.0, 400.0, 500.0])
    nets = np.array([100.0, 200.0, 180.0, 180.0, 250.0])
    curve = Curve.of(grosses, nets)
    assert curve.factor(190.0) * 190.0 == pytest.approx(190.0)


@pytest.fixture(scope="module")
def curves():
    system = tax_benefit_system()
    return system, reference_curves(system, MONTH)


def test_the_curves_are_a_function_of_the_month_alone(curves):
    system, first = curves
    again = reference_curves.__wrapped__(system, MONTH)  # made again, not kept
    assert first.keys() == again.keys()
    for key, curve in first.items():
        assert np.array_equal(curve.nets, again[key].nets), key


def test_the_reference_nets_are_openfiscas_for_a_situation_written_by_hand(curves):
    # An employee, an apprentice, a retiree and an unemployed person, alone, with the
    # same gross amount every month: OpenFisca-France's nets, computed here without
    # our mapping, are the curves' points.
    system, found = curves
    points = [40, 230, 300, 360]  # 3.17 €, 762.44 €, 5,746.43 €, 32,454.74 € a month
    people = {
        "salary": ({"activite": "actif"}, "salaire_de_base", "salaire_net"),
        "salary_apprentice": (
            {"activite": "actif", "apprenti": True},
            "salaire_de_base",
            "salaire_net",
        ),
        "pension": ({"activite": "retraite"}, "retraite_brute", "retraite_nette"),
        "unemployment": ({"activite": "chomeur"}, "chomage_brut", "chomage_net"),
    }
    births = {"salary_apprentice": "2005-01-01", "pension": "1950-01-01"}
    situation = {"individus": {}, "familles": {}, "foyers_fiscaux": {}, "menages": {}}
    for curve, (status, gross_variable, _net) in people.items():
        for point in points:
            name = f"{curve}_{point}"
            person = {"date_naissance": {"ETERNITY": births.get(curve, "1985-01-01")}}
            for variable, value in status.items():
                person[variable] = dict.fromkeys(MONTHS, value)
            person[gross_variable] = dict.fromkeys(MONTHS, CURVE_AMOUNTS[point])
            situation["individus"][name] = person
            situation["familles"][name] = {"parents": [name]}
            # No income before 2024, as the household model says (the CSG rate of a
            # pension reads the taxable income of two years before).
            situation["foyers_fiscaux"][name] = {
                "declarants": [name],
                "rfr": {"2020": 0, "2021": 0, "2022": 0, "2023": 0},
            }
            situation["menages"][name] = {
                "personne_de_reference": [name],
                "depcom": {MONTH: "75056"},
                "statut_occupation_logement": {MONTH: "loge_gratuitement"},
            }
    simulation = SimulationBuilder().build_from_entities(system, situation)
    simulation.calculate("rfr", "2024")
    for curve, (_status, _gross, net_variable) in people.items():
        nets = simulation.calculate(net_variable, MONTH)
        for rank, point in enumerate(points):
            position = list(people).index(curve) * len(points) + rank
            expected = float(nets[position])
            assert found[curve].nets[point] == pytest.approx(expected, abs=0.01), (
                curve,
                CURVE_AMOUNTS[point],
            )


def singles(activity, birth_date, salaries):
    return [
        parse_request(
            {
                "month": MONTH,
                "household": {
                    "commune": "69123",
                    "housing": {"tenure": "tenant", "rent": 500.0},
                    "members": [
                        {
                            "id": "me",
                            "role": "applicant",
                            "birth_date": birth_date,
                            "activity": activity,
                            "incomes": {"salary": salary},
                        }
                    ],
                },
            }
        )
        for salary in salaries
    ]


@pytest.mark.parametrize(
    ("activity", "birth_date"),
    [("employed", "1980-03-02"), ("apprentice", "2006-09-01")],
)
def test_most_salaries_are_right_from_the_first_step(monkeypatch, activity, birth_date):
    # Taken as its own gross (factor 1), no salary is ever right at once: a salary
    # always bears contributions. From the curve, a net lands within half a cent but
    # for the cents its contributions are rounded by.
    checked = []
    check = gross.check

    def recording(simulation, start, local, households, remaining, factors):
        before = sum(len(remaining.get(h, [])) for h in households)
        check(simulation, start, local, households, remaining, factors)
        checked.append((before, sum(len(remaining.get(h, [])) for h in households)))

    monkeypatch.setattr(gross, "check", recording)
    salaries = [round(650 + 37.31 * step, 2) for step in range(60)]  # to 2,850 €
    factors = gross.gross_factors(singles(activity, birth_date, salaries))
    (tried, still), *_later = checked
    assert tried == len(salaries)
    assert still < len(salaries) / 2
    assert all(factor > 1 for factor in factors.values())
