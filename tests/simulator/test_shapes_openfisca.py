"""Eight household shapes: our results against OpenFisca-France run by hand.

For each shape, a complete OpenFisca situation is written here by hand, with gross
incomes as OpenFisca-France takes them and every month it reads filled in, independently
of `simulator.situation`. OpenFisca-France computes the net incomes a person would
read on their payslip; those go into the v1 household the service receives. Every
benefit of the catalog must then come out the same through the service as through
OpenFisca directly. Both sides run all shapes in one simulation.
"""

import pytest
from openfisca_core.simulation_builder import SimulationBuilder

from rules.catalog import load_catalog
from rules.system import tax_benefit_system
from simulator.household import parse_request
from simulator.results import simulate

MONTH = "2026-11"
# Every month OpenFisca-France reads for November 2026: January 2024 on.
MONTHS = [f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13)] + [
    f"2026-{month:02d}" for month in range(1, 12)
]


def constant(value):
    return dict.fromkeys(MONTHS, value)


# Each shape: commune, OpenFisca housing inputs, and people with their role, birth date
# and OpenFisca inputs (gross amounts), plus how the v1 household says the same.
SHAPES = {
    "single_adult_without_income": {
        "commune": "35238",
        "housing": {"statut_occupation_logement": "locataire_vide", "loyer": 450},
        "v1_housing": {"tenure": "tenant", "rent": 450},
        "people": [
            ("me", "applicant", "1988-04-12", {"activite": "inactif"}, "inactive"),
        ],
    },
    "single_parent": {
        "commune": "35238",
        "housing": {"statut_occupation_logement": "locataire_vide", "loyer": 600},
        "v1_housing": {"tenure": "tenant", "rent": 600},
        "people": [
            (
                "me",
                "applicant",
                "1990-06-01",
                {"activite": "actif", "salaire_de_base": 1500},
                "employed",
            ),
            ("kid", "child", "2020-02-10", {"scolarite": "primaire"}, None),
        ],
    },
    "couple_with_two_children": {
        "commune": "75056",
        "housing": {
            "statut_occupation_logement": "locataire_hlm",
            "loyer": 750,
            "logement_conventionne": True,
        },
        "v1_housing": {"tenure": "tenant", "rent": 750, "social_housing": True},
        "people": [
            (
                "me",
                "applicant",
                "1984-01-20",
                {"activite": "actif", "salaire_de_base": 2200},
                "employed",
            ),
            ("partner", "partner", "1986-09-05", {"activite": "inactif"}, "inactive"),
            ("c1", "child", "2017-03-03", {"scolarite": "primaire"}, None),
            ("c2", "child", "2013-05-15", {"scolarite": "college"}, None),
        ],
    },
    "family_with_three_children": {
        "commune": "35238",
        "housing": {"statut_occupation_logement": "locataire_vide", "loyer": 900},
        "v1_housing": {"tenure": "tenant", "rent": 900},
        "people": [
            (
                "me",
                "applicant",
                "1982-11-30",
                {"activite": "actif", "salaire_de_base": 2600},
                "employed",
            ),
            ("partner", "partner", "1983-02-14", {"activite": "inactif"}, "inactive"),
            ("c1", "child", "2022-01-08", {"scolarite": "maternelle"}, None),
            ("c2", "child", "2018-07-21", {"scolarite": "primaire"}, None),
            ("c3", "child", "2011-04-02", {"scolarite": "lycee"}, None),
        ],
    },
    "couple_with_a_baby": {
        "commune": "35238",
        "housing": {"statut_occupation_logement": "locataire_vide", "loyer": 700},
        "v1_housing": {"tenure": "tenant", "rent": 700},
        "people": [
            (
                "me",
                "applicant",
                "1993-08-08",
                {"activite": "actif", "salaire_de_base": 1800},
                "employed",
            ),
            ("partner", "partner", "1994-10-10", {"activite": "inactif"}, "inactive"),
            ("baby", "child", "2026-05-17", {}, None),
        ],
    },
    "student": {
        "commune": "35238",
        "housing": {"statut_occupation_logement": "locataire_meuble", "loyer": 420},
        "v1_housing": {"tenure": "tenant", "rent": 420, "furnished": True},
        "people": [
            (
                "me",
                "applicant",
                "2005-03-25",
                {"activite": "etudiant", "bourse_enseignement_sup": 300},
                "student",
            ),
        ],
    },
    "disabled_adult_working_part_time": {
        "commune": "75056",
        "housing": {"statut_occupation_logement": "locataire_vide", "loyer": 500},
        "v1_housing": {"tenure": "tenant", "rent": 500},
        "people": [
            (
                "me",
                "applicant",
                "1979-12-01",
                {
                    "activite": "actif",
                    "salaire_de_base": 700,
                    "taux_incapacite": 0.8,
                    "handicap": True,
                },
                "employed",
            ),
        ],
    },
    "retiree_with_a_small_pension": {
        "commune": "35238",
        "housing": {"statut_occupation_logement": "locataire_vide", "loyer": 380},
        "v1_housing": {"tenure": "tenant", "rent": 380},
        "people": [
            (
                "me",
                "applicant",
                "1950-05-05",
                {"activite": "retraite", "retraite_brute": 650},
                "retired",
            ),
        ],
    },
}

