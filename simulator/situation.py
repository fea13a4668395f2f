"""The one mapping from households (v1) to a complete OpenFisca-France situation.

OpenFisca reads many past periods: the prime d'activité of a month averages the three
before it, housing aid reads a rolling year and the fiscal income of year N-2. So every
input is written for every month from January of year N-2 to the simulated month, from
the stable assumption of the contract or the income history given.

Net incomes (what people know) are turned into the gross amounts OpenFisca-France takes
as inputs by `simulator.gross`, with OpenFisca-France's own formulas.

Values over many periods are held as a `Series` (one value, and the periods where it
differs): `compact_situation` is the mapping, `build_situation` spells every period out
in OpenFisca's JSON form, and `simulator.simulation` turns a compact situation into
arrays without expanding it month by month.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from simulator.household import HouseholdBody, Member, SimulationRequest, month_start

# Member activity → OpenFisca-France `activite` (TypesActivite).
ACTIVITE = {
    "employed": "actif",
    "self_employed": "actif",
    "apprentice": "actif",
    "unemployed": "chomeur",
    "student": "etudiant",
    "retired": "retraite",
    "inactive": "inactif",
}

SCOLARITE = {
    "none": "inconnue",
    "maternelle": "maternelle",
    "primaire": "primaire",
    "college": "college",
    "lycee": "lycee",
    "higher_education": "enseignement_superieur",
}

# Monthly net incomes OpenFisca takes as they are (no contributions to add back).
DIRECT_MONTHLY_INCOMES = {
    "disability_pension": "pensions_invalidite",
    "alimony_received": "pensions_alimentaires_percues",
    "scholarship": "bourse_enseignement_sup",
}

# Net incomes entered by people → (gross OpenFisca input, net OpenFisca variable).
GROSSED_UP_INCOMES = {
    "salary": ("salaire_de_base", "salaire_net"),
    "pension": ("retraite_brute", "retraite_nette"),
    "unemployment": ("chomage_brut", "chomage_net"),
}

SELF_EMPLOYMENT_VARIABLE = "rpns_micro_entreprise_benefice"


def months_read(month: str) -> list[str]:
    """Every month OpenFisca may read for `month`: January of N-2 to the month."""
    start = month_start(month)
    months = []
    for year in range(start.year - 2, start.year + 1):
        last = start.month if year == start.year else 12
        months.extend(f"{year}-{number:02d}" for number in range(1, last + 1))
    return months


def fiscal_years(requests: Sequence[SimulationRequest]) -> list[str]:
    """The fiscal years whose income the simulated months read: N-2 and N-1."""
    years = {int(request.month[:4]) for request in requests}
    return sorted({str(year - back) for year in years for back in (2, 1)})


# Years before N-2 whose taxable income (rfr) OpenFisca-France reads: the CSG rate of a
# pension or an unemployment benefit paid in year Y depends on the rfr of Y-2, and the
# resources of some benefits are read two years back from past months.
YEARS_BEFORE_MODEL = 4


@functools.lru_cache(maxsize=256)
def years_without_income(month: str) -> tuple[str, ...]:
    """The years before January N-2, when the household model has no income at all.

    Their taxable income (rfr) is zero by the model's own terms, and is given to
    OpenFisca as such: left to compute it, OpenFisca-France walks the CSG chain back
    year after year (the rfr of N-2 reads the CSG of N-2, whose rate reads the rfr of
    N-4, which reads the CSG of N-4...) until it cuts the "spiral"; where it cuts then
    depended on the order of the calculations, and a pension or unemployment benefit
    could come out of the simulation below the net the person gave. Given, the chain
    stops at January N-2, and costs nothing before it.
    """
    first = month_start(month).year - 2
    return tuple(str(year) for year in range(first - YEARS_BEFORE_MODEL, first))


# The taxable incomes OpenFisca-France reads two years back from past months (the
# annual evaluation of the AAH's resources, of month M of N-1, reads N-3): zero before
# January N-2 by the model's terms, like the rfr. Left to compute, each is a chain of
# some thirty contributions a month; given, about 80 ms less for a household.
TAXABLE_INCOMES = ("salaire_imposable", "chomage_imposable", "retraite_imposable")


@functools.lru_cache(maxsize=256)
def months_without_income(month: str) -> tuple[str, ...]:
    """Every month of `years_without_income(month)`."""
    return tuple(
        f"{year}-{number:02d}"
        for year in years_without_income(month)
        for number in range(1, 13)
    )


def years_read(month: str) -> list[str]:
    year = month_start(month).year
    return [str(year - 2), str(year - 1), str(year)]


def net_amount(member: Member, income: str, month: str) -> float:
    """The member's net income of that kind for a month: history, else stable."""
    history: Mapping[str, float] = getattr(member.history, income, {})
    if month in history:
        return history[month]
    return getattr(member.incomes, income)


