"""The results page and its PDF, after whole journeys through the questionnaire, for
three households; what they show is checked against simulate() run on the same
households written independently as v1 requests; the section "Et si mes revenus
changeaient ?" (its charts and table); and the page when the simulator is too busy.

A simulation costs about 1.5 s: the journeys, their results and the reference
simulation (the three households in one batch) are computed once for the module.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from simulator import service
from simulator.cache import MemoryStore, ResultsCache
from simulator.coalescer import Overloaded
from simulator.household import parse_request
from simulator.results import BenefitResult, Results, simulate
from tests.pages import Page, check_page
from tests.webapp.journey import (
    COUPLE_WITH_TWO_CHILDREN,
    RETIREE_IN_GUERET,
    SINGLE_IN_RENNES,
    SUMMARY_PATH,
    Journey,
)
from webapp.results import what_if

SHAPES = {
    "single": SINGLE_IN_RENNES,
    "couple": COUPLE_WITH_TWO_CHILDREN,
    "retiree": RETIREE_IN_GUERET,
}

# The same households, written by hand in the v1 contract (as the API takes them).
REQUESTS: dict[str, dict[str, Any]] = {
    "single": {
        "household": {
            "commune": "35238",
            "housing": {
                "tenure": "tenant",
                "rent": 450.0,
                "furnished": False,
                "social_housing": False,
            },
            "members": [
                {
                    "id": "me",
                    "role": "applicant",
                    "birth_date": "1988-04-15",
                    "activity": "unemployed",
                }
            ],
        }
    },
    "couple": {
        "household": {
            "commune": "44109",
            "housing": {
                "tenure": "tenant",
                "rent": 780.0,
                "furnished": False,
                "social_housing": False,
            },
            "members": [
                {
                    "id": "me",
                    "role": "applicant",
                    "birth_date": "1985-02-11",
                    "activity": "employed",
                    "incomes": {"salary": 1600.0},
                },
                {
                    "id": "partner",
                    "role": "partner",
                    "birth_date": "1987-07-30",
                    "activity": "employed",
                    "incomes": {"salary": 900.0},
                },
                {
                    "id": "child1",
                    "role": "child",
                    "birth_date": "2017-03-08",
                    "schooling": "primaire",
                },
                {
                    "id": "child2",
                    "role": "child",
                    "birth_date": "2013-10-21",
                    "schooling": "college",
                },
            ],
        }
    },
    "retiree": {
        "household": {
            "commune": "23096",
            "housing": {"tenure": "owner"},
            "members": [
                {
                    "id": "me",
                    "role": "applicant",
                    "birth_date": "1955-03-30",
                    "activity": "retired",
                    "incomes": {"pension": 750.0},
                }
            ],
        }
    },
}


@dataclass
class Visit:
    client: FlaskClient
    journey: Journey
    results: Page


@pytest.fixture(scope="module")
def visits(results_app: Flask) -> dict[str, Visit]:
    """Each household's journey, to its results page."""
    found = {}
    for name, typed in SHAPES.items():
        client = results_app.test_client()
        journey = Journey(client)
        assert journey.answer_all(typed) == SUMMARY_PATH
        journey.get(SUMMARY_PATH)
        found[name] = Visit(client, journey, journey.get("/simulation/resultats"))
    return found


@pytest.fixture(scope="module")
def expected() -> dict[str, Results]:
    """simulate() on the hand-written households, in one batch."""
    requests = [parse_request(REQUESTS[name]) for name in SHAPES]
    return dict(zip(SHAPES, simulate(requests), strict=True))


