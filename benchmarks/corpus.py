"""Generated v1 households covering the model's fields, for benchmarks and tests."""

from __future__ import annotations

import random
from typing import Any

COMMUNES = ["75056", "35238", "35051", "44109", "69123", "13055", "59350", "2A004"]
ACTIVITIES = ["employed", "unemployed", "student", "retired", "inactive", "apprentice"]


def birth_date(rng: random.Random, year_low: int, year_high: int) -> str:
    return f"{rng.randint(year_low, year_high)}-{rng.randint(1, 12):02d}-01"


def adult(rng: random.Random, member_id: str, role: str) -> dict[str, Any]:
    activity = rng.choice(ACTIVITIES)
    born = {
        "retired": (1940, 1962),
        "student": (2000, 2007),
        "apprentice": (2003, 2009),
    }.get(activity, (1960, 2004))
    member: dict[str, Any] = {
        "id": member_id,
        "role": role,
        "birth_date": birth_date(rng, *born),
        "activity": activity,
    }
    incomes = {}
    if activity in ("employed", "apprentice"):
        incomes["salary"] = round(rng.uniform(300, 3500), 2)
    if activity == "unemployed" and rng.random() < 0.6:
        incomes["unemployment"] = round(rng.uniform(400, 2000), 2)
    if activity == "retired":
        incomes["pension"] = round(rng.uniform(300, 2800), 2)
    if activity == "student" and rng.random() < 0.4:
        incomes["scholarship"] = round(rng.uniform(100, 600), 2)
    if rng.random() < 0.1:
        incomes["alimony_received"] = round(rng.uniform(50, 400), 2)
    if incomes:
        member["incomes"] = incomes
    if rng.random() < 0.1:
        member["disability_rate"] = rng.choice([0.5, 0.8, 0.9])
    return member


def household(rng: random.Random, month: str = "2026-11") -> dict[str, Any]:
    members = [adult(rng, "me", "applicant")]
    if rng.random() < 0.4:
        members.append(adult(rng, "partner", "partner"))
    for index in range(rng.choice([0, 0, 1, 2, 3, 4])):
        child: dict[str, Any] = {
            "id": f"child{index}",
            "role": "child",
            "birth_date": birth_date(rng, 2009, int(month[:4]) - 1),
        }
        if rng.random() < 0.5:
            child["schooling"] = rng.choice(["primaire", "college", "lycee"])
        members.append(child)
    tenure = rng.choice(["tenant", "tenant", "tenant", "owner", "hosted_free"])
    housing: dict[str, Any] = {"tenure": tenure}
    if tenure == "tenant":
        housing["rent"] = round(rng.uniform(250, 1200), 2)
        housing["social_housing"] = rng.random() < 0.3
    return {
        "month": month,
        "household": {
            "commune": rng.choice(COMMUNES),
            "housing": housing,
            "members": members,
        },
    }


def corpus(size: int, seed: int = 2026, month: str = "2026-11") -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [household(rng, month) for _ in range(size)]