@dataclass(frozen=True)
class Series:
    """A variable's value for each of `periods`: `value`, except in `changes`."""

    periods: tuple[str, ...]
    value: Any
    changes: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """OpenFisca's JSON form: period → value."""
        changes = self.changes
        return {p: changes[p] if p in changes else self.value for p in self.periods}

    def any(self) -> bool:
        """Whether some period has a truthy value."""
        if any(self.changes.values()):
            return True
        return bool(self.value) and len(self.changes) < len(self.periods)


def income_series(
    member: Member, income: str, months: tuple[str, ...], factor: float | None = None
) -> Series:
    """A member's income over `months` (history, else stable), times `factor` if any.

    Scaled amounts are rounded to the micro-euro, as they would be in JSON.
    """
    history: Mapping[str, float] = getattr(member.history, income, {})
    value = getattr(member.incomes, income)
    changes = {m: history[m] for m in history if m in months}
    if factor is not None:
        value = round(value * factor, 6)
        changes = {m: round(amount * factor, 6) for m, amount in changes.items()}
    return Series(months, value, changes)


@dataclass(frozen=True)
class EntityIds:
    """The OpenFisca ids of one household's entities inside a (batch) situation."""

    prefix: str

    @classmethod
    def of_household(cls, index: int) -> EntityIds:
        """The ids of the household at `index` in a (batch) situation."""
        return cls(f"h{index}_")

    @staticmethod
    def split(entity_id: str) -> tuple[int, str]:
        """(household index, the id within the household) of an id made here."""
        prefix, rest = entity_id.split("_", 1)
        return int(prefix[1:]), rest

    def person(self, member_id: str) -> str:
        return f"{self.prefix}{member_id}"

    @property
    def famille(self) -> str:
        return f"{self.prefix}famille"

    @property
    def foyer_fiscal(self) -> str:
        return f"{self.prefix}foyer"

    @property
    def menage(self) -> str:
        return f"{self.prefix}menage"

    def other_famille(self, member_id: str) -> str:
        return f"{self.prefix}famille_{member_id}"

    def other_foyer(self, member_id: str) -> str:
        return f"{self.prefix}foyer_{member_id}"


# (household index, member id, income kind) → gross/net factor, from simulator.gross.
GrossFactors = Mapping[tuple[int, str, str], float]


def build_situation(
    requests: Sequence[SimulationRequest],
    gross_factors: GrossFactors | None = None,
) -> dict[str, Any]:
    """One OpenFisca situation holding every household of `requests`.

    With no `gross_factors`, net amounts stand in for gross ones (factor 1): this is
    the first step of the gross-up, never what results are computed on.
    """
    situation = compact_situation(requests, gross_factors)
    for plural in ("individus", "foyers_fiscaux", "menages"):
        for variables in situation[plural].values():
            for name, value in variables.items():
                if isinstance(value, Series):
                    variables[name] = value.as_dict()
    return situation


def compact_situation(
    requests: Sequence[SimulationRequest],
    gross_factors: GrossFactors | None = None,
) -> dict[str, Any]:
    """The situation of `build_situation`, with every value over periods a `Series`.

    The simulations of a batch map it once (`simulator.inputs.BatchInputs`).
    """
    situation: dict[str, dict[str, Any]] = {
        "individus": {},
        "familles": {},
        "foyers_fiscaux": {},
        "menages": {},
    }
    for index, request in enumerate(requests):
        add_household(situation, index, request, gross_factors or {})
    return situation


@functools.lru_cache(maxsize=256)
def periods_read(month: str) -> tuple[str, ...]:
    """`months_read`, as a tuple made once per month."""
    return tuple(months_read(month))


