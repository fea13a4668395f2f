"""Going through the resident journey with Flask's test client, as a person would:
read each question page (checked by the page helper), type the answer, send it with
the form's CSRF token, follow the redirect."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.pages import Page, check_page, parse_page

CSRF_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
QUESTION_PATH = "/simulation/question/"
SUMMARY_PATH = "/simulation/recapitulatif"

# What a person types on each page, by question key.
Typed = Mapping[str, Mapping[str, str | list[str]]]

SINGLE_IN_RENNES: Typed = {
    "postal_code": {"postal_code": "35000"},
    "couple": {"couple": "no"},
    "children": {"children": "0"},
    "birth_date/me": {
        "birth_date-day": "15",
        "birth_date-month": "4",
        "birth_date-year": "1988",
    },
    "activity/me": {"activity": "unemployed"},
    "disability": {"disability": "no"},
    "tenure": {"tenure": "tenant"},
    "housing_type": {"housing_type": "unfurnished"},
    "rent": {"rent": "450"},
    "incomes/me": {"incomes": ["none"]},
}

COUPLE_WITH_TWO_CHILDREN: Typed = {
    "postal_code": {"postal_code": "44000"},
    "couple": {"couple": "yes"},
    "children": {"children": "2"},
    "birth_date/me": {
        "birth_date-day": "11",
        "birth_date-month": "2",
        "birth_date-year": "1985",
    },
    "activity/me": {"activity": "employed"},
    "birth_date/partner": {
        "birth_date-day": "30",
        "birth_date-month": "7",
        "birth_date-year": "1987",
    },
    "activity/partner": {"activity": "employed"},
    "birth_date/child1": {
        "birth_date-day": "8",
        "birth_date-month": "3",
        "birth_date-year": "2017",
    },
    "schooling/child1": {"schooling": "primaire"},
    "birth_date/child2": {
        "birth_date-day": "21",
        "birth_date-month": "10",
        "birth_date-year": "2013",
    },
    "schooling/child2": {"schooling": "college"},
    "disability": {"disability": ["none"]},
    "tenure": {"tenure": "tenant"},
    "housing_type": {"housing_type": "unfurnished"},
    "rent": {"rent": "780"},
    "incomes/me": {"incomes": ["salary"]},
    "salary/me": {"salary": "1 600"},
    "incomes/partner": {"incomes": ["salary"]},
    "salary/partner": {"salary": "900,00"},
}

RETIREE_IN_GUERET: Typed = {
    "postal_code": {"postal_code": "23000"},
    "commune": {"commune": "23096"},
    "couple": {"couple": "no"},
    "children": {"children": "0"},
    "birth_date/me": {
        "birth_date-day": "30",
        "birth_date-month": "3",
        "birth_date-year": "1955",
    },
    "activity/me": {"activity": "retired"},
    "disability": {"disability": "no"},
    "tenure": {"tenure": "owner"},
    "incomes/me": {"incomes": ["pension"]},
    "pension/me": {"pension": "750"},
}


def question_key(path: str) -> str:
    return path.split("?")[0].removeprefix(QUESTION_PATH)


class Journey:
    """A person's visit: the pages they saw and the questions they were asked."""

    def __init__(self, client: FlaskClient, lang: str = "fr") -> None:
        self.client = client
        self.lang = lang
        self.asked: list[str] = []
        self.pages: dict[str, Page] = {}

    def get(self, path: str, status: int = 200) -> Page:
        response = self.client.get(path)
        assert response.status_code == status, (path, response.status_code)
        assert response.mimetype == "text/html"
        return check_page(response.get_data(as_text=True), lang=self.lang)

    def submit(self, path: str, fields: Mapping[str, str | list[str]]) -> TestResponse:
        """Open the page at `path`, then send its form with `fields` typed in."""
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.get_data(as_text=True)
        self.pages[path] = check_page(html, lang=self.lang)
        token = CSRF_TOKEN.search(html)
        assert token, f"no CSRF token on {path}"
        return self.client.post(path, data={"csrf_token": token.group(1), **fields})

    def answer_all(self, typed: Typed, start: str = "/simulation") -> str:
        """Answer every question asked, from `start`; return where it ends."""
        location = self.client.get(start).location
        while location and location.startswith(QUESTION_PATH):
            key = question_key(location)
            assert key in typed, f"unexpected question {key}"
            response = self.submit(location, typed[key])
            assert response.status_code == 302, self.problem(response)
            self.asked.append(key)
            location = response.location
        return location

    @staticmethod
    def problem(response: TestResponse) -> str:
        page = parse_page(response.get_data(as_text=True))
        return page.text_of("resume-erreurs") if page.has_error_summary else page.text
