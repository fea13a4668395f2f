"""Household shapes against amounts published by the administration.

The month simulated is June 2025, whose scales are published and settled. Every amount
below comes from the cited text, never from this project's output. The shapes are
simulated together, in one batch, as the service does.
"""

import pytest

from simulator.household import parse_request
from simulator.results import simulate

MONTH = "2025-06"

# RSA, montant forfaitaire for one person from 1 April 2025: 646.52 €
# (décret n° 2025-293 du 29 mars 2025; service-public.fr F19778, "Montant du RSA").
RSA_SINGLE_2025 = 646.52
# Forfait logement deducted from the RSA of a person housed free of charge or receiving
# housing aid, one person: 12 % of the lump sum, 77.58 € (service-public.fr F19778).
RSA_HOUSING_LUMP_SUM_SINGLE_2025 = 77.58
# AAH, full rate from 1 April 2025: 1,033.32 € a month (décret n° 2025-297 du
# 29 mars 2025; service-public.fr F12242).
AAH_FULL_2025 = 1033.32
# ASPA, yearly ceiling for a single person from 1 January 2025: 12,411.44 €, shown as
# 1,034.28 € a month (circulaire Cnav 2024-39 du 23 décembre 2024; service-public.fr
# F16871).
ASPA_SINGLE_2025 = 12411.44 / 12
# Allocations familiales, 2 children, from 1 April 2025: 32 % of the BMAF of 474.37 €
# (instruction interministérielle DSS/2A/2C/2025/32 du 7 mars 2025), 151.80 € a month.
AF_TWO_CHILDREN_2025 = 151.80


def household(members, housing=None, commune="35238"):
    return parse_request(
        {
            "month": MONTH,
            "household": {
                "commune": commune,
                "housing": housing or {"tenure": "tenant", "rent": 500},
                "members": members,
            },
        }
    )


def adult(member_id="me", role="applicant", born="1985-03-01", **fields):
    return {"id": member_id, "role": role, "birth_date": born, **fields}


SHAPES = {
    "single_no_income_hosted": household(
        [adult(activity="inactive")], {"tenure": "hosted_free"}
    ),
    "disabled_adult": household([adult(activity="inactive", disability_rate=0.8)]),
    "retiree_low_pension": household(
        [adult(born="1953-03-01", activity="retired", incomes={"pension": 500})]
    ),
    "couple_two_children": household(
        [
            adult(activity="inactive"),
            adult("partner", "partner", activity="inactive"),
            {"id": "c1", "role": "child", "birth_date": "2015-03-01"},
            {"id": "c2", "role": "child", "birth_date": "2012-03-01"},
        ]
    ),
    "student_under_25": household(
        [adult(born="2004-09-01", activity="student")], {"tenure": "hosted_free"}
    ),
}


@pytest.fixture(scope="module")
def results():
    names = list(SHAPES)
    computed = simulate([SHAPES[name] for name in names])
    return {
        name: {benefit.benefit.id: benefit for benefit in result.benefits}
        for name, result in zip(names, computed, strict=True)
    }


def test_single_adult_without_income_gets_rsa_lump_sum_minus_housing_lump_sum(results):
    rsa = results["single_no_income_hosted"]["rsa"]
    assert rsa.status == "eligible"
    expected = RSA_SINGLE_2025 - RSA_HOUSING_LUMP_SUM_SINGLE_2025
    assert rsa.amount == pytest.approx(expected, abs=0.01)


def test_single_adult_without_income_gets_no_prime_d_activite(results):
    assert results["single_no_income_hosted"]["ppa"].status == "not_eligible"


def test_adult_disabled_at_80_percent_without_income_gets_full_aah(results):
    aah = results["disabled_adult"]["aah"]
    assert aah.status == "eligible"
    assert aah.amount == pytest.approx(AAH_FULL_2025, abs=0.01)


def test_retiree_gets_aspa_up_to_the_ceiling_minus_the_pension(results):
    aspa = results["retiree_low_pension"]["aspa"]
    assert aspa.status == "eligible"
    # The pension of 500 € is below the CSG exemption threshold: gross equals net.
    assert aspa.amount == pytest.approx(ASPA_SINGLE_2025 - 500, abs=0.01)


def test_couple_with_two_children_gets_allocations_familiales(results):
    af = results["couple_two_children"]["af"]
    assert af.status == "eligible"
    assert af.amount == pytest.approx(AF_TWO_CHILDREN_2025, abs=0.01)


def test_couple_with_two_children_without_income_gets_rsa(results):
    assert results["couple_two_children"]["rsa"].status == "eligible"


def test_student_under_25_without_child_gets_no_rsa_and_is_told_why(results):
    rsa = results["student_under_25"]["rsa"]
    assert rsa.status == "not_eligible"
    unmet = [condition for condition in rsa.conditions if not condition.met]
    assert unmet, "the reasons must name the unmet condition"


def test_rsa_reasons_quote_the_lump_sum_of_the_month(results):
    rsa = results["single_no_income_hosted"]["rsa"]
    limits = [condition.limit for condition in rsa.conditions if condition.limit]
    assert any(limit == pytest.approx(RSA_SINGLE_2025, abs=0.01) for limit in limits), (
        limits
    )
