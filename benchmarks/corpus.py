"""Generated v1 households covering every field and value of the model.

Used by the benchmarks and by the derivation of the folded rules
(`benchmarks/derive_folding.py`): a variable is folded only if it kept its default value
for every household generated here, so the corpus must reach every corner the v1 model
can express: every activity, tenure, income kind (from a few euros to the model's
bounds), schooling, disability rate, income history, "other" members, all ages, and
communes of every kind of territory (Paris and its districts, the local aids' areas,
Île-de-France, Alsace-Moselle, Corsica, the overseas départements and collectivities,
small villages).
"""

from __future__ import annotations

import random
from typing import Any

COMMUNES = [
    # The local aids of the catalog: Paris (and a district), Rennes Métropole, Nantes,
    # Pays de la Loire, Lyon Métropole, Hauts-de-France, Montpellier, Seine-Saint-Denis.
    "75056",
    "75118",
    "35238",
    "35051",
    "44109",
    "49007",
    "53130",
    "72181",
    "85191",
    "69123",
    "69266",
    "59350",
    "62041",
    "80021",
    "02691",
    "60057",
    "34172",
    "93066",
    "93008",
    # Île-de-France (housing aid zone 1), Alsace-Moselle, big and small cities.
    "92012",
    "94028",
    "78646",
    "77288",
    "95585",
    "91228",
    "67482",
    "57463",
    "13055",
    "31555",
    "33063",
    "06088",
    "29019",
    "21231",
    "63113",
    "23096",
    "48095",
    "05061",
    "01001",
    # Corsica.
    "2A004",
    "2A041",
    "2B033",
    "2B096",
    # Overseas départements and collectivities.
    "97105",
    "97101",
    "97209",
    "97302",
    "97411",
    "97415",
    "97611",
    "97502",
    "97701",
    "97801",
]
ACTIVITIES = [
    "employed",
    "self_employed",
    "unemployed",
    "student",
    "apprentice",
    "retired",
    "inactive",
]
TENURES = ["tenant", "owner", "owner_with_loan", "hosted_free", "homeless", "other"]
SCHOOLING = ["none", "maternelle", "primaire", "college", "lycee", "higher_education"]
DISABILITY_RATES = [0.0, 0.2, 0.5, 0.6, 0.79, 0.8, 0.9, 1.0]
MONTHLY_INCOMES = [
    "salary",
    "unemployment",
    "pension",
    "disability_pension",
    "alimony_received",
    "scholarship",
    "benefits_received",
]
HISTORY_INCOMES = MONTHLY_INCOMES[:-1]
# Which incomes an activity makes likely (others still appear, more rarely).
LIKELY_INCOMES = {
    "employed": ("salary",),
    "apprentice": ("salary",),
    "unemployed": ("unemployment",),
    "retired": ("pension",),
    "student": ("scholarship", "salary"),
    "inactive": ("disability_pension", "benefits_received"),
    "self_employed": (),
}
# The months the default corpus spans: the folded rules hold for these (see
# rules/folding.yaml).
FIRST_MONTH = "2023-01"
LAST_MONTH = "2027-12"


def months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year}-{month:02d}" <= last:
        months.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def birth_date(rng: random.Random, month: str, age_low: int, age_high: int) -> str:
    """A birth date giving an age between the bounds in `month` (never after it)."""
    year = int(month[:4]) - rng.randint(age_low, age_high)
    if year == int(month[:4]):
        return f"{year}-{rng.randint(1, int(month[5:])):02d}-01"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def monthly_amount(rng: random.Random) -> float:
    """Mostly modest amounts, sometimes large, rarely up to the model's bound."""
    band = rng.random()
    if band < 0.05:
        return round(rng.uniform(1, 50), 2)
    if band < 0.75:
        return round(rng.uniform(50, 2500), 2)
    if band < 0.95:
        return round(rng.uniform(2500, 12_000), 2)
    return round(rng.uniform(12_000, 100_000), 2)


