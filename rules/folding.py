"""Folding the constant part of the rules: variables no v1 household can move.

OpenFisca-France computes hundreds of variables that the household model cannot
influence: civil-service bonuses, overtime, capital income, internships... Each costs
a formula run for every month read, and drags its own inputs along. Those listed in
`rules/folding.yaml` are neutralised (OpenFisca's `neutralize_variable`: the variable
returns its default value without computing anything) in a reform built once at
start-up, used for the months the list was derived for.

The list is derived, not chosen: `python -m benchmarks.derive_folding` simulates a
generated corpus covering every field and value of the v1 model with OpenFisca's
tracer on, and lists the variables with a formula that were computed and never left
their default value, leaving out the inputs the mapping sets and the variables the
catalog reads. The folded rules are used only while they match what they were derived
from: the same rules packages and a catalog that reads nothing new.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml
from openfisca_core import reforms
from openfisca_core.taxbenefitsystems import TaxBenefitSystem

from rules.system import tax_benefit_system

FOLDING_FILE = Path(__file__).parent / "folding.yaml"
# What the folded list depends on besides our own reforms (kept in this repository).
RULES_PACKAGES = (
    "openfisca-core",
    "openfisca-france",
    "openfisca-france-local",
    "openfisca-paris",
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Folding:
    """The neutralised variables and what they hold for."""

    first_month: str
    last_month: str
    rules: dict[str, str]  # package → version
    read: frozenset[str]  # variables the results read (the roots of the trace)
    variables: tuple[str, ...]  # neutralised

    def covers(self, month: str) -> bool:
        return self.first_month <= month <= self.last_month


def load_folding(path: Path = FOLDING_FILE) -> Folding | None:
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as stream:
        data: dict[str, Any] = yaml.safe_load(stream)
    return Folding(
        first_month=str(data["months"]["first"]),
        last_month=str(data["months"]["last"]),
        rules={str(k): str(v) for k, v in data["rules"].items()},
        read=frozenset(data["read"]),
        variables=tuple(data["neutralised"]),
    )


def current_rules() -> dict[str, str]:
    return {name: metadata.version(name) for name in RULES_PACKAGES}


def stale_reasons(folding: Folding, read: set[str]) -> list[str]:
    """Why the folding cannot be used with these rules and this catalog (empty: ok)."""
    reasons = []
    if folding.rules != current_rules():
        reasons.append(
            f"derived with {folding.rules}, the rules are now {current_rules()}"
        )
    unread = sorted(read - folding.read)
    if unread:
        reasons.append("the catalog now reads " + ", ".join(unread))
    return reasons


def fold(system: TaxBenefitSystem, variables: tuple[str, ...]) -> TaxBenefitSystem:
    """`system` with `variables` neutralised."""

    class folded_rules(reforms.Reform):
        name = "Constant part of the rules folded (rules/folding.yaml)"

        def apply(self) -> None:
            for name in variables:
                self.neutralize_variable(name)

    return folded_rules(system)


@functools.cache
def folded_system(read: frozenset[str]) -> tuple[Folding, TaxBenefitSystem] | None:
    """The folded rules, or None when there is no valid folding for `read`.

    `read`: every variable the catalog reads; a variable read now that was not read
    when the list was derived may depend on one the list neutralises.
    """
    folding = load_folding()
    if folding is None:
        return None
    reasons = stale_reasons(folding, set(read))
    if reasons:
        logger.warning(
            "Not folding the rules (run python -m benchmarks.derive_folding): %s",
            "; ".join(reasons),
        )
        return None
    return folding, fold(tax_benefit_system(), folding.variables)
