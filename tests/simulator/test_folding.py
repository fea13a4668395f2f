"""Folding the constant part of the rules changes no value the results read.

rules/folding.yaml neutralises the variables no household of a broad generated corpus
moved from their default; here households of other seeds, over several months, get
every catalog variable (amounts, explanation variables, limits) identical with and
without folding, at full precision. The benchmark does the same on more households.
"""

import pytest

from benchmarks.corpus import corpus
from rules.folding import folded_system, load_folding, stale_reasons
from rules.system import checked_catalog, tax_benefit_system
from simulator.engine import catalog_variables, run, system_for
from simulator.household import parse_request
from simulator.situation import (
    DIRECT_MONTHLY_INCOMES,
    GROSSED_UP_INCOMES,
    compact_situation,
)
from tests.simulator.values import same, values_read

MONTHS = ["2023-03", "2026-11", "2027-12"]
HOUSEHOLDS_A_MONTH = 100


@pytest.fixture(scope="module")
def folding():
    found = load_folding()
    assert found is not None, "rules/folding.yaml is missing"
    return found


def test_the_folding_holds_for_these_rules_and_this_catalog(folding):
    reasons = stale_reasons(folding, set(catalog_variables(checked_catalog())))
    assert not reasons, (
        "rules/folding.yaml is stale: run python -m benchmarks.derive_folding "
        f"({'; '.join(reasons)})"
    )


def test_the_service_folds_the_months_the_folding_covers(folding):
    assert system_for(folding.first_month) is not tax_benefit_system()
    assert system_for(folding.last_month) is not tax_benefit_system()
    before = f"{int(folding.first_month[:4]) - 1}-12"
    assert system_for(before) is tax_benefit_system()


def test_no_input_of_the_mapping_nor_value_read_by_the_results_is_neutralised(
    folding,
):
    requests = [parse_request(data) for data in corpus(300, seed=7, month=None)]
    situation = compact_situation(requests)
    inputs = {
        name
        for members in situation.values()
        for variables in members.values()
        for name, value in variables.items()
        if not isinstance(value, list)
    }
    inputs |= set(DIRECT_MONTHLY_INCOMES.values())
    inputs |= {gross for gross, _net in GROSSED_UP_INCOMES.values()}
    neutralised = set(folding.variables)
    assert not neutralised & inputs
    assert not neutralised & set(catalog_variables(checked_catalog()))
    system = folded_system(frozenset(catalog_variables(checked_catalog())))[1]
    assert all(system.variables[name].is_neutralized for name in neutralised)


@pytest.mark.parametrize("month", MONTHS)
def test_every_value_the_results_read_is_identical_with_and_without_folding(month):
    requests = [
        parse_request(data)
        for data in corpus(HOUSEHOLDS_A_MONTH, seed=int(month[:4]) + 7, month=month)
    ]
    folded = run(requests)
    plain = run(requests, system=tax_benefit_system())
    assert folded.parts[0].simulation.tax_benefit_system is not tax_benefit_system()
    differences = []
    for index, request in enumerate(requests):
        with_folding = values_read(folded, index, request)
        without = values_read(plain, index, request)
        differences += [
            (index, key, with_folding[key], without[key])
            for key in without
            if not same(with_folding[key], without[key])
        ]
    assert not differences, differences[:10]
