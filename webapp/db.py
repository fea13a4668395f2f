"""The database: one engine and one scoped session per app, the commit/rollback
helper every write goes through, and the Alembic migrations run from code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from flask import Flask, current_app
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, scoped_session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True)
class Database:
    engine: Engine
    session: scoped_session[Session]


def database_url(url: str) -> URL:
    """Parse DATABASE_URL; `postgres://` and `postgresql://` (as hosting platforms
    give them) mean the psycopg 3 driver, the only PostgreSQL driver installed."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def init_app(app: Flask) -> None:
    url = database_url(app.config["DATABASE_URL"])
    in_memory = url.database in (None, "", ":memory:")
    if url.get_backend_name() == "sqlite" and not in_memory:
        # The default file lives in the instance folder, which may not exist yet.
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # pre_ping: a PostgreSQL server or proxy may close idle connections.
    engine = create_engine(url, pool_pre_ping=True)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", enable_sqlite_foreign_keys)
    # Objects are read after their transaction commits (a new token for a redirect),
    # so commit does not expire them.
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    database = Database(engine=engine, session=scoped_session(factory))
    app.extensions["database"] = database
    app.teardown_appcontext(lambda _exception: database.session.remove())


def enable_sqlite_foreign_keys(connection: Any, _record: Any) -> None:
    """SQLite leaves foreign keys unchecked unless each connection asks."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def get_database(app: Flask | None = None) -> Database:
    return (app or current_app).extensions["database"]


def get_session() -> Session:
    """The session of the current app context, for reads."""
    return get_database().session()


@contextmanager
def transaction() -> Iterator[Session]:
    """The one commit/rollback helper: every write runs inside it.

    Commits when the block ends, rolls back and re-raises on any error.
    """
    session = get_session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    """Migrate the app's database up to `revision` (Alembic upgrade)."""
    _run_migration(app, command.upgrade, revision)


def downgrade(app: Flask, revision: str) -> None:
    """Migrate the app's database down to `revision` (Alembic downgrade)."""
    _run_migration(app, command.downgrade, revision)


def current_revision(app: Flask) -> str | None:
    with get_database(app).engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _run_migration(
    app: Flask, migrate: Callable[[Config, str], None], revision: str
) -> None:
    config = alembic_config()
    # env.py uses this connection, so migrations run on the app's own DATABASE_URL.
    with get_database(app).engine.begin() as connection:
        config.attributes["connection"] = connection
        migrate(config, revision)