def add_household(
    situation: dict[str, dict[str, Any]],
    index: int,
    request: SimulationRequest,
    gross_factors: GrossFactors,
) -> EntityIds:
    household = request.household
    ids = EntityIds.of_household(index)
    months = periods_read(request.month)
    by_role: dict[str, list[str]] = {"applicant": [], "partner": [], "child": []}
    others: list[str] = []
    in_couple = any(member.role == "partner" for member in household.members)
    for member in household.members:
        person_id = ids.person(member.id)
        variables = person_variables(
            member, months, request.month, index, gross_factors
        )
        situation["individus"][person_id] = variables
        if in_couple and member.role in ("applicant", "partner"):
            # Partners share one tax household; OpenFisca wants them married or in a
            # civil partnership for that (the benefits treat every couple alike).
            situation["individus"][person_id]["statut_marital"] = every(months, "pacse")
        (others if member.role == "other" else by_role[member.role]).append(person_id)

    parents = by_role["applicant"] + by_role["partner"]
    situation["familles"][ids.famille] = {
        "parents": parents,
        "enfants": by_role["child"],
    }
    no_income = Series(years_without_income(request.month), 0.0)
    situation["foyers_fiscaux"][ids.foyer_fiscal] = {
        "declarants": parents,
        "personnes_a_charge": by_role["child"],
        "rfr": no_income,
    }
    # Other adults (a grandparent, a flatmate) share the home but are a family and a
    # tax household of their own.
    for member in household.members:
        if member.role == "other":
            person_id = ids.person(member.id)
            situation["familles"][ids.other_famille(member.id)] = {
                "parents": [person_id]
            }
            situation["foyers_fiscaux"][ids.other_foyer(member.id)] = {
                "declarants": [person_id],
                "rfr": no_income,
            }
    menage = {
        "personne_de_reference": by_role["applicant"],
        "conjoint": by_role["partner"],
        "enfants": by_role["child"],
        "autres": others,
    }
    menage.update(housing_variables(household, months))
    if household.resident_since is not None:
        menage["date_arrivee_commune"] = Series(
            ("ETERNITY",), f"{household.resident_since}-01"
        )
    situation["menages"][ids.menage] = menage
    return ids


def person_variables(
    member: Member,
    months: tuple[str, ...],
    month: str,
    index: int,
    gross_factors: GrossFactors,
) -> dict[str, Series]:
    variables: dict[str, Series | None] = {
        "date_naissance": Series(("ETERNITY",), member.birth_date.isoformat())
    }
    if member.activity is not None:
        variables["activite"] = every(months, ACTIVITE[member.activity])
        if member.activity == "apprentice":
            variables["apprenti"] = every(months, True)
    if member.disability_rate is not None:
        variables["taux_incapacite"] = every(months, member.disability_rate)
        variables["handicap"] = every(months, member.disability_rate > 0)
    if member.schooling is not None:
        variables["scolarite"] = every(months, SCOLARITE[member.schooling])

    for income, variable in DIRECT_MONTHLY_INCOMES.items():
        series = income_series(member, income, months)
        if series.any():
            variables[variable] = series
    for income, (gross_variable, _net) in GROSSED_UP_INCOMES.items():
        factor = gross_factors.get((index, member.id, income), 1.0)
        series = income_series(member, income, months, factor)
        if series.any():
            variables[gross_variable] = series
    if member.incomes.self_employment_annual:
        variables[SELF_EMPLOYMENT_VARIABLE] = Series(
            tuple(years_read(month)), member.incomes.self_employment_annual
        )
    for variable in TAXABLE_INCOMES:
        variables[variable] = Series(months_without_income(month), 0.0)
    return {name: value for name, value in variables.items() if value is not None}


def housing_variables(
    household: HouseholdBody, months: tuple[str, ...]
) -> dict[str, Series | None]:
    housing = household.housing
    tenure = housing.tenure
    if tenure == "tenant":
        if housing.social_housing:
            status = "locataire_hlm"
        elif housing.furnished:
            status = "locataire_meuble"
        else:
            status = "locataire_vide"
    else:
        status = {
            "owner": "proprietaire",
            "owner_with_loan": "primo_accedant",
            "hosted_free": "loge_gratuitement",
            "homeless": "sans_domicile",
            "other": "non_renseigne",
        }[tenure]
    variables: dict[str, Any] = {
        "depcom": every(months, household.commune),
        "statut_occupation_logement": every(months, status),
    }
    payment = housing.rent if tenure == "tenant" else housing.loan_payment
    if payment:
        # An owner repaying a loan: OpenFisca-France reads the instalment as `loyer`.
        variables["loyer"] = every(months, payment)
    if tenure == "tenant":
        variables["logement_conventionne"] = every(months, bool(housing.social_housing))
    return variables


def every(months: tuple[str, ...], value: Any) -> Series | None:
    if value is None:
        return None
    return Series(months, value)
