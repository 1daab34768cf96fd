"""Visits booked as the conversation books them, and what staff commands leave behind:
seats, cheques, timers, the outbox and the resident's conversation; a resident's answer
through the real engine."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.wiring import conversation_engine, rules_from
from conversations.gsm7 import is_gsm7, segments
from conversations.incoming import Incoming
from storage.bookings import ReminderPolicy, book_visit
from storage.clock import SettableClock
from storage.models import Booking, Cheque, Conversation, Outbox, Resident, Slot, Timer

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)   # Friday 20 November, 10:00
_codes = itertools.count(1)
_ids = itertools.count(1)


def policy() -> ReminderPolicy:
    rules = rules_from(Settings())
    return ReminderPolicy(rules.reminder_offsets, rules.quiet_hours, rules.tz)


def book(s: Session, slot: Slot, *, language: str = "nl", channel: str = "sms",
         address: str | None = None, postcode: str = "9100", visits: int = 1,
         topic_text: str | None = "WhatsApp met kleinkinderen") -> Booking:
    """A resident books `slot` with a new cheque, as the conversation does (reminders)."""
    n = next(_codes)
    resident = Resident(channel=channel, address=address or f"+3247000{n:04d}",
                        language=language, created_at=NOW - timedelta(days=5))
    cheque = Cheque(code=f"VISIT{n:04d}", visits=visits, created_at=NOW - timedelta(days=9))
    s.add_all([resident, cheque])
    s.flush()
    return book_visit(s, resident_id=resident.id, cheque_id=cheque.id, slot_id=slot.id,
                      postcode=postcode, street="Kerkstraat 12", phone="+32470111222",
                      topic="smartphone", topic_text=topic_text, now=NOW - timedelta(days=5),
                      today=(NOW - timedelta(days=5)).date(), reminders=policy())


def booking(sessions, visit_id: int) -> Booking:
    with sessions() as s:
        return s.get(Booking, visit_id)


def seats(sessions) -> dict[int, int]:
    with sessions() as s:
        return {slot.id: slot.booked for slot in s.scalars(select(Slot))}


def used(sessions, cheque_id: int) -> int:
    with sessions() as s:
        return s.get(Cheque, cheque_id).visits_used


def timers(sessions, visit_id: int) -> list[tuple[str, datetime, str]]:
    with sessions() as s:
        return [(t.kind, t.due_at, t.status) for t in s.scalars(
            select(Timer).where(Timer.booking_id == visit_id).order_by(Timer.id))]


def outbox(sessions, resident_id: int) -> list[Outbox]:
    with sessions() as s:
        return list(s.scalars(select(Outbox).where(Outbox.resident_id == resident_id)
                              .order_by(Outbox.id)))


def state(sessions, resident_id: int) -> tuple[str, dict] | None:
    with sessions() as s:
        conv = s.get(Conversation, resident_id)
        return (conv.state, conv.data) if conv else None


def reply(sessions, resident_id: int, text: str, when: datetime = NOW) -> str:
    """The resident answers through the real engine; what they receive, joined."""
    engine = conversation_engine(Settings(), sessions, SettableClock(when))
    with sessions() as s:
        resident = s.get(Resident, resident_id)
        channel, address = resident.channel, resident.address
    outcome = engine.process(Incoming(channel=channel, address=address,
                                      provider_id=f"p{next(_ids)}", text=text))
    with sessions() as s:
        return "\n".join(m.body for m in s.scalars(
            select(Outbox).where(Outbox.id.in_(outcome.outbox_ids)).order_by(Outbox.id)))


def sms_ok(rows: list[Outbox]) -> None:
    for row in rows:
        if row.channel == "sms":
            assert is_gsm7(row.body) and segments(row.body) <= 2, row.body


