"""Command-line tasks: `flask --app webapp init-db`, `... purge-expired`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp import db
from webapp.saved_simulations import purge_expired


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or update the database schema (Alembic upgrade to head)."""
    before = db.current_revision(current_app)
    db.upgrade(current_app)
    after = db.current_revision(current_app)
    if before == after:
        click.echo(f"Database already at revision {after}.")
    else:
        click.echo(f"Database migrated from revision {before} to {after}.")


@click.command("purge-expired")
@with_appcontext
def purge_expired_command() -> None:
    """Delete the saved simulations that have expired."""
    count = purge_expired()
    click.echo(f"Deleted {count} expired saved simulation(s).")
