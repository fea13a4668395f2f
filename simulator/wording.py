"""How OpenFisca's values are worded in the results' sentences, in French and English.

`clean` makes a value fit for JSON and for comparison (floats to the cent, enums by
name, dates in ISO form); `display` writes it for a sentence ("1 470,00 €", "€1,470.00",
"80 %"); a `Sentence` is an explanation's sentence for "met" or "not met" with its
values, written in a language only when that language is asked; `identity` tells
apart values equal but written differently.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from rules.catalog import Explanation, Text


def identity(value: Any) -> tuple[Any, ...]:
    """A key telling apart values that are equal but display differently.

    1, 1.0 and True are equal, and so are 0.0 and -0.0 ("-0,00 €").
    """
    if type(value) is float:
        return (float, value, math.copysign(1.0, value))
    return (type(value), value)


class Sentence:
    """An explanation's sentence with its values, read like a catalog `Text`
    (`get(language)`, `fr`, `en`) but written in a language when first asked, then
    kept.

    Results hold what the sentence is made of (the catalog's explanation, met or not,
    the value and the limit), not its two texts: a batch's answer is written in one
    language, and most sentences of 1,000 households were never read in the other
    (they were 60 % of the results' memory).
    """

    __slots__ = ("explanation", "met", "value", "limit", "_fr", "_en")

    def __init__(
        self, explanation: Explanation, met: bool, value: Any, limit: Any
    ) -> None:
        self.explanation = explanation
        self.met = met
        self.value = value
        self.limit = limit
        self._fr: str | None = None
        self._en: str | None = None

    @property
    def fr(self) -> str:
        if self._fr is None:
            self._fr = write(self.explanation, self.met, self.value, self.limit, "fr")
        return self._fr

    @property
    def en(self) -> str:
        if self._en is None:
            self._en = write(self.explanation, self.met, self.value, self.limit, "en")
        return self._en

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.fr

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Sentence, Text)):
            return (self.fr, self.en) == (other.fr, other.en)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.fr, self.en))

    def __repr__(self) -> str:  # without writing it
        return (
            f"Sentence({self.explanation.variable!r}, met={self.met!r}, "
            f"value={self.value!r}, limit={self.limit!r})"
        )


def write(
    explanation: Explanation, met: bool, value: Any, limit: Any, language: str
) -> str:
    """An explanation's sentence for "met" or "not met", in `language`."""
    said = (explanation.met if met else explanation.unmet).get(language)
    return said.format(
        value=display(value, explanation.format, language),
        limit=display(limit, explanation.format, language),
    )


def clean(value: Any) -> Any:
    """A JSON-friendly value: floats to the cent, enums by name, dates in ISO form."""
    kind = type(value)
    if kind is float:
        return round(value, 2) if math.isfinite(value) else None
    if kind is int or kind is bool or kind is str:
        return value
    if hasattr(value, "name") and not isinstance(value, str):
        return value.name
    if isinstance(value, float):
        return round(value, 2) if math.isfinite(value) else None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def display(value: Any, kind: str, language: str) -> str:
    if value is None:
        return ""
    if kind == "euros":
        number = f"{float(value):,.2f}"
        if language == "fr":
            return number.replace(",", "\u202f").replace(".", ",") + "\u00a0€"
        return f"€{number}"
    if kind == "percent":
        return (
            f"{float(value) * 100:.0f}\u00a0%"
            if language == "fr"
            else f"{float(value) * 100:.0f}%"
        )
    if kind == "years":  # the sentence says "ans" / "years" itself
        return str(int(float(value)))
    if kind == "number":
        return f"{float(value):g}"
    return str(value)
