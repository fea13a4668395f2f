"""Data access for saved simulations: save answers, find them by token, purge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select

from webapp.db import get_session, transaction
from webapp.models import SavedSimulation


def save_simulation(
    answers: dict[str, Any], now: datetime | None = None
) -> SavedSimulation:
    """Store answers under a new token, for SAVED_SIMULATION_DAYS days."""
    now = now or datetime.now(UTC)
    days = current_app.config["SAVED_SIMULATION_DAYS"]
    saved = SavedSimulation(
        answers=answers, created_at=now, expires_at=now + timedelta(days=days)
    )
    with transaction() as session:
        session.add(saved)
    return saved


def find_saved_simulation(
    token: str, now: datetime | None = None
) -> SavedSimulation | None:
    """The saved simulation behind a token, unless it has expired."""
    return get_session().scalar(
        select(SavedSimulation).where(
            SavedSimulation.token == token,
            SavedSimulation.expires_at > (now or datetime.now(UTC)),
        )
    )


def purge_expired(now: datetime | None = None) -> int:
    """Delete the saved simulations whose expiry has passed; return how many."""
    with transaction() as session:
        result = session.execute(
            delete(SavedSimulation).where(
                SavedSimulation.expires_at <= (now or datetime.now(UTC))
            )
        )
    return result.rowcount
