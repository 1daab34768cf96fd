"""`digicheque demo`: a ready demo database and a conversation in the terminal."""

from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import select

from bot.app import App, parse_moment, pass_app
from bot.commands.chat import DEFAULT_ADDRESS, run_chat
from storage.cheques import ChequeState, cheque_state, generate_cheques
from storage.codes import display
from storage.db import make_sessionmaker, upgrade
from storage.models import Cheque, Coach
from storage.schedule import belgian_holidays, parse_weekly, plan_slots
from storage.slots import upsert_slots

DEMO_BATCH = "demo"
DEMO_CODES = 5
DEMO_COACHES = (
    ("Demo coach An", "mon,tue,wed,thu,fri 09:00-12:00; mon,tue,thu 13:00-16:30"),
    ("Demo coach Bram", "tue,wed,fri 13:00-16:30; sat 09:30-12:00"),
)


@click.command()
@click.option("--channel", "form", type=click.Choice(["sms", "telegram"]), default="sms",
              show_default=True, help="Show the replies as this channel would.")
@click.option("--now", "now_text", metavar="DATETIME",
              help="Pretend it is this moment, e.g. 2026-12-01T09:00 (local time).")
@click.option("--no-chat", is_flag=True, help="Only prepare the database; do not start chat.")
@pass_app
def demo(app: App, form: str, now_text: str | None, no_chat: bool) -> None:
    """Prepare a demo database and start a conversation as a resident.

    Uses the configured SQLite database (default ./digicheque.db): creates the tables,
    two demo coaches, two weeks of visit slots from today and a few demo cheque codes,
    then opens `digicheque chat`. Safe to run again: it tops up, never deletes.
    """
    if now_text:
        app.now = parse_moment(now_text, app.settings, "'--now'")
    engine = app.engine(check_schema=False)  # connects only when used
    if engine.dialect.name != "sqlite":
        raise click.ClickException(
            "the demo only runs on a SQLite database, to keep demo data out of production; "
            "set DIGICHEQUE_DATABASE_URL=sqlite:///digicheque.db")
    upgrade(engine)
    codes = prepare(app)
    click.echo(f"Demo database ready: {engine.url.database}")
    click.echo("Demo cheque codes (each good for one visit): " +
               ", ".join(display(c) for c in codes))
    click.echo("Send one of them, then answer the questions. Postcode 9100, any street.\n")
    if not no_chat:
        run_chat(app, DEFAULT_ADDRESS, form)


def prepare(app: App) -> list[str]:
    """Top up demo coaches, slots and codes; returns the demo codes still usable."""
    settings, now = app.settings, app.clock()
    sessions = make_sessionmaker(app.engine(check_schema=False))
    today = now.astimezone(settings.tz).date()
    last = today + timedelta(days=14)
    with sessions.begin() as session:
        for name, weekly in DEMO_COACHES:
            coach = session.scalars(select(Coach).where(Coach.name == name)).first()
            if coach is None:
                coach = Coach(name=name, phone=None, postcodes="", active=True)
                session.add(coach)
                session.flush()
            plan = plan_slots(parse_weekly(weekly), today, last, settings.tz,
                              settings.booking.visit_length, timedelta(minutes=30),
                              belgian_holidays(today, last))
            upsert_slots(session, coach.id, plan.spans)
        demo_cheques = session.scalars(select(Cheque).where(Cheque.batch == DEMO_BATCH)).all()
        usable = [c.code for c in demo_cheques if cheque_state(c, today) == ChequeState.OK]
        if len(usable) < DEMO_CODES:
            new = generate_cheques(session, DEMO_CODES - len(usable), now=now,
                                   batch=DEMO_BATCH)
            usable += new
    return usable[:DEMO_CODES]
