"""`digicheque db`: create or upgrade the schema, and say where the database stands."""

from __future__ import annotations

import click

from bot.app import App, pass_app
from storage.db import current_revision, head_revision, safe_url, upgrade


@click.group()
def db() -> None:
    """Create, upgrade and inspect the database schema."""


@db.command("upgrade")
@pass_app
def upgrade_command(app: App) -> None:
    """Create the tables or bring them to this version (safe to run again)."""
    engine = app.engine(check_schema=False)
    before, after = upgrade(engine)
    if before == after:
        click.echo(f"{safe_url(engine)}: already at revision {after}.")
    else:
        click.echo(f"{safe_url(engine)}: upgraded from {before or 'empty'} to revision {after}.")


@db.command("status")
@pass_app
def status_command(app: App) -> None:
    """Show the schema revision of the database and the one this program needs."""
    engine = app.engine(check_schema=False)
    current, head = current_revision(engine), head_revision()
    state = "up to date" if current == head else "needs: digicheque db upgrade"
    click.echo(f"{safe_url(engine)}: revision {current or 'empty'} (program needs {head}): {state}")
