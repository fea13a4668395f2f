"""The mapping from a v1 household to an OpenFisca situation; net → gross incomes."""

import pytest

from benchmarks.corpus import corpus
from simulator import situation
from simulator.engine import run
from simulator.gross import gross_factors
from simulator.household import parse_request
from simulator.results import simulate
from simulator.simulation import new_simulation
from simulator.situation import (
    TAXABLE_INCOMES,
    build_situation,
    months_read,
    months_without_income,
)
from tests.simulator.values import same, values_read


def request(members, housing=None, commune="35238", month="2026-11"):
    return parse_request(
        {
            "month": month,
            "household": {
                "commune": commune,
                "housing": housing or {"tenure": "tenant", "rent": 600},
                "members": members,
            },
        }
    )


FAMILY = request(
    [
        {"id": "me", "role": "applicant", "birth_date": "1985-01-01"},
        {"id": "you", "role": "partner", "birth_date": "1986-01-01"},
        {"id": "kid", "role": "child", "birth_date": "2015-01-01"},
        {"id": "granny", "role": "other", "birth_date": "1950-01-01"},
    ]
)


def test_months_read_run_from_january_of_year_n_minus_2_to_the_month():
    months = months_read("2026-11")
    assert months[0] == "2024-01"
    assert months[-1] == "2026-11"
    assert len(months) == 24 + 11
    assert len(set(months)) == len(months)


def test_members_get_their_openfisca_roles():
    situation = build_situation([FAMILY])
    assert situation["familles"]["h0_famille"] == {
        "parents": ["h0_me", "h0_you"],
        "enfants": ["h0_kid"],
    }
    foyer = situation["foyers_fiscaux"]["h0_foyer"]
    assert foyer["declarants"] == ["h0_me", "h0_you"]
    assert foyer["personnes_a_charge"] == ["h0_kid"]
    menage = situation["menages"]["h0_menage"]
    assert menage["personne_de_reference"] == ["h0_me"]
    assert menage["conjoint"] == ["h0_you"]
    assert menage["enfants"] == ["h0_kid"]
    assert menage["autres"] == ["h0_granny"]


def test_another_adult_of_the_home_is_a_family_and_tax_household_of_their_own():
    situation = build_situation([FAMILY])
    assert situation["familles"]["h0_famille_granny"] == {"parents": ["h0_granny"]}
    assert situation["foyers_fiscaux"]["h0_foyer_granny"]["declarants"] == ["h0_granny"]


def test_the_years_before_january_n_minus_2_have_no_taxable_income():
    # The household model has no income before January N-2: OpenFisca is told so,
    # for the four years before it, for every tax household.
    situation = build_situation([FAMILY])
    for foyer in ("h0_foyer", "h0_foyer_granny"):
        assert situation["foyers_fiscaux"][foyer]["rfr"] == {
            "2020": 0.0,
            "2021": 0.0,
            "2022": 0.0,
            "2023": 0.0,
        }


def test_housing_is_filled_for_every_month_read_not_only_the_simulated_one():
    situation = build_situation([FAMILY])
    menage = situation["menages"]["h0_menage"]
    months = months_read("2026-11")
    assert menage["loyer"] == dict.fromkeys(months, 600)
    assert menage["depcom"] == dict.fromkeys(months, "35238")
    assert menage["statut_occupation_logement"] == dict.fromkeys(
        months, "locataire_vide"
    )


@pytest.mark.parametrize(
    ("housing", "status"),
    [
        ({"tenure": "tenant", "rent": 500}, "locataire_vide"),
        ({"tenure": "tenant", "rent": 500, "furnished": True}, "locataire_meuble"),
        ({"tenure": "tenant", "rent": 500, "social_housing": True}, "locataire_hlm"),
        ({"tenure": "owner"}, "proprietaire"),
        ({"tenure": "owner_with_loan", "loan_payment": 700}, "primo_accedant"),
        ({"tenure": "hosted_free"}, "loge_gratuitement"),
        ({"tenure": "homeless"}, "sans_domicile"),
    ],
)
def test_tenure_maps_to_openfisca_occupancy_status(housing, status):
    single = request(
        [{"id": "me", "role": "applicant", "birth_date": "1985-01-01"}], housing
    )
    menage = build_situation([single])["menages"]["h0_menage"]
    assert set(menage["statut_occupation_logement"].values()) == {status}


def test_income_history_overrides_the_stable_amount_for_its_months_only():
    member = {
        "id": "me",
        "role": "applicant",
        "birth_date": "1985-01-01",
        "activity": "employed",
        "incomes": {"alimony_received": 200},
        "history": {"alimony_received": {"2026-10": 50, "2025-01": 0}},
    }
    person = build_situation([request([member])])["individus"]["h0_me"]
    alimony = person["pensions_alimentaires_percues"]
    assert alimony["2026-10"] == 50
    assert alimony["2025-01"] == 0
    assert alimony["2026-11"] == 200
    assert alimony["2024-01"] == 200


def test_partners_share_a_tax_household_as_a_civil_partnership():
    person = build_situation([FAMILY])["individus"]["h0_you"]
    assert set(person["statut_marital"].values()) == {"pacse"}


