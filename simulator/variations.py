"""The what-if axis: a household's benefits as one of its incomes varies.

All the points are copies of the household, differing only by that income, simulated
together in one vectorised simulation (their gross-up too): 200 points cost little
more than a few households.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rules.catalog import Benefit
from simulator.household import (
    ANNUAL_INCOMES,
    MAX_ANNUAL_AMOUNT,
    MAX_MONTHLY_AMOUNT,
    MONTHLY_INCOMES,
    FieldError,
    HouseholdError,
    IncomeHistory,
    SimulationRequest,
)
from simulator.results import BenefitResult, Results, simulate
from simulator.situation import net_amount

MAX_STEPS = 1000
# Net incomes counted in the disposable income; `benefits_received` is left out: the
# benefits computed take its place.
COUNTED_INCOMES = tuple(i for i in MONTHLY_INCOMES if i != "benefits_received")


def variations(
    request: SimulationRequest,
    member_id: str,
    income: str,
    start: float,
    stop: float,
    steps: int,
    simulate_batch: Callable[[Sequence[SimulationRequest]], list[Results]] = simulate,
) -> dict[str, Any]:
    """The household's benefits and disposable income at `steps` evenly spaced
    amounts of one member's income, from `start` to `stop` (euros, monthly net; annual
    for `self_employment_annual`).

    The amount replaces the member's stable amount of that income and its history:
    each point is the household as if that income had always been that amount.

    Returns `points` (the amounts), `benefits` (benefit id → amount at each point, as
    in the results: None where not computable) and `disposable_income`: for each point,
    the monthly money of the applicant's family (applicant, partner, children; not the
    other members of the home) in the simulated month: their net incomes (salary,
    unemployment benefit, pensions, alimony, scholarship, a twelfth of self-employment
    income; not `benefits_received`, replaced by the benefits computed) plus the
    benefits that count in the results' monthly total: eligible, in euros, received
    (not a contribution paid) and paid by month (yearly and one-off amounts left out).

    `simulate_batch` simulates the copies (by default in one simulation; the service
    hands them to its coalescer).
    """
    check_axis(request, member_id, income, start, stop, steps)
    points = [
        round(start + (stop - start) * step / (steps - 1), 2) for step in range(steps)
    ]
    copies = [with_income(request, member_id, income, amount) for amount in points]
    computed = simulate_batch(copies)
    ids = [b.benefit.id for b in computed[0].benefits]
    return {
        "month": request.month,
        "member_id": member_id,
        "income": income,
        "points": points,
        "benefits": {
            benefit_id: [results.benefits[rank].amount for results in computed]
            for rank, benefit_id in enumerate(ids)
        },
        "disposable_income": [disposable_income(results) for results in computed],
    }


def check_axis(
    request: SimulationRequest,
    member_id: str,
    income: str,
    start: float,
    stop: float,
    steps: int,
) -> None:
    errors = []
    if member_id not in {member.id for member in request.household.members}:
        errors.append(
            FieldError(
                "member_id",
                f"Aucun membre du foyer n'a l'identifiant « {member_id} ».",
                f"No member of the household has the id '{member_id}'.",
            )
        )
    if income not in MONTHLY_INCOMES + ANNUAL_INCOMES:
        choices = ", ".join(MONTHLY_INCOMES + ANNUAL_INCOMES)
        errors.append(
            FieldError(
                "income",
                f"Revenu inconnu : choisissez parmi {choices}.",
                f"Unknown income: choose among {choices}.",
            )
        )
    bound = MAX_ANNUAL_AMOUNT if income in ANNUAL_INCOMES else MAX_MONTHLY_AMOUNT
    for name, value in (("start", start), ("stop", stop)):
        if not 0 <= value <= bound:
            errors.append(
                FieldError(
                    name,
                    f"Saisissez un montant entre 0 et {bound:.0f} €.",
                    f"Enter an amount between 0 and €{bound:.0f}.",
                )
            )
    if not 2 <= steps <= MAX_STEPS:
        errors.append(
            FieldError(
                "steps",
                f"Le nombre de points va de 2 à {MAX_STEPS}.",
                f"The number of points goes from 2 to {MAX_STEPS}.",
            )
        )
    if errors:
        raise HouseholdError(errors)


def with_income(
    request: SimulationRequest, member_id: str, income: str, amount: float
) -> SimulationRequest:
    """The request with one member's income set to `amount` for every month."""
    members = []
    for member in request.household.members:
        if member.id == member_id:
            update: dict[str, Any] = {
                "incomes": member.incomes.model_copy(update={income: amount})
            }
            if income in IncomeHistory.model_fields:
                update["history"] = member.history.model_copy(update={income: {}})
            member = member.model_copy(update=update)
        members.append(member)
    household = request.household.model_copy(update={"members": members})
    return request.model_copy(update={"household": household})


def received_monthly(benefit: Benefit) -> bool:
    """A benefit received in euros each month (not a rate, a yearly or one-off
    amount, or a contribution paid)."""
    return (
        benefit.unit == "EUR"
        and benefit.direction == "received"
        and benefit.paid_per == "month"
    )


def counts_monthly(result: BenefitResult) -> bool:
    """A benefit counted in the disposable income: received monthly and due."""
    return (
        result.status == "eligible"
        and received_monthly(result.benefit)
        and isinstance(result.amount, float)
    )


def disposable_income(results: Results) -> float:
    """See `variations`: the family's net incomes and monthly benefits received."""
    month = results.month
    total = 0.0
    for member in results.request.household.members:
        if member.role == "other":
            continue
        total += sum(net_amount(member, income, month) for income in COUNTED_INCOMES)
        total += member.incomes.self_employment_annual / 12
    total += sum(float(r.amount or 0) for r in results.benefits if counts_monthly(r))
    return round(total, 2)
