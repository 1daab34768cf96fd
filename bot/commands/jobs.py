"""`digicheque jobs`: the periodic jobs, run by hand or from cron.

`digicheque run` runs them on its own schedule (bot/jobs.py, JOBS). `jobs run-once` runs
each one time and says what it did: for deployments that start them from cron instead,
and for checking after downtime. Running them again changes nothing twice: what is due
lives in the database (timer rows, booked visits), and each job claims it atomically.
"""

from __future__ import annotations

import click

from bot.app import App, parse_moment, pass_app
from bot.jobs import JOBS, run_once
from bot.wiring import conversation_engine


@click.group()
def jobs() -> None:
    """The periodic jobs (reminders, follow-ups, privacy purge)."""


@jobs.command("run-once")
@click.option("--now", "now_text", metavar="DATETIME",
              help="Run as if it were this moment, e.g. 2026-12-01T09:00 (local time).")
@pass_app
def run_once_command(app: App, now_text: str | None) -> None:
    """Run every periodic job one time and print what each did.

    \b
    Jobs, in order:
      reminder sweep   reminders and follow-ups that are due go to the outbox
      follow-up close  visits whose follow-up went unanswered count as done
      privacy purge    old addresses, messages and conversations are erased

    Messages are queued in the outbox; `digicheque run` sends them. Safe to run while
    `digicheque run` is running, and from several machines at once.
    """
    if now_text:
        app.now = parse_moment(now_text, app.settings, "'--now'")
    engine = conversation_engine(app.settings, app.sessions(), app.clock)
    for name, summary in run_once(engine, app.settings, app.clock(), JOBS):
        click.echo(f"{name}: {summary}")
