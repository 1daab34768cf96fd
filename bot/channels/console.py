"""The console channel: a resident's conversation in a terminal, through the real engine.

Messages go through the same engine, transaction and outbox as SMS and Telegram; the
console then delivers its own resident's outbox rows by printing them the way the
chosen channel would show them (numbered SMS text, or Telegram buttons) and marks them
sent. Its residents have channel 'console', so no real sender ever texts them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TextIO

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from conversations.engine import Engine, pending_for
from conversations.incoming import Incoming
from storage.clock import Clock
from storage.models import Outbox, OutboxStatus

CHANNEL = "console"


def show(row: Outbox, form: str) -> str:
    """One outbox message as the resident's screen shows it."""
    lines = [f"  {line}" for line in row.body.splitlines()]
    if form == "telegram" and row.choices:
        lines.append("  " + "  ".join(f"[{label}]" for label in row.choices))
    return "\n".join(lines)


def deliver(sessions: sessionmaker[Session], resident_id: int, form: str, clock: Clock,
            out: TextIO) -> int:
    """Print and mark sent every pending message of one console resident."""
    with sessions.begin() as session:
        rows = pending_for(session, resident_id)
        for row in rows:
            out.write(show(row, form) + "\n\n")
        if rows:
            session.execute(update(Outbox).where(Outbox.id.in_([r.id for r in rows]))
                            .values(status=OutboxStatus.SENT, sent_at=clock()))
    out.flush()
    return len(rows)


def converse(engine: Engine, address: str, lines: Iterable[str], form: str,
             out: TextIO, echo: bool) -> None:
    """Feed each line to the engine as one message and print the replies.

    `echo` repeats the resident's line (for piped input, so the output reads as a
    transcript); on a terminal the line is already on the screen.
    """
    for line in lines:
        text = line.rstrip("\r\n")
        if echo:
            out.write(f"> {text}\n")
        outcome = engine.process(Incoming(channel=CHANNEL, address=address,
                                          provider_id=f"console-{uuid.uuid4().hex}",
                                          text=text))
        if outcome.resident_id is not None:
            deliver(engine.sessions, outcome.resident_id, form, engine.clock, out)
