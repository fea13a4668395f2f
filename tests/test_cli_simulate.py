"""The `simulate` command: one household file in, results out (JSON or a table).

The command is invoked directly with click's runner, independent of the app factory.
Simulations take seconds, so the two that run here are shared by module fixtures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from webapp.cli_simulate import euros, results_table, simulate

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SINGLE_NO_INCOME = str(EXAMPLES / "single-no-income.json")


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(simulate, list(args), input=stdin)


def create_file(tmp_path: Path, text: str, name: str = "household.json") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def json_results() -> dict[str, Any]:
    result = invoke(SINGLE_NO_INCOME, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def french_table() -> str:
    result = invoke(SINGLE_NO_INCOME)
    assert result.exit_code == 0, result.output
    return result.stdout


def by_id(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {benefit["id"]: benefit for benefit in results["benefits"]}


def test_the_json_output_follows_the_results_contract(
    json_results: dict[str, Any],
) -> None:
    assert {"month", "rules", "benefits"} <= set(json_results)
    assert json_results["month"] == "2026-11"
    assert "openfisca-france" in json_results["rules"]
    assert json_results["benefits"]
    for benefit in json_results["benefits"]:
        assert {"id", "status", "amount", "reasons", "how_to_apply"} <= set(benefit)
        assert benefit["status"] in {"eligible", "not_eligible", "not_computable"}
        assert benefit["how_to_apply"]["url"].startswith("https://")


def test_the_json_output_finds_rsa_for_a_single_adult_without_income(
    json_results: dict[str, Any],
) -> None:
    rsa = by_id(json_results)["rsa"]
    assert rsa["status"] == "eligible"
    assert rsa["amount"] > 0
    assert rsa["label"].startswith("Revenu de solidarité active")


def test_the_table_lists_rsa_among_the_eligible_benefits(french_table: str) -> None:
    eligible, _, rest = french_table.partition("Aides auxquelles vous n'avez pas droit")
    assert "Aides auxquelles vous avez droit" in eligible
    rsa_line = next(line for line in eligible.splitlines() if "(RSA)" in line)
    assert "€/mois" in rsa_line
    assert "CAF" in rsa_line
    assert "Aides que le simulateur ne peut pas calculer" in rest


def test_the_table_gives_the_monthly_total_and_where_to_apply(
    french_table: str, json_results: dict[str, Any]
) -> None:
    assert "Total par mois des aides mensuelles : " in french_table
    where = french_table.partition("Où faire la demande")[2]
    assert by_id(json_results)["rsa"]["how_to_apply"]["url"] in where
    assert "Règles : openfisca-core" in french_table


def test_the_total_adds_only_eligible_monthly_amounts(
    json_results: dict[str, Any],
) -> None:
    expected = sum(
        benefit["amount"]
        for benefit in json_results["benefits"]
        if benefit["status"] == "eligible"
        and benefit["period"] == "month"
        and benefit["unit"] == "EUR"
    )
    table = results_table(json_results, "en")
    assert f"Total per month of the monthly benefits: €{expected:,.2f}/month" in table


def test_the_table_explains_why_a_benefit_is_not_eligible(
    json_results: dict[str, Any],
) -> None:
    not_eligible = next(
        b for b in json_results["benefits"] if b["status"] == "not_eligible"
    )
    table = results_table(json_results, "fr")
    section = table.partition("Aides auxquelles vous n'avez pas droit")[2]
    assert not_eligible["label"] in section
    first_words = " ".join(not_eligible["reasons"][0].split()[:4])
    assert first_words in " ".join(section.split())


def test_the_table_shows_the_message_of_a_benefit_not_computable(
    json_results: dict[str, Any],
) -> None:
    results = json.loads(json.dumps(json_results))
    benefit = results["benefits"][0]
    benefit.update(status="not_computable", amount=None, reasons=["Voyez la CAF."])
    section = results_table(results, "fr").partition("ne peut pas calculer")[2]
    assert benefit["label"] in section
    assert "Voyez la CAF." in section


@pytest.mark.parametrize(
    ("amount", "period", "language", "text"),
    [
        pytest.param(573.49, "month", "fr", "573,49\u00a0€/mois", id="fr per month"),
        pytest.param(573.49, "month", "en", "€573.49/month", id="en per month"),
        pytest.param(
            1234.5, "year", "fr", "1\u202f234,50\u00a0€/an", id="fr groups thousands"
        ),
        pytest.param(1234.5, "year", "en", "€1,234.50/year", id="en groups thousands"),
    ],
)
def test_amounts_read_as_each_language_writes_them(
    amount: float, period: str, language: str, text: str
) -> None:
    assert euros(amount, period, language) == text


def test_an_invalid_household_exits_with_status_2_naming_the_field(
    tmp_path: Path,
) -> None:
    data = json.loads(Path(SINGLE_NO_INCOME).read_text(encoding="utf-8"))
    data["household"]["members"][0]["birth_date"] = "2018-02-30"
    data["household"]["commune"] = "99999"
    result = invoke(create_file(tmp_path, json.dumps(data)))
    assert result.exit_code == 2
    assert "household.members[0].birth_date: Saisissez une date réelle" in (
        result.stderr
    )
    assert "household.commune: Aucune commune" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_an_invalid_household_is_explained_in_english_on_request(
    tmp_path: Path,
) -> None:
    path = create_file(tmp_path, '{"month": "2026-13", "household": {}}')
    result = invoke(path, "--lang", "en")
    assert result.exit_code == 2
    assert "month: Enter a month as YYYY-MM" in result.stderr
    assert "household.housing: This field is required." in result.stderr


def test_a_household_read_from_stdin_is_validated_too() -> None:
    result = invoke("-", stdin="[1, 2]")
    assert result.exit_code == 2
    assert "Objet JSON attendu." in result.stderr


def test_a_file_that_is_not_json_exits_with_status_2(tmp_path: Path) -> None:
    path = create_file(tmp_path, '{"month": "2026-11",,}')
    result = invoke(path)
    assert result.exit_code == 2
    assert "n'est pas un JSON valide (ligne 1, colonne 21)" in result.stderr
    assert "Traceback" not in result.output


def test_a_file_that_is_not_utf8_exits_with_status_2(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"commune": "Saint-Étienne"}'.encode("latin-1"))
    result = invoke(str(path), "--lang", "en")
    assert result.exit_code == 2
    assert "is not UTF-8 text" in result.stderr


def test_a_missing_file_gets_clicks_usual_error(tmp_path: Path) -> None:
    result = invoke(str(tmp_path / "nowhere.json"))
    assert result.exit_code == 2
    assert "No such file or directory" in result.stderr


def test_the_app_registers_the_command(app: Flask) -> None:
    assert app.cli.get_command(None, "simulate") is simulate  # type: ignore[arg-type]
