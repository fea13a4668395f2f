"""`flask --app webapp simulate FILE.json`: simulate one household file from a shell."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import IO, Any, NoReturn

import click

from simulator.household import HouseholdError, SimulationRequest, parse_request
from simulator.results import simulate as simulate_requests
from simulator.territory import communes
from simulator.wording import display

# Status 2 is click's own for bad input (usage errors, missing files): keep one meaning.
BAD_INPUT = 2

WORDS = {
    "fr": {
        "heading": "Simulation pour {month}, commune {commune}",
        "eligible": "Aides auxquelles vous avez droit",
        "not_eligible": "Aides auxquelles vous n'avez pas droit",
        "not_computable": "Aides que le simulateur ne peut pas calculer",
        "none": "(aucune)",
        "entitled": "droit ouvert",
        "month": "mois",
        "year": "an",
        "once": "versement unique",
        "percent": "{rate} de réduction",
        "total": "Total par mois des aides mensuelles : {total}",
        "where": "Où faire la demande",
        "rules": "Règles : {versions}",
        "bad_json": "{name} n'est pas un JSON valide "
        "(ligne {line}, colonne {column}) : {problem}.",
        "bad_encoding": "{name} n'est pas un texte UTF-8 : enregistrez-le en UTF-8.",
        "invalid": "Le foyer ne respecte pas le contrat v1 :",
    },
    "en": {
        "heading": "Simulation for {month}, commune {commune}",
        "eligible": "Benefits you are entitled to",
        "not_eligible": "Benefits you are not entitled to",
        "not_computable": "Benefits the simulator cannot compute",
        "none": "(none)",
        "entitled": "entitled",
        "month": "month",
        "year": "year",
        "once": "one-off",
        "percent": "{rate} off",
        "total": "Total per month of the monthly benefits: {total}",
        "where": "Where to apply",
        "rules": "Rules: {versions}",
        "bad_json": "{name} is not valid JSON (line {line}, column {column}): "
        "{problem}.",
        "bad_encoding": "{name} is not UTF-8 text: save it as UTF-8.",
        "invalid": "The household breaks the v1 contract:",
    },
}


@click.command("simulate")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option(
    "--json", "as_json", is_flag=True, help="Print the results contract (v1) as JSON."
)
@click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help="Language of the labels, reasons and messages.",
)
def simulate(file: IO[str], as_json: bool, lang: str) -> None:
    """Simulate the household of FILE (JSON, v1 contract; '-' reads stdin)."""
    request = read_request(file, lang)
    results = simulate_requests([request])[0].to_json(lang)
    if as_json:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        click.echo(results_table(results, lang))


def read_request(file: IO[str], lang: str) -> SimulationRequest:
    """The validated request in `file`; on bad input, say why and exit with status 2."""
    words = WORDS[lang]
    name = click.format_filename(file.name)
    try:
        data = json.loads(file.read())
    except json.JSONDecodeError as exc:
        fail(
            words["bad_json"].format(
                name=name, line=exc.lineno, column=exc.colno, problem=exc.msg
            )
        )
    except UnicodeDecodeError:
        fail(words["bad_encoding"].format(name=name))
    try:
        return parse_request(data)
    except HouseholdError as exc:
        lines = [words["invalid"]]
        for error in exc.errors:
            message = error.message(lang)
            lines.append(f"{error.field}: {message}" if error.field else message)
        fail("\n".join(lines))


def fail(message: str) -> NoReturn:
    click.echo(message, err=True)
    raise click.exceptions.Exit(BAD_INPUT)


def results_table(results: dict[str, Any], lang: str) -> str:
    """The results contract as text: eligible, not eligible, not computable."""
    words = WORDS[lang]
    benefits = results["benefits"]
    by_status = {
        status: [b for b in benefits if b["status"] == status]
        for status in ("eligible", "not_eligible", "not_computable")
    }
    commune = communes().get(results["commune"])
    place = f"{commune.code} ({commune.name})" if commune else results["commune"]
    lines = [words["heading"].format(month=results["month"], commune=place), ""]

    lines.append(words["eligible"])
    lines += table(
        [
            (b["label"], amount_text(b, lang), b["institution"])
            for b in by_status["eligible"]
        ],
        words["none"],
        right_aligned=1,
    )
    lines += ["", words["not_eligible"]]
    lines += explained(
        [(b["label"], first(b["reasons"])) for b in by_status["not_eligible"]],
        words["none"],
    )
    lines += ["", words["not_computable"]]
    lines += explained(
        [(b["label"], " ".join(b["reasons"])) for b in by_status["not_computable"]],
        words["none"],
    )

    monthly = [
        b["amount"]
        for b in by_status["eligible"]
        if b["period"] == "month"
        and b["unit"] == "EUR"
        and b["direction"] == "received"
    ]
    total = euros(round(sum(monthly), 2), "month", lang)
    lines += ["", words["total"].format(total=total)]

    if by_status["eligible"]:
        lines += ["", words["where"]]
        lines += table(
            [(b["label"], b["how_to_apply"]["url"]) for b in by_status["eligible"]],
            words["none"],
        )
    versions = ", ".join(f"{name} {v}" for name, v in results["rules"].items())
    lines += ["", words["rules"].format(versions=versions)]
    return "\n".join(lines)


def amount_text(benefit: dict[str, Any], lang: str) -> str:
    if benefit["unit"] == "boolean":
        return WORDS[lang]["entitled"]
    if benefit["unit"] == "percent":
        rate = display(benefit["amount"] / 100, "percent", lang)
        return WORDS[lang]["percent"].format(rate=rate)
    return euros(benefit["amount"], benefit["period"], lang)


def euros(value: float, period: str, lang: str) -> str:
    """'573,49 €/mois' in French, '€573.49/month' in English."""
    return f"{display(value, 'euros', lang)}/{WORDS[lang][period]}"


def first(reasons: Sequence[str]) -> str:
    return reasons[0] if reasons else ""


def explained(rows: Sequence[tuple[str, str]], empty: str) -> list[str]:
    """Each label, then its explanation indented and wrapped below it."""
    if not rows:
        return [f"  {empty}"]
    lines = []
    for label, explanation in rows:
        lines.append(f"  {label}")
        lines += textwrap.wrap(
            explanation, width=88, initial_indent="      ", subsequent_indent="      "
        )
    return lines


def table(
    rows: Sequence[tuple[str, ...]], empty: str, right_aligned: int | None = None
) -> list[str]:
    """Rows as indented, aligned columns (the last column is left ragged)."""
    if not rows:
        return [f"  {empty}"]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if i == right_aligned else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  " + "  ".join([*cells, row[-1]]).rstrip())
    return lines