NET_AMOUNTS = [
    ("salary", "salaire_net", "employed", 450.0),
    ("salary", "salaire_net", "employed", 1470.0),
    ("salary", "salaire_net", "employed", 2750.5),
    ("salary", "salaire_net", "employed", 7000.0),
    ("salary", "salaire_net", "apprentice", 900.0),
    ("pension", "retraite_nette", "retired", 700.0),
    ("pension", "retraite_nette", "retired", 1800.0),
    ("pension", "retraite_nette", "retired", 3500.0),
    ("unemployment", "chomage_net", "unemployed", 950.0),
    ("unemployment", "chomage_net", "unemployed", 2100.0),
]


def test_net_incomes_round_trip_through_openfisca_gross_formulas():
    requests = [
        request(
            [
                {
                    "id": "me",
                    "role": "applicant",
                    "birth_date": "1960-01-01",
                    "activity": activity,
                    "incomes": {income: amount},
                }
            ]
        )
        for income, _variable, activity, amount in NET_AMOUNTS
    ]
    factors = gross_factors(requests)
    simulation = new_simulation(build_situation(requests, factors), ["2024", "2025"])
    for index, (income, variable, _activity, amount) in enumerate(NET_AMOUNTS):
        net = simulation.calculate(variable, "2026-11")[index]
        assert net == pytest.approx(amount, abs=0.01), (income, amount)
        # Contributions only ever take away; salaries always bear some (a small
        # pension is exempt from CSG, so its gross may equal its net).
        factor = factors[(index, "me", income)]
        assert factor > 1 if income == "salary" else factor >= 1, (income, amount)


def test_the_simulation_results_are_read_from_gives_back_the_nets_people_gave():
    # A retiree whose partner draws a large unemployment benefit: the CSG rate on
    # both depends on the couple's taxable income of N-2, itself made of the grossed-up
    # amounts. The simulation the results are read from must give back, at the
    # simulated month, the very nets the household gave (they once came out 1.9 % and
    # 6.6 % lower, when OpenFisca cut the CSG chain's spiral somewhere else).
    couple = request(
        [
            {
                "id": "me",
                "role": "applicant",
                "birth_date": "1946-10-09",
                "activity": "retired",
                "incomes": {"pension": 1120.10},
            },
            {
                "id": "you",
                "role": "partner",
                "birth_date": "1961-06-06",
                "activity": "unemployed",
                "incomes": {"unemployment": 4349.51},
            },
        ],
        month="2027-07",
    )
    single = request(
        [
            {
                "id": "me",
                "role": "applicant",
                "birth_date": "1958-03-01",
                "activity": "retired",
                "incomes": {"pension": 2300.0, "salary": 800.0},
            }
        ],
        month="2027-07",
    )
    for batch in ([couple], [single], [couple, single]):
        simulation = run(batch).simulation
        nets = {
            variable: simulation.calculate(variable, "2027-07")
            for variable in ("retraite_nette", "chomage_net", "salaire_net")
        }
        people = list(simulation.persons.ids)
        expected = {
            ("h0_me", "retraite_nette"): 1120.10,
            ("h0_you", "chomage_net"): 4349.51,
        }
        if len(batch) == 2:
            expected.update(
                {("h1_me", "retraite_nette"): 2300.0, ("h1_me", "salaire_net"): 800.0}
            )
        elif batch[0] is single:
            expected = {
                ("h0_me", "retraite_nette"): 2300.0,
                ("h0_me", "salaire_net"): 800.0,
            }
        for (person, variable), amount in expected.items():
            net = nets[variable][people.index(person)]
            assert net == pytest.approx(amount, abs=0.01), (person, variable)


def test_taxable_salary_reaches_housing_aid_through_the_gross_amount():
    # Measured on OpenFisca-France with the net salary alone: 351 € of housing aid for
    # a single earner of 1,470 € in Paris, as if there were no income at all.
    earner = request(
        [
            {
                "id": "me",
                "role": "applicant",
                "birth_date": "1990-01-01",
                "activity": "employed",
                "incomes": {"salary": 1470},
            }
        ],
        {"tenure": "tenant", "rent": 700},
        commune="75056",
    )
    computed = run([earner])
    assert computed.simulation.calculate("salaire_imposable", "2024-06")[0] > 1470
    (results,) = simulate([earner])
    housing = next(b for b in results.benefits if b.benefit.id == "aide_logement")
    assert housing.status == "not_eligible"


def test_reasons_speak_of_the_member_who_gets_an_individual_benefit():
    # Lyon's Revenu Solidarité Jeunes goes to the 19-year-old, not to the parent:
    # its age condition must quote the young person's age.
    family = request(
        [
            {
                "id": "me",
                "role": "applicant",
                "birth_date": "1980-01-01",
                "activity": "employed",
                "incomes": {"salary": 1400},
            },
            {
                "id": "young",
                "role": "child",
                "birth_date": "2007-01-15",
                "activity": "inactive",
            },
        ],
        {"tenure": "tenant", "rent": 550},
        commune="69123",
    )
    (results,) = simulate([family])
    youth = next(
        b for b in results.benefits if b.benefit.id == "revenu_solidaire_jeune"
    )
    assert [m["id"] for m in youth.members if m["amount"]] == ["young"]
    ages = [c.value for c in youth.conditions if c.variable == "age"]
    assert ages and set(ages) == {19}, youth.conditions  # minimum and maximum age


