"""The months the API simulates, and the error for the others."""

from __future__ import annotations

import datetime
from typing import Any

from simulator.household import MONTH_PATTERN, FieldError

# Before FIRST_MONTH some parameters the benefits read have no value yet (OpenFisca
# raises); after next year, the service would only repeat today's law.
FIRST_MONTH = "2023-01"


def supported_months() -> tuple[str, str]:
    """The first and last months (YYYY-MM) the API simulates."""
    return FIRST_MONTH, f"{datetime.date.today().year + 1}-12"


def month_error(data: Any) -> FieldError | None:
    """What is wrong with the month of a request, if it is one the rules cannot
    compute. Checked before the household contract, which cannot yet handle year 9999
    (the end of its month overflows the date type)."""
    month = data.get("month") if isinstance(data, dict) else None
    if not isinstance(month, str) or not MONTH_PATTERN.match(month):
        return None  # the contract says what is wrong with it
    first_month, last_month = supported_months()
    if first_month <= month <= last_month:
        return None
    return FieldError(
        "month",
        f"Le simulateur calcule les mois de {first_month} à {last_month} : "
        "choisissez-en un dans cet intervalle.",
        f"The simulator computes the months from {first_month} to {last_month}: "
        "choose one in that range.",
    )