def whole(amount: float) -> int:
    """Rounded to the euro, halves up."""
    return int(Decimal(str(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def euros(amount: float) -> str:
    """As the page writes it, spaces normalised: '1 234 €'."""
    return f"{whole(amount):,}".replace(",", " ") + " €"


def shown_amount(result: BenefitResult) -> str:
    benefit = result.benefit
    if benefit.unit == "boolean":
        return "Vous y avez droit"
    if benefit.unit == "percent":
        rates = [m["amount"] for m in result.members] or [result.amount]
        return f"Réduction de {max(rates):g} %"
    per = {"month": "par mois", "year": "par an", "once": "en une fois"}
    return f"{euros(result.amount)} {per[benefit.paid_per]}"


# -- what the page shows ---------------------------------------------------------------


def test_a_single_adult_without_income_in_rennes_is_shown_the_rsa(visits, expected):
    page = visits["single"].results
    rsa = next(b for b in expected["single"].benefits if b.benefit.id == "rsa")

    assert rsa.status == "eligible"
    assert page.h1 == ["Vos résultats"]
    assert "Revenu de solidarité active (RSA)" in page.text_of("aides-eligibles")
    assert page.text_of("montant-rsa") == f"{euros(rsa.amount)} par mois"
    assert "Rennes (35238)" in page.text


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_benefit_is_shown_with_the_status_and_amount_of_the_simulation(
    visits, expected, shape
):
    page = visits[shape].results
    sections = {
        "eligible": "aides-eligibles",
        "not_eligible": "aides-non-eligibles",
        "not_computable": "aides-non-calculables",
    }
    for result in expected[shape].benefits:
        benefit = result.benefit
        section = page.text_of(sections[result.status])
        assert benefit.label.fr in section, (shape, benefit.id, result.status)
        if result.status == "eligible":
            assert page.text_of(f"montant-{benefit.id}") == shown_amount(result)


@pytest.mark.parametrize("shape", list(SHAPES))
def test_the_monthly_total_adds_the_monthly_amounts_in_euros(visits, expected, shape):
    monthly = [
        whole(r.amount)
        for r in expected[shape].benefits
        if r.status == "eligible"
        and r.benefit.unit == "EUR"
        and r.benefit.direction == "received"  # not a contribution to pay
        and r.benefit.paid_per == "month"
    ]
    page = visits[shape].results

    if monthly:
        total = f"{sum(monthly):,}".replace(",", " ")
        assert page.text_of("total-mensuel") == (
            f"Total des aides versées chaque mois : {total} €"
        )
    else:
        assert "total-mensuel" not in page.ids


def test_an_eligible_benefit_says_who_pays_how_to_apply_what_to_prepare_and_why(
    visits, expected
):
    page = visits["single"].results
    rsa = next(b for b in expected["single"].benefits if b.benefit.id == "rsa")
    card = page.text_of("aide-rsa")

    assert "Versée par : CAF" in card
    assert "Comment la demander" in card
    assert page.link_to(str(rsa.benefit.how_to_apply.url))
    for document in rsa.benefit.documents:
        assert document.fr in card
    why = page.text_of("pourquoi-rsa")
    assert why.startswith("Pourquoi ?")
    for condition in rsa.conditions:
        assert " ".join(condition.text.fr.split()) in why


def test_a_benefit_not_granted_gives_its_main_reason(visits, expected):
    page = visits["single"].results
    refused = [b for b in expected["single"].benefits if b.status == "not_eligible"]

    assert refused
    for result in refused:
        main = result.reasons("fr")[0]
        assert page.text_of(f"raison-{result.benefit.id}") == " ".join(main.split())


def test_the_results_link_to_the_pdf_the_answers_and_saving(visits):
    page = visits["single"].results

    assert page.link_to("/simulation/resultats.pdf")
    assert page.link_to(SUMMARY_PATH)
    assert page.link_to("/simulation/enregistrer")


def test_the_results_page_has_a_print_stylesheet(visits, results_app):
    html = visits["single"].client.get("/").get_data(as_text=True)
    client = results_app.test_client()

    assert '<link rel="stylesheet" media="print" href="/static/css/print.css">' in html
    response = client.get("/static/css/print.css")
    assert response.status_code == 200
    assert b"details::details-content" in response.data
    response.close()


def test_results_before_the_last_answer_send_back_to_the_questions(results_app):
    client = results_app.test_client()

    for path in ("/simulation/resultats", "/simulation/resultats.pdf"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.location == "/simulation/question/postal_code"


# -- the PDF ---------------------------------------------------------------------------


def test_the_results_download_as_a_pdf(visits, tmp_path: Path):
    response = visits["couple"].client.get("/simulation/resultats.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="simulation-aides-'
    )
    assert response.data.startswith(b"%PDF-")
    assert response.data.rstrip().endswith(b"%%EOF")
    # The text font is embedded (a subset): the PDF is more than a blank page.
    assert len(response.data) > 10_000
    assert b"/FontFile2" in response.data


def test_the_pdf_is_built_from_the_same_view_as_the_page(results_app, expected):
    from webapp.results.pdf import results_pdf
    from webapp.results.presenter import present

    with results_app.test_request_context():
        view = present(expected["retiree"], "fr")
        document = results_pdf(view, "fr")

    assert document.startswith(b"%PDF-")
    labels = [b.label for b in view.eligible + view.not_eligible + view.not_computable]
    assert len(labels) == len(expected["retiree"].benefits)


# -- in English ------------------------------------------------------------------------


def test_the_results_in_english(results_app, expected):
    client = results_app.test_client()
    journey = Journey(client)
    journey.answer_all(SINGLE_IN_RENNES)
    client.get("/langue/en?suivant=/simulation/resultats")
    journey.lang = "en"

    page = journey.get("/simulation/resultats")

    rsa = next(b for b in expected["single"].benefits if b.benefit.id == "rsa")
    amount = f"€{whole(rsa.amount):,}"
    assert page.h1 == ["Your results"]
    assert page.text_of("montant-rsa") == f"{amount} a month"
    assert "Active solidarity income (RSA)" in page.text_of("aides-eligibles")
    assert "Paid by: CAF" in page.text_of("aide-rsa")
    assert page.text_of("si-revenus-changeaient-titre") == "What if my income changed?"
    assert "Net salary a month" in page.text_of("si-revenus-tableau")
    for french in (
        "Versée par",
        "par mois",
        "Pourquoi",
        "Documents à préparer",
        "Et si mes revenus",
        "Revenu disponible",
    ):
        assert french not in page.text, french


# -- what if the salary changed ------------------------------------------------------

COUPLE_INCOMES = 1600.0 + 900.0  # the couple's net salaries, as typed


@dataclass
class Drawing:
    """An <svg> of the page: its attributes, title, description and lines."""

    attributes: dict[str, str | None]
    title: str = ""
    description: str = ""
    # label of the series → its polylines' points
    lines: dict[str, list[list[tuple[float, float]]]] = field(default_factory=dict)


class WhatIfParser(HTMLParser):
    """The SVGs of the what-if section and its table (header, then each row)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.drawings: list[Drawing] = []
        self.header: list[str] = []
        self.rows: list[list[str]] = []
        self.series: str | None = None
        self.text_of: str | None = None  # "title", "desc" or "cell"
        self.cell = ""
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "svg" and attributes.get("role") == "img":
            self.drawings.append(Drawing(attributes))
        elif tag in ("title", "desc") and self.drawings:
            self.text_of = tag
        elif tag == "g" and attributes.get("data-label"):
            self.series = attributes["data-label"]
            self.drawings[-1].lines[self.series] = []
        elif tag == "polyline" and self.series:
            points = [
                tuple(float(n) for n in pair.split(","))
                for pair in (attributes["points"] or "").split()
            ]
            self.drawings[-1].lines[self.series].append(points)
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr" and not self.in_head:
            self.rows.append([])
        elif tag in ("th", "td"):
            self.text_of, self.cell = "cell", ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("title", "desc"):
            self.text_of = None
        elif tag == "g":
            self.series = None
        elif tag == "thead":
            self.in_head = False
        elif tag in ("th", "td") and self.text_of == "cell":
            text = " ".join(self.cell.split())
            (self.header if self.in_head else self.rows[-1]).append(text)
            self.text_of = None

    def handle_data(self, data: str) -> None:
        if self.text_of == "title" and self.drawings:
            self.drawings[-1].title += data
        elif self.text_of == "desc":
            self.drawings[-1].description += data
        elif self.text_of == "cell":
            self.cell += data


def what_if_section(client: FlaskClient) -> WhatIfParser:
    """The results page again (its results and axis now cached), parsed."""
    html = client.get("/simulation/resultats").get_data(as_text=True)
    start = html.index('id="si-revenus-changeaient"')
    parser = WhatIfParser()
    parser.feed(html[start : html.index("</section>", start)])
    return parser


def as_euros(text: str) -> int:
    """'1 234 €' (any spaces) → 1234."""
    return int("".join(ch for ch in text if ch.isdigit()))


def test_the_results_show_what_if_the_salary_changed_as_a_chart_and_a_table(visits):
    page = visits["couple"].results
    section = what_if_section(visits["couple"].client)

    assert page.text_of("si-revenus-changeaient-titre") == (
        "Et si mes revenus changeaient ?"
    )
    assert "Le revenu disponible est l'argent" in page.text_of("si-revenus-changeaient")
    assert section.drawings
    for drawing in section.drawings:
        assert drawing.title.strip() not in page.title  # the page's title is its own
        assert drawing.attributes["role"] == "img"
        assert drawing.attributes["viewbox"] and drawing.attributes["width"] == "100%"
        title, description = (drawing.attributes["aria-labelledby"] or "").split()
        assert page.text_of(title) == drawing.title.strip() != ""
        assert page.text_of(description) == " ".join(drawing.description.split())
        assert "0 € à 3 000 €" in page.text_of(description)
    assert section.header[:2] == ["Salaire net par mois", "Revenu disponible"]
    # The axis: the applicant's monthly net salary from 0 to 3,000 €, every 100 €.
    assert [as_euros(row[0].split("(")[0]) for row in section.rows] == list(
        range(0, 3001, 100)
    )
    assert all(len(row) == len(section.header) for row in section.rows)
    assert page.text_of("si-revenus-actuel").startswith(
        "1 600 € (votre salaire actuel)"
    )


def test_the_table_at_the_current_salary_agrees_with_the_results_above(
    visits, expected
):
    page = visits["couple"].results
    section = what_if_section(visits["couple"].client)
    (current,) = [row for row in section.rows if "votre salaire actuel" in row[0]]
    by_column = dict(zip(section.header, current, strict=True))
    monthly = [
        r
        for r in expected["couple"].benefits
        if r.benefit.unit == "EUR"
        and r.benefit.direction == "received"
        and r.benefit.paid_per == "month"
    ]
    received = [r for r in monthly if r.status == "eligible"]

    assert received
    for result in received:
        amount = by_column[result.benefit.label.fr]
        assert amount == euros(result.amount)
        assert page.text_of(f"montant-{result.benefit.id}") == f"{amount} par mois"
    for result in monthly:
        if result.status != "eligible" and result.benefit.label.fr in by_column:
            assert by_column[result.benefit.label.fr] == "0 €"
    # The family's net salaries plus the monthly benefits it receives.
    income = COUPLE_INCOMES + sum(r.amount for r in received)
    assert by_column["Revenu disponible"] == euros(income)
    assert f"votre revenu disponible est de {euros(income)}" in page.text_of(
        "si-revenus-resume"
    )


def test_the_chart_lines_follow_the_table(visits):
    section = what_if_section(visits["couple"].client)
    columns = {
        label: [as_euros(row[index]) for row in section.rows]
        for index, label in enumerate(section.header)
    }
    lines = {
        label: segments
        for drawing in section.drawings
        for label, segments in drawing.lines.items()
    }

    assert "Revenu disponible" in lines and len(lines) >= 2
    for label, segments in lines.items():
        (points,) = segments  # no gap: every point has an amount
        amounts = columns[label]
        xs = [x for x, _y in points]
        assert len(points) == len(section.rows)
        assert xs == sorted(xs) and len(set(xs)) == len(xs)
        for (_x1, y1), first in zip(points, amounts, strict=True):
            for (_x2, y2), second in zip(points, amounts, strict=True):
                if first > second + 10:  # more euros, higher on the chart
                    assert y1 < y2, (label, first, second)
                if first == second:
                    assert abs(y1 - y2) < 1, (label, first)


def test_a_retiree_without_salary_is_not_asked_about_a_salary(visits):
    assert "si-revenus-changeaient" not in visits["retiree"].results.ids


def test_when_the_what_if_axis_fails_the_results_page_goes_without_it(
    visits, monkeypatch, caplog
):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the axis broke")

    monkeypatch.setattr(what_if, "simulate_with_variations", broken)
    monkeypatch.setattr(what_if, "AXES", MemoryStore())  # nothing kept from before
    caplog.set_level(logging.ERROR)

    response = visits["couple"].client.get("/simulation/resultats")

    assert response.status_code == 200
    page = check_page(response.get_data(as_text=True))
    assert "si-revenus-changeaient" not in page.ids
    assert "montant-af" in page.ids
    assert "the axis broke" in caplog.text


# -- a busy simulator ------------------------------------------------------------------


def test_a_busy_simulator_answers_503_with_retry_after_for_the_page_and_the_pdf(
    visits, results_app, monkeypatch
):
    class Refusing:
        """A coalescer whose queue is full."""

        def submit(self, request: Any) -> Results:
            raise Overloaded(7, 100)

        def submit_async(self, request: Any) -> Any:
            raise Overloaded(7, 100)

    # Nothing cached from the other tests: every simulation reaches the coalescer.
    monkeypatch.setattr(service, "coalescer", Refusing)
    monkeypatch.setattr(service, "results_cache", lambda: ResultsCache(MemoryStore()))
    monkeypatch.setattr(what_if, "AXES", MemoryStore())

    for path in ("/simulation/resultats", "/simulation/resultats.pdf"):
        response = visits["single"].client.get(path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "7"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.mimetype == "text/html"
        page = check_page(response.get_data(as_text=True))
        assert page.h1 == ["Le service est très sollicité"]
        assert page.text_of("reessayer-dans") == "Réessayez dans 7 secondes."
        assert page.link_to(path)

    client = results_app.test_client()
    Journey(client).answer_all(SINGLE_IN_RENNES)
    client.get("/langue/en")
    response = client.get("/simulation/resultats")
    page = check_page(response.get_data(as_text=True), lang="en")
    assert response.status_code == 503
    assert page.h1 == ["The service is very busy"]
    assert page.text_of("reessayer-dans") == "Try again in 7 seconds."