def history(rng: random.Random, month: str, stable: float) -> dict[str, float]:
    """Some past months that differ from the stable amount: a job lost or found,
    a raise, irregular months."""
    months = months_between(f"{int(month[:4]) - 2}-01", month)
    shape = rng.choice(["stopped", "started", "irregular", "raise"])
    if shape == "stopped":  # the income stopped some months ago
        since = rng.randint(1, 12)
        return {m: 0.0 for m in months[-since:]}
    if shape == "started":  # it started some months ago: nothing before
        since = rng.randint(1, 30)
        return {m: 0.0 for m in months[:-since]}
    if shape == "raise":
        since = rng.randint(1, 24)
        return {m: round(stable * rng.uniform(0.5, 0.95), 2) for m in months[:-since]}
    chosen = rng.sample(months, rng.randint(1, 8))
    return {m: monthly_amount(rng) for m in sorted(chosen)}


def member(
    rng: random.Random, month: str, member_id: str, role: str, age: tuple[int, int]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": member_id,
        "role": role,
        "birth_date": birth_date(rng, month, *age),
    }
    activity = None
    if role != "child" or rng.random() < 0.3:
        activity = rng.choice(ACTIVITIES)
        data["activity"] = activity
    incomes: dict[str, float] = {}
    for income in LIKELY_INCOMES.get(activity or "", ()):
        if rng.random() < 0.8:
            incomes[income] = monthly_amount(rng)
    for income in MONTHLY_INCOMES:
        if rng.random() < (0.04 if role == "child" else 0.08):
            incomes[income] = monthly_amount(rng)
    if activity == "self_employed" or rng.random() < 0.03:
        incomes["self_employment_annual"] = round(rng.uniform(0, 300_000), 2)
    if incomes:
        data["incomes"] = incomes
    if rng.random() < 0.15:
        kind = rng.choice(HISTORY_INCOMES)
        data["history"] = {kind: history(rng, month, incomes.get(kind, 0.0))}
    if rng.random() < 0.15:
        data["disability_rate"] = rng.choice(DISABILITY_RATES)
    if role == "child" and rng.random() < 0.7:
        data["schooling"] = rng.choice(SCHOOLING)
    elif rng.random() < 0.05:
        data["schooling"] = rng.choice(SCHOOLING)
    return data


def housing(rng: random.Random) -> dict[str, Any]:
    tenure = rng.choice(TENURES + ["tenant"] * 4)
    data: dict[str, Any] = {"tenure": tenure}
    if tenure == "tenant":
        data["rent"] = round(rng.choice([rng.uniform(0, 300), rng.uniform(300, 2500)]))
        if rng.random() < 0.7:
            data["social_housing"] = rng.random() < 0.35
        if rng.random() < 0.6:
            data["furnished"] = rng.random() < 0.25
    if tenure == "owner_with_loan" and rng.random() < 0.9:
        data["loan_payment"] = round(rng.uniform(100, 3000), 2)
    return data


def household(rng: random.Random, month: str = "2026-11") -> dict[str, Any]:
    members = [member(rng, month, "me", "applicant", (16, 100))]
    if rng.random() < 0.45:
        members.append(member(rng, month, "partner", "partner", (16, 100)))
    for index in range(rng.choice([0, 0, 0, 1, 1, 2, 2, 3, 4, 6])):
        members.append(member(rng, month, f"child{index}", "child", (0, 24)))
    for index in range(rng.choice([0] * 8 + [1, 2])):
        members.append(member(rng, month, f"other{index}", "other", (0, 100)))
    body: dict[str, Any] = {
        "commune": rng.choice(COMMUNES),
        "housing": housing(rng),
        "members": members,
    }
    if rng.random() < 0.5:
        body["resident_since"] = rng.choice(
            [month, *months_between(f"{int(month[:4]) - 10}-01", month)]
        )
    return {"month": month, "household": body}


def corpus(
    size: int, seed: int = 2026, month: str | None = "2026-11"
) -> list[dict[str, Any]]:
    """`size` households for `month`, or spread over the folding months if None."""
    rng = random.Random(seed)
    months = months_between(FIRST_MONTH, LAST_MONTH)
    return [household(rng, month or rng.choice(months)) for _ in range(size)]
