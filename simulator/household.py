"""The household (v1 contract): a validated model shared by every way into the service.

Every rejection names the field path (``household.members[1].birth_date``) and says what
is expected, in French and in English.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from rules.catalog import Activity, Tenure
from simulator.territory import communes

# Input sanity bounds, not legal figures: amounts above them are typing mistakes.
MAX_MONTHLY_AMOUNT = 100_000.0
MAX_ANNUAL_AMOUNT = 1_200_000.0
MAX_MEMBERS = 20
OLDEST_BIRTH_YEAR = 1900

Role = Literal["applicant", "partner", "child", "other"]
Schooling = Literal[
    "none", "maternelle", "primaire", "college", "lycee", "higher_education"
]
MONTHLY_INCOMES = (
    "salary",
    "unemployment",
    "pension",
    "disability_pension",
    "alimony_received",
    "scholarship",
    "benefits_received",
)
ANNUAL_INCOMES = ("self_employment_annual",)
MONTH_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def error(code: str, fr: str, en: str, **context: Any) -> PydanticCustomError:
    """A validation error carrying both languages (the French text is the reference)."""
    return PydanticCustomError(code, en, {"fr": fr, "en": en, **context})


def parse_month(value: Any) -> str:
    if not isinstance(value, str) or not MONTH_PATTERN.match(value):
        raise error(
            "month_format",
            "Saisissez un mois au format AAAA-MM, par exemple 2026-11.",
            "Enter a month as YYYY-MM, for example 2026-11.",
        )
    return value


# Before FIRST_MONTH some parameters the benefits read have no value in the pinned
# rules (OpenFisca raises); after next year the service would only repeat today's law.
FIRST_MONTH = "2023-01"


def supported_months() -> tuple[str, str]:
    """The first and last months (YYYY-MM) the service simulates."""
    return FIRST_MONTH, f"{datetime.date.today().year + 1}-12"


def parse_simulated_month(value: Any) -> str:
    month = parse_month(value)
    first, last = supported_months()
    if not first <= month <= last:
        raise error(
            "month_out_of_range",
            f"Le simulateur calcule les mois de {first} à {last} : choisissez-en un "
            "dans cet intervalle.",
            f"The simulator computes the months from {first} to {last}: choose one "
            "in that range.",
        )
    return month


def current_month() -> str:
    return datetime.date.today().strftime("%Y-%m")


MonthStr = Annotated[str, BeforeValidator(parse_month)]


def month_start(month: str) -> datetime.date:
    year, number = month.split("-")
    return datetime.date(int(year), int(number), 1)


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def amount(maximum: float) -> Any:
    return Field(default=0.0, ge=0, le=maximum, allow_inf_nan=False, strict=True)


class Incomes(Model):
    """Monthly net amounts (as on the payslip), but self-employment: annual."""

    salary: float = amount(MAX_MONTHLY_AMOUNT)
    unemployment: float = amount(MAX_MONTHLY_AMOUNT)
    pension: float = amount(MAX_MONTHLY_AMOUNT)
    disability_pension: float = amount(MAX_MONTHLY_AMOUNT)
    alimony_received: float = amount(MAX_MONTHLY_AMOUNT)
    scholarship: float = amount(MAX_MONTHLY_AMOUNT)
    benefits_received: float = amount(MAX_MONTHLY_AMOUNT)
    self_employment_annual: float = amount(MAX_ANNUAL_AMOUNT)


MonthlyHistory = dict[
    MonthStr,
    Annotated[
        float, Field(ge=0, le=MAX_MONTHLY_AMOUNT, allow_inf_nan=False, strict=True)
    ],
]


# Default models made by a factory, not copied: pydantic deep-copies a default model
# for each instance (half of a batch's validation, 0.1 s for 1,000 households; an
# empty dict it copies at little cost). The schema still documents them.
def documented_default(model: type[BaseModel]) -> dict[str, Any]:
    return {"default": model().model_dump(mode="json")}


class IncomeHistory(Model):
    """Month → net amount, overriding the stable assumption for those months."""

    salary: MonthlyHistory = {}
    unemployment: MonthlyHistory = {}
    pension: MonthlyHistory = {}
    disability_pension: MonthlyHistory = {}
    alimony_received: MonthlyHistory = {}
    scholarship: MonthlyHistory = {}


class Member(Model):
    id: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")
    role: Role
    birth_date: datetime.date
    activity: Activity | None = None
    disability_rate: float | None = Field(default=None, ge=0, le=1, strict=True)
    schooling: Schooling | None = None
    incomes: Incomes = Field(
        default_factory=Incomes, json_schema_extra=documented_default(Incomes)
    )
    history: IncomeHistory = Field(
        default_factory=IncomeHistory,
        json_schema_extra=documented_default(IncomeHistory),
    )

    @field_validator("birth_date", mode="before")
    @classmethod
    def iso_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                raise error(
                    "date_format",
                    "Saisissez une date réelle au format AAAA-MM-JJ, "
                    "par exemple 1990-01-31.",
                    "Enter a real date as YYYY-MM-DD, for example 1990-01-31.",
                ) from None
        return value

    @field_validator("birth_date")
    @classmethod
    def plausible_birth_year(cls, value: datetime.date) -> datetime.date:
        if value.year < OLDEST_BIRTH_YEAR:
            raise error(
                "birth_date_too_old",
                f"La date de naissance doit être postérieure à {OLDEST_BIRTH_YEAR}.",
                f"The birth date must be after {OLDEST_BIRTH_YEAR}.",
            )
        return value


class Housing(Model):
    tenure: Tenure
    rent: float | None = Field(
        default=None, ge=0, le=MAX_MONTHLY_AMOUNT / 5, strict=True
    )
    loan_payment: float | None = Field(
        default=None, ge=0, le=MAX_MONTHLY_AMOUNT / 5, strict=True
    )
    furnished: bool | None = None
    social_housing: bool | None = None

    @model_validator(mode="after")
    def fields_of_the_tenure(self) -> Housing:
        tenant_only = {"rent": self.rent, "furnished": self.furnished}
        tenant_only["social_housing"] = self.social_housing
        if self.tenure != "tenant":
            for name, value in tenant_only.items():
                if value is not None:
                    raise error(
                        "not_for_tenure",
                        f"« {name} » ne concerne que les locataires : retirez-le ou "
                        "choisissez tenure « tenant ».",
                        f"'{name}' only applies to tenants: remove it or choose "
                        "tenure 'tenant'.",
                        field=name,
                    )
        elif self.rent is None:
            raise error(
                "rent_missing",
                "Indiquez le loyer mensuel hors charges (rent) du locataire.",
                "Give the tenant's monthly rent without charges (rent).",
                field="rent",
            )
        if self.loan_payment is not None and self.tenure != "owner_with_loan":
            raise error(
                "not_for_tenure",
                "« loan_payment » ne concerne que les propriétaires qui remboursent un "
                "prêt (tenure « owner_with_loan »).",
                "'loan_payment' only applies to owners repaying a loan "
                "(tenure 'owner_with_loan').",
                field="loan_payment",
            )
        return self


class HouseholdBody(Model):
    commune: str | None = None
    postal_code: str | None = None
    # The month the household came to live in its commune (Paris aids ask for years
    # of residence); optional.
    resident_since: MonthStr | None = None
    housing: Housing
    members: list[Member] = Field(min_length=1, max_length=MAX_MEMBERS)

    @field_validator("commune")
    @classmethod
    def known_commune(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"\d{5}|2[AB]\d{3}", value):
            raise error(
                "commune_format",
                "Le code commune INSEE compte 5 caractères (2A ou 2B pour la Corse), "
                "par exemple 35238 pour Rennes.",
                "The INSEE commune code has 5 characters (2A or 2B for Corsica), "
                "for example 35238 for Rennes.",
            )
        found = communes().get(value)
        if found is None:
            raise error(
                "commune_unknown",
                f"Aucune commune ne porte le code INSEE {value} : vérifiez-le.",
                f"No commune has the INSEE code {value}: check it.",
            )
        return found.code

    @field_validator("postal_code")
    @classmethod
    def known_postal_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"\d{5}", value):
            raise error(
                "postal_code_format",
                "Le code postal compte 5 chiffres, par exemple 35000.",
                "The postal code has 5 digits, for example 35000.",
            )
        if not communes().for_postal_code(value):
            raise error(
                "postal_code_unknown",
                f"Aucune commune n'a le code postal {value} : vérifiez-le.",
                f"No commune has the postal code {value}: check it.",
            )
        return value

    @model_validator(mode="after")
    def resolve_commune(self) -> HouseholdBody:
        if self.commune is None and self.postal_code is None:
            raise error(
                "commune_missing",
                "Indiquez la commune de résidence (code INSEE « commune ») ou son code "
                "postal (« postal_code »).",
                "Give the commune of residence (INSEE code 'commune') or its postal "
                "code ('postal_code').",
                field="commune",
            )
        if self.commune is not None and self.postal_code is not None:
            served = {c.code for c in communes().for_postal_code(self.postal_code)}
            if self.commune not in served:
                raise error(
                    "postal_code_mismatch",
                    f"Le code postal {self.postal_code} ne dessert pas la commune "
                    f"{self.commune} : corrigez l'un des deux, ou ne donnez que la "
                    "commune.",
                    f"The postal code {self.postal_code} does not serve the commune "
                    f"{self.commune}: correct one of them, or give the commune only.",
                    field="postal_code",
                )
        if self.commune is None:
            candidates = communes().for_postal_code(self.postal_code or "")
            if len(candidates) > 1:
                choices = ", ".join(f"{c.code} ({c.name})" for c in candidates)
                raise error(
                    "postal_code_ambiguous",
                    f"Le code postal {self.postal_code} couvre plusieurs communes : "
                    f"précisez laquelle avec « commune » parmi {choices}.",
                    f"The postal code {self.postal_code} covers several communes: "
                    f"say which one with 'commune' among {choices}.",
                    field="commune",
                    choices=[{"code": c.code, "name": c.name} for c in candidates],
                )
            object.__setattr__(self, "commune", candidates[0].code)
        return self

    @model_validator(mode="after")
    def roles_and_ids(self) -> HouseholdBody:
        roles = [member.role for member in self.members]
        if roles.count("applicant") != 1:
            raise error(
                "applicant_count",
                "Le foyer doit compter exactement un demandeur (role « applicant »).",
                "The household must have exactly one applicant (role 'applicant').",
                field="members",
            )
        if roles.count("partner") > 1:
            raise error(
                "partner_count",
                "Le foyer compte au plus un conjoint (role « partner »).",
                "The household has at most one partner (role 'partner').",
                field="members",
            )
        seen: set[str] = set()
        for index, member in enumerate(self.members):
            if member.id in seen:
                raise error(
                    "duplicate_id",
                    f"L'identifiant « {member.id} » est déjà utilisé : chaque membre "
                    "a le sien.",
                    f"The id '{member.id}' is already used: each member needs "
                    "their own.",
                    field=f"members[{index}].id",
                )
            seen.add(member.id)
        return self

    @property
    def applicant(self) -> Member:
        return next(m for m in self.members if m.role == "applicant")


class SimulationRequest(Model):
    """What a user asks: a household, for a month (default: the current month)."""

    month: Annotated[str, BeforeValidator(parse_simulated_month)] = Field(
        default_factory=current_month
    )
    household: HouseholdBody

    @model_validator(mode="after")
    def resident_since_before_the_month(self) -> SimulationRequest:
        since = self.household.resident_since
        if since is not None and since > self.month:
            raise error(
                "resident_since_future",
                f"La date d'arrivée dans la commune ne peut pas être après le mois "
                f"simulé ({self.month}).",
                f"The month of arrival in the commune cannot be after the simulated "
                f"month ({self.month}).",
                field="household.resident_since",
            )
        return self

    @model_validator(mode="after")
    def dates_before_the_month(self) -> SimulationRequest:
        end = month_start(self.month).replace(day=28) + datetime.timedelta(days=4)
        end = end - datetime.timedelta(days=end.day)  # last day of the month
        for index, member in enumerate(self.household.members):
            if member.birth_date > end:
                raise error(
                    "birth_date_future",
                    f"La date de naissance ne peut pas être après le mois simulé "
                    f"({self.month}).",
                    f"The birth date cannot be after the simulated month "
                    f"({self.month}).",
                    field=f"household.members[{index}].birth_date",
                )
            for kind, months in member.history:
                for month in months:
                    if month > self.month:
                        raise error(
                            "history_future",
                            f"L'historique ne peut pas dépasser le mois simulé "
                            f"({self.month}).",
                            f"The history cannot go past the simulated month "
                            f"({self.month}).",
                            field=f"household.members[{index}].history.{kind}.{month}",
                        )
        return self


# -- errors ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    field: str
    fr: str
    en: str
    context: dict[str, Any] | None = None

    def message(self, language: str = "fr") -> str:
        return self.en if language == "en" else self.fr

    def to_json(self, language: str = "fr") -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "message": self.message(language)}
        if self.context:
            data.update(self.context)
        return data


class HouseholdError(ValueError):
    """The input breaks the household contract; `errors` says where and why."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.en}" for e in errors))
        self.errors = errors


