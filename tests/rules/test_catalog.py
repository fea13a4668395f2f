"""The benefit catalog: every file valid against its schema and sound for the rules."""

from pathlib import Path

import jsonschema
import pytest
import yaml

from rules.catalog import CATALOG_DIR, json_schema, load_benefit, load_catalog
from rules.system import checked_catalog, tax_benefit_system
from simulator.territory import communes

FILES = sorted(CATALOG_DIR.glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_every_catalog_file_is_valid_against_the_json_schema(path: Path):
    with path.open(encoding="utf-8") as stream:
        jsonschema.validate(yaml.safe_load(stream), json_schema())
    assert load_benefit(path).id == path.stem


def test_every_variable_the_catalog_names_exists_with_its_entity_and_period():
    assert len(checked_catalog()) == len(FILES)


def test_the_catalog_check_reports_an_unknown_variable():
    from rules.catalog import catalog_problems

    benefit = load_catalog()[0].model_copy(update={"variable": "no_such_variable"})
    problems = catalog_problems(tax_benefit_system(), (benefit,))
    assert problems and "no_such_variable" in problems[0]


def test_the_catalog_has_at_least_25_national_benefits():
    national = [b for b in load_catalog() if b.territory.national]
    assert len(national) >= 25, [b.id for b in national]


def test_the_catalog_has_at_least_10_local_aids_with_paris_and_rennes():
    local = [b for b in load_catalog() if not b.territory.national]
    assert len(local) >= 10, [b.id for b in local]
    paris = communes().get("75056")
    rennes = communes().get("35238")
    assert any(paris.code in b.territory.communes for b in local)
    assert any(set(rennes.epcis) & set(b.territory.epcis) for b in local)


REQUIRED_NATIONAL = {
    "rsa",
    "ppa",
    "aide_logement",
    "af",
    "cf",
    "asf",
    "paje_base",
    "ars",
    "aah",
    "aeeh",
    "aspa",
    "asi",
    "ass",
}


def test_the_catalog_holds_the_main_national_benefits():
    assert REQUIRED_NATIONAL <= {b.id for b in load_catalog()}


def test_local_territories_name_real_areas():
    table = communes()
    epcis = {epci for commune in table.by_code.values() for epci in commune.epcis}
    for benefit in load_catalog():
        for code in benefit.territory.communes:
            assert table.get(code) is not None, (benefit.id, code)
        for siren in benefit.territory.epcis:
            assert siren in epcis, (benefit.id, siren)


def test_sentences_never_state_an_amount_of_their_own():
    # Amounts come from the rules through {value} and {limit}, never typed in a text.
    import re

    euro_figure = re.compile(r"\d[\d  .,]*\s?(€|euros?)")
    for benefit in load_catalog():
        for explanation in benefit.explanations:
            for text in (explanation.met, explanation.unmet):
                for sentence in (text.fr, text.en):
                    assert not euro_figure.search(sentence), (benefit.id, sentence)
