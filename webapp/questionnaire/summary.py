"""The check-your-answers page: each answer as a person reads it, by chapter."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from simulator.questionnaire import (
    Answers,
    Question,
    current_value,
    options,
    questionnaire,
    questions,
)
from simulator.territory import communes
from webapp.i18n import format_day, format_euros, format_month, format_rate


@dataclass(frozen=True)
class Row:
    question: Question
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    rows: list[Row]


def summary(answers: Answers, language: str) -> list[Section]:
    """The answered questions, grouped by chapter in the questionnaire's order."""
    sections = {
        chapter.id: Section(chapter.id, chapter.title.get(language), [])
        for chapter in questionnaire().chapters
    }
    for question in questions(answers):
        if question.key in answers.answered:
            sections[question.step.chapter].rows.append(
                Row(
                    question,
                    question.text("summary", language),
                    answer_text(question, answers, language),
                )
            )
    return [section for section in sections.values() if section.rows]


def answer_text(question: Question, answers: Answers, language: str) -> str:
    """An answer written out: '15 avril 1988', '450 € par mois', 'Non'."""
    value = current_value(question, answers)
    kind = question.step.input
    if value is None or value == "":
        return _("Non renseigné")
    if kind == "commune":
        commune = communes().get(value)
        return f"{commune.name} ({value})" if commune else value
    if kind == "postal_code":
        served = communes().for_postal_code(value)
        return f"{value} ({served[0].name})" if len(served) == 1 else value
    if kind == "date":
        return format_day(datetime.date.fromisoformat(value), language)
    if kind == "month":
        year, month = value.split("-")
        return format_month(datetime.date(int(year), int(month), 1), language)
    if kind == "yes_no" or (kind == "members" and question.alone):
        return _("Oui") if value else _("Non")
    if kind == "amount":
        amount = format_euros(value, language, cents=value != int(value))
        if question.step.period == "year":
            return _("%(amount)s par an", amount=amount)
        return _("%(amount)s par mois", amount=amount)
    if kind == "percent":
        return format_rate(value, language)
    if kind in ("radio", "members", "checkboxes"):
        return chosen_labels(question, answers, value, language)
    return str(value)


def chosen_labels(
    question: Question, answers: Answers, value: Any, language: str
) -> str:
    labels = dict(options(question, answers))
    chosen = value if isinstance(value, list) else [value]
    if not chosen and question.step.none_label:
        return question.step.none_label.get(language)
    return ", ".join(labels[v].get(language) for v in chosen if v in labels)