V1_INCOMES = {
    "salaire_net": "salary",
    "retraite_nette": "pension",
    "bourse_enseignement_sup": "scholarship",
}


def handwritten_situation():
    situation = {"individus": {}, "familles": {}, "foyers_fiscaux": {}, "menages": {}}
    for name, shape in SHAPES.items():
        parents, children = [], []
        for person_id, role, born, inputs, _activity in shape["people"]:
            full_id = f"{name}.{person_id}"
            person = {"date_naissance": {"ETERNITY": born}}
            for variable, value in inputs.items():
                person[variable] = constant(value)
            situation["individus"][full_id] = person
            (children if role == "child" else parents).append(full_id)
        if len(parents) == 2:
            for parent in parents:
                situation["individus"][parent]["statut_marital"] = constant("pacse")
        situation["familles"][name] = {"parents": parents, "enfants": children}
        situation["foyers_fiscaux"][name] = {
            "declarants": parents,
            "personnes_a_charge": children,
        }
        menage = {
            "personne_de_reference": parents[:1],
            "conjoint": parents[1:],
            "enfants": children,
            "depcom": constant(shape["commune"]),
        }
        menage.update({k: constant(v) for k, v in shape["housing"].items()})
        situation["menages"][name] = menage
    return situation


@pytest.fixture(scope="module")
def reference():
    system = tax_benefit_system()
    simulation = SimulationBuilder().build_from_entities(
        system, handwritten_situation()
    )
    # OpenFisca's default of one spiral loop cuts "taxable income of N-2 depends on the
    # CSG rate, which depends on the taxable income of N-4" at the first level, and
    # the retiree's 2024 income then depends on the order of calculations (chèque
    # énergie 98 € instead of the 194 € its scale gives for a taxable income per
    # consumption unit under 5,700 €).
    simulation.max_spiral_loops = 2
    return simulation


def v1_household(name, reference):
    shape = SHAPES[name]
    persons = list(reference.persons.ids)
    members = []
    for person_id, role, born, inputs, activity in shape["people"]:
        position = persons.index(f"{name}.{person_id}")
        incomes = {}
        for variable, income in V1_INCOMES.items():
            net = float(reference.calculate(variable, MONTH)[position])
            if net:
                incomes[income] = round(net, 2)
        member = {"id": person_id, "role": role, "birth_date": born}
        if activity:
            member["activity"] = activity
        if incomes:
            member["incomes"] = incomes
        if "taux_incapacite" in inputs:
            member["disability_rate"] = inputs["taux_incapacite"]
        if "scolarite" in inputs:
            member["schooling"] = inputs["scolarite"]
        members.append(member)
    return parse_request(
        {
            "month": MONTH,
            "household": {
                "commune": shape["commune"],
                "housing": shape["v1_housing"],
                "members": members,
            },
        }
    )


@pytest.fixture(scope="module")
def service_results(reference):
    names = list(SHAPES)
    results = simulate([v1_household(name, reference) for name in names])
    return dict(zip(names, results, strict=True))


def reference_amount(reference, benefit, name):
    period = MONTH if benefit.period == "month" else MONTH[:4]
    values = reference.calculate(benefit.variable, period)
    population = reference.populations[benefit.entity]
    if benefit.entity == "individu":
        people = [
            position
            for position, person_id in enumerate(population.ids)
            if person_id.startswith(f"{name}.")
        ]
        if benefit.type == "boolean":
            return any(bool(values[p]) for p in people)
        if benefit.unit == "percent":  # a reduction rate each: the best one
            return round(max(float(values[p]) for p in people), 2)
        return round(sum(float(values[p]) for p in people), 2)
    value = values[list(population.ids).index(name)]
    return bool(value) if benefit.type == "boolean" else round(float(value), 2)


@pytest.mark.parametrize("name", list(SHAPES))
def test_every_benefit_matches_openfisca_run_on_the_handwritten_situation(
    name, reference, service_results
):
    results = {b.benefit.id: b for b in service_results[name].benefits}
    assert results, "a household always gets the national benefits"
    differences = {}
    for benefit in load_catalog():
        if benefit.id not in results:
            continue  # not in this household's territory
        ours = results[benefit.id]
        if ours.status == "not_computable":
            continue
        expected = reference_amount(reference, benefit, name)
        if benefit.type == "boolean":
            if ours.amount != expected:
                differences[benefit.id] = (ours.amount, expected)
        elif ours.amount != pytest.approx(expected, abs=0.01):
            differences[benefit.id] = (ours.amount, expected)
    assert not differences, differences


def test_the_shapes_cover_the_main_benefits(service_results):
    eligible = {
        benefit.benefit.id
        for results in service_results.values()
        for benefit in results.benefits
        if benefit.status == "eligible"
    }
    for benefit_id in ("rsa", "ppa", "aide_logement", "af", "aah", "aspa", "paje_base"):
        assert benefit_id in eligible, f"no shape is eligible to {benefit_id}"