def field_path(location: tuple[Any, ...]) -> str:
    path = ""
    for part in location:
        if part == "[key]":  # pydantic's marker for an invalid mapping key
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path


GENERIC_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Ce champ est obligatoire.", "This field is required."),
    "extra_forbidden": (
        "Champ inconnu : retirez-le (voir le schéma du foyer).",
        "Unknown field: remove it (see the household schema).",
    ),
    "string_type": ("Texte attendu.", "Text expected."),
    "bool_type": ("Valeur attendue : true ou false.", "Expected true or false."),
    "bool_parsing": ("Valeur attendue : true ou false.", "Expected true or false."),
    "float_type": (
        "Nombre attendu, par exemple 812.19.",
        "Number expected, e.g. 812.19.",
    ),
    "float_parsing": (
        "Nombre attendu, par exemple 812.19.",
        "Number expected, e.g. 812.19.",
    ),
    "finite_number": ("Nombre fini attendu.", "A finite number is expected."),
    "dict_type": ("Objet JSON attendu.", "A JSON object is expected."),
    "model_type": ("Objet JSON attendu.", "A JSON object is expected."),
    "model_attributes_type": ("Objet JSON attendu.", "A JSON object is expected."),
    "list_type": ("Liste attendue.", "A list is expected."),
    "date_type": (
        "Date attendue au format AAAA-MM-JJ.",
        "Date expected as YYYY-MM-DD.",
    ),
    "date_parsing": (
        "Saisissez une date réelle au format AAAA-MM-JJ.",
        "Enter a real date as YYYY-MM-DD.",
    ),
    "date_from_datetime_parsing": (
        "Saisissez une date réelle au format AAAA-MM-JJ.",
        "Enter a real date as YYYY-MM-DD.",
    ),
}


