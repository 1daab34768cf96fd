"""Hand-offs to staff: opened by a resident, closed by staff with /done.

A resident has at most one open hand-off: it is opened only under the resident's row
lock (the engine holds it for every message), after looking for an open one. Closing is
a conditional update, so two staff members sending /done at once close it once.

How a staff reply finds its hand-off: every message the bot writes to the staff group
is an outbox row (resident None) whose text starts with the hand-off's number
("🙋 #12", conversations/handoff.py), and the sender records the message id Telegram
gave it (Outbox.provider_message_id). A reply names that id (reply_to_message), so the
row, and through its text the hand-off, are found without a table linking them; the
request's id is then kept on the hand-off (group_message_id) and found directly next
time. Only rows the bot wrote count, so a message anyone else typed as "#12" finds
nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from storage.models import Handoff, Outbox


def open_handoff_of(session: Session, resident_id: int) -> Handoff | None:
    """The resident's open hand-off, if any (the latest, should there be two)."""
    return session.scalars(
        select(Handoff).where(Handoff.resident_id == resident_id,
                              Handoff.closed_at.is_(None))
        .order_by(Handoff.id.desc()).limit(1)).first()


def open_handoff(session: Session, resident_id: int, now: datetime) -> tuple[Handoff, bool]:
    """The resident's open hand-off, opened now if there is none; True when new.

    Call under the resident's lock (the engine's). Its answer to the resident counts as
    the first "we will answer soon" (last_notice_at)."""
    found = open_handoff_of(session, resident_id)
    if found is not None:
        return found, False
    handoff = Handoff(resident_id=resident_id, opened_at=now, last_notice_at=now)
    session.add(handoff)
    session.flush()
    return handoff, True


def noticed(session: Session, handoff_id: int, now: datetime) -> None:
    """The resident was told "we will answer soon" (or got a staff answer) now."""
    session.execute(update(Handoff).where(Handoff.id == handoff_id)
                    .values(last_notice_at=now))


def close_handoff(session: Session, handoff_id: int, by: str, now: datetime) -> bool:
    """Close it (staff's /done); False when it was closed already."""
    result = cast(CursorResult[Any], session.execute(
        update(Handoff).where(Handoff.id == handoff_id, Handoff.closed_at.is_(None))
        .values(closed_at=now, closed_by=by)))
    return result.rowcount == 1


def group_message_text(session: Session, channel: str, group: str,
                       message_id: str) -> str | None:
    """The text of the bot's message in the staff group that Telegram numbered so."""
    return session.scalars(
        select(Outbox.body).where(Outbox.provider_message_id == message_id,
                                  Outbox.channel == channel, Outbox.address == group)
        .limit(1)).first()


def handoff_by_group_message(session: Session, message_id: str) -> Handoff | None:
    """The hand-off whose request has this message id in the staff group."""
    return session.scalars(select(Handoff).where(Handoff.group_message_id == message_id)
                           .limit(1)).first()
