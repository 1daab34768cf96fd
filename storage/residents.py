"""Residents and the messages they sent: the atomic first steps of handling a message."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, String, Table, bindparam, select
from sqlalchemy.orm import Session

from storage.models import Conversation, Inbound, Resident
from storage.prepared import insert_ignore, upsert

_CONVERSATIONS: Table = Conversation.__table__  # type: ignore[assignment]


def record_inbound(session: Session, channel: str, provider_id: str, now: datetime) -> bool:
    """Remember a provider message id; False when it was seen before (a redelivery, G1)."""
    return insert_ignore(session, Inbound.__table__,  # type: ignore[arg-type]
                         {"channel": channel, "provider_id": provider_id, "received_at": now})


# Built once with bound parameters: they run for every message (bench/journey.py).
_LOCK_RESIDENT = (
    select(Resident)
    .where(Resident.channel == bindparam("channel", type_=String),
           Resident.address == bindparam("address", type_=String))
    .with_for_update())
_CONVERSATION_OF = select(Conversation).where(
    Conversation.resident_id == bindparam("resident_id", type_=Integer))


def lock_resident(session: Session, channel: str, address: str, language: str,
                  now: datetime) -> tuple[Resident, Conversation | None]:
    """Get or create the resident, lock them until commit, then read their conversation.

    The row lock orders one resident's messages on PostgreSQL (G3); on SQLite the whole
    write transaction already holds the database lock. The conversation is read in a
    statement of its own, *after* the lock is held: under READ COMMITTED a statement
    that waited for a row lock re-reads only the locked row, so a conversation joined
    into the locking statement would be the one from before the wait, and the message
    would step from a state the previous message had already left. A new resident is
    inserted race-free.
    """
    params = {"channel": channel, "address": address}
    resident = session.scalars(_LOCK_RESIDENT, params).first()
    if resident is None:
        insert_ignore(session, Resident.__table__,  # type: ignore[arg-type]
                      {"channel": channel, "address": address, "language": language,
                       "created_at": now, "wrong_codes": 0})
        resident = session.scalars(_LOCK_RESIDENT, params).one()
    conversation = session.scalars(_CONVERSATION_OF, {"resident_id": resident.id}).first()
    return resident, conversation


def lock_resident_by_id(session: Session, resident_id: int
                        ) -> tuple[Resident, Conversation | None]:
    """The resident locked (G3) and then their conversation, for a message that staff or
    a job start (a moved visit, a closed slot), not the resident: see lock_resident."""
    resident = session.scalars(select(Resident).where(Resident.id == resident_id)
                               .with_for_update()).one()
    conversation = session.scalars(_CONVERSATION_OF, {"resident_id": resident.id}).first()
    return resident, conversation


def save_conversation(session: Session, resident_id: int, state: str, data: dict[str, Any],
                      updated_at: datetime, expires_at: datetime | None,
                      recent: list[dict[str, str]] | None = None) -> None:
    """Where the resident now is (G2): one prepared upsert, every message.

    `recent`: the resident's last messages, when they sent one; None leaves them as
    they were (a message the bot starts, staff's own dialog)."""
    values = {"resident_id": resident_id, "state": state, "data": data,
              "updated_at": updated_at, "expires_at": expires_at}
    if recent is not None:
        values["recent"] = recent
    upsert(session, _CONVERSATIONS, "resident_id", values)


def count_wrong_code(resident: Resident, now: datetime, attempts: int, window: timedelta,
                     lockout: timedelta) -> None:
    """Brute-force guard (G9): `attempts` wrong codes within `window` lock for `lockout`."""
    if resident.wrong_codes_since is None or now - resident.wrong_codes_since > window:
        resident.wrong_codes, resident.wrong_codes_since = 0, now
    resident.wrong_codes += 1
    if resident.wrong_codes >= attempts:
        resident.codes_locked_until = now + lockout
        resident.wrong_codes, resident.wrong_codes_since = 0, None


def recent_wrong_codes(resident: Resident, now: datetime, window: timedelta) -> int:
    if resident.wrong_codes_since is None or now - resident.wrong_codes_since > window:
        return 0
    return resident.wrong_codes


def codes_locked(resident: Resident, now: datetime) -> bool:
    return resident.codes_locked_until is not None and resident.codes_locked_until > now