def translate(details: dict[str, Any]) -> tuple[str, str, dict[str, Any] | None]:
    """French and English messages for one pydantic error."""
    kind = details["type"]
    ctx = details.get("ctx") or {}
    if "fr" in ctx:
        extra = {k: v for k, v in ctx.items() if k not in ("fr", "en", "field")}
        return ctx["fr"], ctx["en"], extra or None
    if kind in GENERIC_MESSAGES:
        fr, en = GENERIC_MESSAGES[kind]
        return fr, en, None
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        return (
            f"Valeur inconnue : choisissez parmi {expected.replace(' or ', ' ou ')}.",
            f"Unknown value: choose among {expected}.",
            None,
        )
    if kind in ("greater_than_equal", "greater_than"):
        return (
            f"Saisissez un nombre positif ou nul (au moins {ctx.get('ge', 0)}).",
            f"Enter a number that is zero or more (at least {ctx.get('ge', 0)}).",
            None,
        )
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        if "disability_rate" in details["loc"]:
            return (
                f"Saisissez un taux entre 0 et {limit} (0,8 pour 80 %).",
                f"Enter a rate between 0 and {limit} (0.8 for 80%).",
                None,
            )
        # French groups thousands with a narrow space: "100,000" would read as 100.
        french_limit = f"{limit:,.0f}".replace(",", "\u202f")
        return (
            f"Montant invraisemblable : au plus {french_limit}\u00a0€. Vérifiez la "
            "saisie (les montants sont en euros, mensuels sauf mention contraire).",
            f"Implausible amount: at most €{limit:,.0f}. Check the entry "
            "(amounts are in euros, monthly unless stated).",
            None,
        )
    if kind in ("too_short", "string_too_short"):
        return ("Ce champ ne peut pas être vide.", "This field cannot be empty.", None)
    if kind in ("too_long", "string_too_long"):
        return (
            "Trop d'éléments ou texte trop long.",
            "Too many items or too long.",
            None,
        )
    if kind == "string_pattern_mismatch":
        return (
            "Format invalide : lettres, chiffres, « - » et « _ » seulement.",
            "Invalid format: letters, digits, '-' and '_' only.",
            None,
        )
    return ("Valeur invalide.", "Invalid value.", None)


def parse_request(data: Any) -> SimulationRequest:
    """Validate raw JSON-like data into a request, or raise HouseholdError."""
    if not isinstance(data, dict):
        raise HouseholdError(
            [FieldError("", "Objet JSON attendu.", "A JSON object is expected.")]
        )
    try:
        return SimulationRequest.model_validate(data)
    except ValidationError as exc:
        errors = []
        for details in exc.errors():
            fr, en, context = translate(details)
            path = field_path(details["loc"])
            inner = (details.get("ctx") or {}).get("field")
            if inner:
                path = inner if inner.startswith("household") else _join(path, inner)
            errors.append(FieldError(path, fr, en, context))
        raise HouseholdError(errors) from None


def _join(path: str, inner: str) -> str:
    if not path:
        return inner
    return f"{path}{inner}" if inner.startswith("[") else f"{path}.{inner}"


def household_json_schema() -> dict[str, Any]:
    """The JSON Schema of the v1 request (month + household)."""
    return SimulationRequest.model_json_schema()
