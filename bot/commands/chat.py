"""`digicheque chat`: talk to the bot as a resident, in the terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import click

from bot.channels.console import converse
from bot.app import App, parse_moment, pass_app
from bot.wiring import conversation_engine

DEFAULT_ADDRESS = "+32470123456"


def _terminal_lines() -> Iterator[str]:
    while True:
        try:
            yield input("> ")
        except EOFError:
            click.echo()
            return


@click.command()
@click.option("--from", "address", default=DEFAULT_ADDRESS, show_default=True,
              help="The resident's address (a phone number for the SMS form). Each run "
                   "continues the conversation stored for this address.")
@click.option("--channel", "form", type=click.Choice(["sms", "telegram"]), default="sms",
              show_default=True, help="Show the replies as this channel would.")
@click.option("--now", "now_text", metavar="DATETIME",
              help="Pin the clock for the whole session, e.g. 2026-12-01T09:00 (local time).")
@pass_app
def chat(app: App, address: str, form: str, now_text: str | None) -> None:
    """Talk to the bot as a resident: type a message, read the reply (Ctrl-D ends).

    Messages go through the same engine, database and outbox as SMS and Telegram.
    Piped input is read line by line, e.g.  printf 'hallo\\n' | digicheque chat
    """
    if now_text:
        app.now = parse_moment(now_text, app.settings, "'--now'")
    run_chat(app, address, form)


def run_chat(app: App, address: str, form: str) -> None:
    engine = conversation_engine(app.settings, app.sessions(), app.clock, console_form=form)
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("Type as a resident would (Ctrl-D to stop). Try: hallo\n")
    lines = _terminal_lines() if interactive else iter(sys.stdin)
    converse(engine, address, lines, form, sys.stdout, echo=not interactive)
