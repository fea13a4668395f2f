"""Command-line tasks: `flask --app webapp init-db`, `... purge-expired`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from webapp import db
from webapp.api.access import create_api_key, list_api_keys, revoke_api_key
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


@click.group("api-keys")
def api_keys_command() -> None:
    """Create, list and revoke the API keys of partners."""


@api_keys_command.command("create")
@click.option("--name", required=True, help="Who the key is for, e.g. 'CCAS Rennes'.")
@with_appcontext
def create_key(name: str) -> None:
    """Create a key; it is shown once, only its hash is kept."""
    record, key = create_api_key(name)
    click.echo(f"API key {record.id} for {record.name}:")
    click.echo(key)
    click.echo("Keep it now: it cannot be shown again.")


@api_keys_command.command("list")
@with_appcontext
def list_keys() -> None:
    """List the keys (id, start of the key, name, state)."""
    records = list_api_keys()
    if not records:
        click.echo("No API key.")
    for record in records:
        state = (
            f"revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else "active"
        )
        used = (
            f"last used {record.last_used_at:%Y-%m-%d}"
            if record.last_used_at
            else "never used"
        )
        click.echo(f"{record.id}\t{record.prefix}…\t{record.name}\t{state}\t{used}")


@api_keys_command.command("revoke")
@click.argument("key_id", type=int)
@with_appcontext
def revoke_key(key_id: int) -> None:
    """Revoke the key KEY_ID (see `list`)."""
    record = revoke_api_key(key_id)
    if record is None:
        raise click.ClickException(f"No API key has the id {key_id}.")
    click.echo(f"API key {record.id} ({record.name}) is revoked.")
