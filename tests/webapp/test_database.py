"""The schema migrations, the database commands and the saved simulations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from webapp.db import (
    alembic_config,
    current_revision,
    downgrade,
    get_session,
    transaction,
    upgrade,
)
from webapp.models import Base, SavedSimulation
from webapp.saved_simulations import (
    find_saved_simulation,
    purge_expired,
    save_simulation,
)

pytestmark = pytest.mark.db

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def table_names(app) -> set[str]:
    return set(inspect(app.extensions["database"].engine).get_table_names())


# The latest migration, read from Alembic's own script directory.
HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def create_saved_simulation(expires_at: datetime, **answers) -> SavedSimulation:
    saved = SavedSimulation(answers=answers, created_at=NOW, expires_at=expires_at)
    with transaction() as session:
        session.add(saved)
    return saved


def test_init_db_creates_the_tables_and_running_it_again_changes_nothing(app, runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])

    assert first.exit_code == 0, first.output
    assert f"migrated from revision None to {HEAD}" in first.output
    assert second.exit_code == 0, second.output
    assert f"already at revision {HEAD}" in second.output
    assert {"saved_simulations", "api_keys", "alembic_version"} <= table_names(app)


def test_migrations_go_down_to_nothing_and_up_again(app):
    upgrade(app)
    downgrade(app, "base")

    assert current_revision(app) is None
    assert table_names(app) == {"alembic_version"}

    upgrade(app)

    assert current_revision(app) == HEAD
    assert {"saved_simulations", "api_keys"} <= table_names(app)


def test_migrations_create_exactly_what_the_models_describe(app, database):
    with database.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}),
            Base.metadata,
        )

    assert differences == []


def test_purge_expired_deletes_only_expired_saved_simulations(app, database, runner):
    with app.app_context():
        create_saved_simulation(NOW - timedelta(days=1), step="expired")
        create_saved_simulation(NOW - timedelta(seconds=1), step="just expired")
        kept = create_saved_simulation(NOW + timedelta(hours=1), step="kept").token

        assert purge_expired(now=NOW) == 2

        remaining = get_session().scalars(select(SavedSimulation.token)).all()
        assert remaining == [kept]


def test_purge_expired_command_prints_how_many_it_deleted(app, database, runner):
    with app.app_context():
        create_saved_simulation(datetime.now(UTC) - timedelta(days=1))
        create_saved_simulation(datetime.now(UTC) + timedelta(days=1))

    first = runner.invoke(args=["purge-expired"])
    second = runner.invoke(args=["purge-expired"])

    assert "Deleted 1 expired saved simulation(s)." in first.output
    assert "Deleted 0 expired saved simulation(s)." in second.output


def test_a_saved_simulation_is_found_by_its_token_until_it_expires(app, database):
    app.config["SAVED_SIMULATION_DAYS"] = 7
    answers = {"household": {"commune": "35238", "members": [{"id": "me"}]}}
    with app.app_context():
        saved = save_simulation(answers, now=NOW)

        assert len(saved.token) >= 43
        assert saved.expires_at == NOW + timedelta(days=7)
        found = find_saved_simulation(saved.token, now=NOW + timedelta(days=6))
        assert found is not None
        assert found.answers == answers
        assert found.created_at == NOW
        assert find_saved_simulation(saved.token, now=NOW + timedelta(days=7)) is None
        assert find_saved_simulation("not-a-token", now=NOW) is None


def test_transaction_rolls_back_everything_when_the_block_fails(app, database):
    with app.app_context():
        with pytest.raises(RuntimeError), transaction() as session:
            session.add(SavedSimulation(answers={}, created_at=NOW, expires_at=NOW))
            session.flush()
            raise RuntimeError("failure after the insert")

        count = get_session().scalar(select(func.count(SavedSimulation.id)))
        assert count == 0


def test_two_saved_simulations_cannot_share_a_token(app, database):
    def saved_with_token(token: str) -> SavedSimulation:
        return SavedSimulation(token=token, answers={}, created_at=NOW, expires_at=NOW)

    with app.app_context():
        with transaction() as session:
            session.add(saved_with_token("same"))

        with pytest.raises(IntegrityError), transaction() as session:
            session.add(saved_with_token("same"))
