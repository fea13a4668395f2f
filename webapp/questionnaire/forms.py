"""The form of a question page: WTForms fields named after the step, with CSRF.

A form reads what was typed into the household model's terms (`read`), or says what
to type instead; the household model then checks the value itself
(`simulator.questionnaire.answer`), with its own messages.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from simulator.questionnaire import Answers, Question, current_value, options

NONE = "none"
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
SPACES = re.compile(r"[\s\u00a0\u202f]+")


class InvalidAnswer(ValueError):
    """What was typed cannot be read; the message says what to type."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QuestionForm(FlaskForm):
    """One question; subclasses say how to read it and where its errors point."""

    name: str = ""
    question: Question
    answers: Answers
    language: str = "fr"

    def read(self) -> Any:  # pragma: no cover - every kind defines it
        raise NotImplementedError

    def anchor(self) -> str:
        """The id of the input the error summary links to."""
        return self.name

    def typed(self, suffix: str = "") -> str:
        return (self[f"{self.name}{suffix}"].data or "").strip()


def number_text(value: float, language: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if language == "fr" else text


def read_number(text: str) -> float | None:
    """'1 234,56 €' or '1234.56' as a number; None when it is not one."""
    text = SPACES.sub("", text).removesuffix("€").replace(",", ".")
    return float(text) if NUMBER.match(text) else None


class PostalCodeForm(QuestionForm):
    def read(self) -> str:
        return SPACES.sub("", self.typed())

    @staticmethod
    def initial(value: Any, language: str) -> dict[str, Any]:
        return {"": value}


class AmountForm(QuestionForm):
    def read(self) -> float | None:
        text = self.typed()
        if not text:
            return None
        amount = read_number(text)
        if amount is None:
            raise InvalidAnswer(
                _("Saisissez un montant en chiffres, par exemple 812,19.")
            )
        return amount

    @staticmethod
    def initial(value: Any, language: str) -> dict[str, Any]:
        return {"": number_text(value, language) if value is not None else None}


class PercentForm(QuestionForm):
    def read(self) -> float | None:
        text = self.typed().removesuffix("%")
        if not text:
            return None
        rate = read_number(text)
        if rate is None or not 1 <= rate <= 100:
            raise InvalidAnswer(_("Saisissez un taux entre 1 et 100, par exemple 80."))
        return round(rate / 100, 4)

    @staticmethod
    def initial(value: Any, language: str) -> dict[str, Any]:
        return {"": number_text(value * 100, language) if value is not None else None}


class CountForm(QuestionForm):
    def read(self) -> int | None:
        text = SPACES.sub("", self.typed())
        if not text:
            return None
        if not text.isdigit():
            raise InvalidAnswer(_("Saisissez un nombre entier, par exemple 2."))
        return int(text)

    @staticmethod
    def initial(value: Any, language: str) -> dict[str, Any]:
        return {"": str(value) if value is not None else None}


class DateForm(QuestionForm):
    """Day, month and year in three boxes, as people write a date."""

    parts = ("day", "month", "year")

    def read(self) -> str | None:
        typed = {part: SPACES.sub("", self.typed(f"-{part}")) for part in self.parts}
        if not any(typed.values()):
            return None
        if not all(typed.values()):
            raise InvalidAnswer(
                _("Saisissez le jour, le mois et l'année, par exemple 27 3 1990.")
            )
        if not all(text.isdigit() for text in typed.values()):
            raise InvalidAnswer(
                _("Saisissez une date en chiffres, par exemple 27 3 1990.")
            )
        if len(typed["year"]) != 4:
            raise InvalidAnswer(_("Saisissez l'année en 4 chiffres, par exemple 1990."))
        try:
            date = datetime.date(*(int(typed[p]) for p in ("year", "month", "day")))
        except ValueError:
            raise InvalidAnswer(
                _("Saisissez une date qui existe, par exemple 27 3 1990.")
            ) from None
        return date.isoformat()

    def anchor(self) -> str:
        for part in self.parts:
            if not self.typed(f"-{part}"):
                return f"{self.name}-{part}"
        return f"{self.name}-day"

    @staticmethod
    def initial(value: Any, language: str) -> dict[str, Any]:
        if not value:
            return {}
        date = datetime.date.fromisoformat(value)
        return {
            "-day": str(date.day),
            "-month": str(date.month),
            "-year": str(date.year),
        }


class MonthForm(QuestionForm):
    """Month and year in two boxes."""

    parts = ("month", "year")

    def read(self) -> str | None:
        typed = {part: SPACES.sub("", self.typed(f"-{part}")) for part in self.parts}
        if not any(typed.values()):
            return None
        month, year = typed["month"], typed["year"]
        if not (month.isdigit() and year.isdigit()):
            raise InvalidAnswer(_("Saisissez le mois et l'année, par exemple 3 2019."))
        if not 1 <= int(month) <= 12 or len(year) != 4:
            raise InvalidAnswer(
                _("Saisissez un mois entre 1 et 12 et une année en 4 chiffres.")
            )
        return f"{year}-{int(month):02d}"

    def anchor(self) -> str:
        return f"{self.name}-year" if self.typed("-month") else f"{self.name}-month"

    @staticmethod
    def initial(value: Any, language: str) -> dict[str, Any]:
        if not value:
            return {}
        year, month = value.split("-")
        return {"-month": str(int(month)), "-year": year}


class ChoiceForm(QuestionForm):
    """Radio buttons: one answer among the options."""

    def read(self) -> str | None:
        return self[self.name].data or None

    def anchor(self) -> str:
        first = self[self.name].choices[0][0]
        return f"{self.name}-{first}"

    @staticmethod
    def initial(value: Any, language: str) -> dict[str, Any]:
        return {"": value}


class YesNoForm(ChoiceForm):
    def read(self) -> bool | None:
        data = self[self.name].data
        return None if data not in ("yes", "no") else data == "yes"

    @staticmethod
    def initial(value: Any, language: str) -> dict[str, Any]:
        return {"": None if value is None else ("yes" if value else "no")}


class AloneForm(YesNoForm):
    """A question about the household's members, for a household of one."""

    def read(self) -> list[str] | None:
        said = super().read()
        if said is None:
            return None
        members = [value for value, _label in options(self.question, self.answers)]
        return members[:1] if said else []


class CheckboxesForm(QuestionForm):
    """Checkboxes, and a "none of these" box that excludes the others."""

    def read(self) -> list[str] | None:
        chosen = list(self[self.name].data or [])
        if not chosen:
            return None
        if NONE in chosen:
            if len(chosen) > 1:
                raise InvalidAnswer(
                    _(
                        "Vous avez coché « %(none)s » et une autre réponse : "
                        "décochez l'une ou l'autre.",
                        none=self.none_label,
                    )
                )
            return []
        return chosen

    def anchor(self) -> str:
        first = self[self.name].choices[0][0]
        return f"{self.name}-{first}"

    @property
    def none_label(self) -> str:
        label = self.question.step.none_label
        return label.get(self.language) if label else ""

    @staticmethod
    def initial(value: Any, language: str) -> dict[str, Any]:
        if value is None:
            return {"": None}
        return {"": list(value) or [NONE]}


TEXT_FORMS: dict[str, type[QuestionForm]] = {
    "postal_code": PostalCodeForm,
    "amount": AmountForm,
    "percent": PercentForm,
    "count": CountForm,
}


def form_class(question: Question) -> type[QuestionForm]:
    kind = question.step.input
    if kind == "members" and question.alone:
        return AloneForm
    return {
        **TEXT_FORMS,
        "date": DateForm,
        "month": MonthForm,
        "radio": ChoiceForm,
        "commune": ChoiceForm,
        "yes_no": YesNoForm,
        "members": CheckboxesForm,
        "checkboxes": CheckboxesForm,
    }[kind]


def choices(
    question: Question, answers: Answers, language: str
) -> list[tuple[str, str]]:
    kind = question.step.input
    if kind == "yes_no" or (kind == "members" and question.alone):
        return [("yes", _("Oui")), ("no", _("Non"))]
    found = [
        (value, label.get(language)) for value, label in options(question, answers)
    ]
    if kind == "commune":
        return [(code, f"{name} ({code})") for code, name in found]
    if kind in ("members", "checkboxes"):
        none = question.step.none_label
        found.append((NONE, none.get(language) if none else _("Aucune")))
    return found


def question_form(question: Question, answers: Answers, language: str) -> QuestionForm:
    """The form of a question, filled with the answer given so far (on GET) or with
    what was typed (on POST)."""
    base = form_class(question)
    name = question.step.id
    fields: dict[str, Any] = {}
    if base in (DateForm, MonthForm):
        for part in base.parts:  # type: ignore[attr-defined]
            fields[f"{name}-{part}"] = StringField()
    elif base in (ChoiceForm, YesNoForm, AloneForm):
        fields[name] = RadioField(
            choices=choices(question, answers, language), validate_choice=False
        )
    elif base is CheckboxesForm:
        fields[name] = MultiCheckboxField(
            choices=choices(question, answers, language), validate_choice=False
        )
    else:
        fields[name] = StringField()
    cls = type(f"{base.__name__}_{name}", (base,), fields)
    initial = base.initial(current_value(question, answers), language)  # type: ignore[attr-defined]
    form = cls(data={f"{name}{suffix}": value for suffix, value in initial.items()})
    form.name = name
    form.question = question
    form.answers = answers
    form.language = language
    return form