def test_a_condition_on_any_child_is_unmet_without_children():
    single = request(
        [{"id": "me", "role": "applicant", "birth_date": "1990-01-01"}],
        {"tenure": "hosted_free"},
    )
    (results,) = simulate([single])
    ars = next(b for b in results.benefits if b.benefit.id == "ars")
    child_conditions = [
        c
        for c, e in zip(ars.conditions, ars.benefit.explanations, strict=True)
        if e.who == "any_child"
    ]
    assert child_conditions and not any(c.met for c in child_conditions)


@pytest.mark.parametrize("month", ["2024-07", "2027-01"])
def test_zero_taxable_incomes_before_january_n_minus_2_change_no_value(
    month, monkeypatch
):
    # The mapping gives OpenFisca the taxable incomes of the years without income
    # (zero) instead of letting it compute them through their contributions: every
    # value the results read must be what OpenFisca computes itself.
    requests = [
        parse_request(data) for data in corpus(60, seed=int(month[:4]), month=month)
    ]
    given = run(requests)
    applicant = requests[0].household.members[0].id
    person = build_situation(requests[:1])["individus"][f"h0_{applicant}"]
    first = months_without_income(month)[0]
    assert all(person[variable][first] == 0 for variable in TAXABLE_INCOMES)
    monkeypatch.setattr(situation, "TAXABLE_INCOMES", ())
    computed = run(requests)
    differences = []
    for index, request in enumerate(requests):
        expected = values_read(computed, index, request)
        mapped = values_read(given, index, request)
        differences += [key for key in expected if not same(mapped[key], expected[key])]
    assert not differences, differences[:10]


def test_the_gross_up_steps_let_go_of_their_values_once_checked(monkeypatch):
    from simulator import gross

    made = []
    simulate_step = gross.simulate

    def recording(*args, **kwargs):
        made.append(simulate_step(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(gross, "simulate", recording)
    requests = [parse_request(data) for data in corpus(20, seed=4, month="2026-11")]
    _factors, solved = gross.solve(requests)
    steps = [simulation for simulation in made if simulation is not solved.simulation]

    def held(simulation):
        return sum(
            len(holder._memory_storage._arrays)
            for population in simulation.populations.values()
            for holder in population._holders.values()
        )

    assert len(steps) >= 2
    assert [held(simulation) for simulation in steps] == [0] * len(steps)
    assert held(solved.simulation) > 100  # the simulation results are read from


def test_the_simulation_results_are_read_from_lets_go_of_its_values(monkeypatch):
    from simulator import results as results_module

    made = []
    run_batch = results_module.run

    def recording(requests):
        made.append(run_batch(requests))
        return made[-1]

    monkeypatch.setattr(results_module, "run", recording)
    requests = [parse_request(data) for data in corpus(3, seed=6, month="2026-11")]
    results = simulate(requests)
    (computed,) = made
    held = [
        len(holder._memory_storage._arrays)
        for part in computed.parts
        for population in part.simulation.populations.values()
        for holder in population._holders.values()
    ]
    assert held and not any(held)
    assert all(result.to_json("fr") for result in results)  # the results stand alone


def test_a_steps_few_households_without_a_pension_join_the_others_simulation():
    from simulator.gross import JOIN_AT_MOST, light_steps

    years = ("2024",)
    few = list(range(JOIN_AT_MOST))
    assert light_steps([*few, 100], {100}, years) == [([*few, 100], years)]
    many = list(range(JOIN_AT_MOST + 1))
    assert light_steps([*many, 100], {100}, years) == [(many, ()), ([100], years)]
    assert light_steps([1, 2], set(), years) == [([1, 2], ())]
    assert light_steps([1, 2], {1, 2}, years) == [([1, 2], years)]


def test_nets_without_a_pension_are_the_same_whether_joined_or_not(monkeypatch):
    # What makes joining sound: a salary's net does not read the taxable income of
    # N-2, so whether it is computed first changes no factor, bit for bit; a
    # household's factors stay the same whatever the households beside it.
    from simulator import gross

    requests = [
        parse_request(data)
        for month, seed in (("2026-11", 777), ("2024-06", 778))
        for data in corpus(60, seed=seed, month=month)
    ]
    groups = {}
    for item in requests:
        groups.setdefault(item.month, []).append(item)

    def factors_of(join_at_most):
        monkeypatch.setattr(gross, "JOIN_AT_MOST", join_at_most)
        found = {}
        for month, group in groups.items():
            found.update({(month, *k): v for k, v in gross_factors(group).items()})
        return found

    split = factors_of(-1)  # never joined
    joined = factors_of(10_000)  # always joined
    assert len(split) > 60
    assert joined == split
