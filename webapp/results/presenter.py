"""Results as a person reads them, for the page and the PDF alike: amounts rounded
and worded by how they are paid, the monthly total, reasons, how to apply."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

from simulator.household import month_start
from simulator.results import BenefitResult, Results
from simulator.territory import communes
from webapp.i18n import format_euros, format_month, format_rate


@dataclass(frozen=True)
class Reason:
    met: bool
    text: str


@dataclass(frozen=True)
class BenefitView:
    id: str
    label: str
    description: str
    status: str
    amount: str | None  # "574 € par mois", "Vous y avez droit"
    monthly_euros: int | None  # counted in the monthly total
    institution: str
    url: str
    online_service: str | None
    form: str | None
    where: str
    documents: list[str]
    reasons: list[Reason]
    main_reason: str | None


@dataclass(frozen=True)
class ResultsView:
    month: str
    commune: str
    eligible: list[BenefitView]
    not_eligible: list[BenefitView]
    not_computable: list[BenefitView]
    monthly_total: str | None
    rules: str
    made_on: datetime.date


def whole_euros(amount: float) -> int:
    """Rounded to the euro, halves up (as people round, not as banks do)."""
    return int(Decimal(str(amount)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amount_text(result: BenefitResult, language: str) -> str | None:
    """The amount as shown: by month, by year or once; a rate as a reduction; a
    right without an amount as "Vous y avez droit"."""
    benefit = result.benefit
    if result.status != "eligible" or result.amount is None:
        return None
    if benefit.unit == "boolean":
        return _("Vous y avez droit")
    if benefit.unit == "percent":
        # A rate per member (a transport fare reduction): the best one.
        rates = [m["amount"] for m in result.members if m.get("amount")]
        rate = max(rates) if rates else float(result.amount)
        return _("Réduction de %(rate)s", rate=format_rate(rate / 100, language))
    value = float(result.amount)
    euros = format_euros(
        whole_euros(value) if value >= 1 else value, language, cents=value < 1
    )
    if benefit.paid_per == "year":
        return _("%(amount)s par an", amount=euros)
    if benefit.paid_per == "once":
        return _("%(amount)s en une fois", amount=euros)
    return _("%(amount)s par mois", amount=euros)


def benefit_view(result: BenefitResult, language: str) -> BenefitView:
    benefit = result.benefit
    apply = benefit.how_to_apply
    if result.status == "not_computable":
        reasons = [Reason(False, text) for text in result.reasons(language)]
    else:
        ordered = sorted(result.conditions, key=lambda c: c.met)  # unmet first
        reasons = [Reason(c.met, c.text.get(language)) for c in ordered]
    unmet = [reason.text for reason in reasons if not reason.met]
    monthly = (
        whole_euros(float(result.amount))
        if result.status == "eligible"
        and benefit.unit == "EUR"
        and benefit.direction == "received"
        and benefit.paid_per == "month"
        and isinstance(result.amount, float)
        else None
    )
    return BenefitView(
        id=benefit.id,
        label=benefit.label.get(language),
        description=benefit.description.get(language),
        status=result.status,
        amount=amount_text(result, language),
        monthly_euros=monthly,
        institution=benefit.institution,
        url=str(apply.url),
        online_service=str(apply.online_service) if apply.online_service else None,
        form=apply.form,
        where=apply.where.get(language),
        documents=[document.get(language) for document in benefit.documents],
        reasons=reasons,
        main_reason=unmet[0] if unmet else None,
    )


def present(results: Results, language: str) -> ResultsView:
    views = [benefit_view(result, language) for result in results.benefits]
    eligible = [view for view in views if view.status == "eligible"]
    # Monthly amounts first, the largest first; then yearly, one-off and rights.
    eligible.sort(key=lambda view: -(view.monthly_euros or -1))
    monthly = [view.monthly_euros for view in eligible if view.monthly_euros]
    commune = communes().get(results.request.household.commune or "")
    return ResultsView(
        month=format_month(month_start(results.month), language),
        commune=f"{commune.name} ({commune.code})" if commune else "",
        eligible=eligible,
        not_eligible=[view for view in views if view.status == "not_eligible"],
        not_computable=[view for view in views if view.status == "not_computable"],
        monthly_total=format_euros(sum(monthly), language) if monthly else None,
        rules=", ".join(f"{name} {version}" for name, version in results.rules.items()),
        made_on=datetime.date.today(),
    )
