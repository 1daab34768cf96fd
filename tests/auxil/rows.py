"""Rows written straight into the database: a coach, a slot, a booking, for storage and
staff-command tests that need them without going through a conversation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Booking, BookingStatus, Cheque, Coach, Resident, Slot

BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = timezone.utc


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local Brussels wall-clock moment, as aware UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=BRUSSELS).astimezone(UTC)


def add_coach(session: Session, name: str = "An", postcodes: str = "", active: bool = True,
              phone: str | None = None) -> Coach:
    coach = Coach(name=name, postcodes=postcodes, active=active, phone=phone)
    session.add(coach)
    session.flush()
    return coach


def add_slot(session: Session, coach: Coach, starts_at: datetime, minutes: int = 90,
             capacity: int = 1, booked: int = 0, closed: bool = False) -> Slot:
    slot = Slot(coach_id=coach.id, starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=minutes), capacity=capacity,
                booked=booked, closed_at=starts_at - timedelta(days=1) if closed else None,
                closed_reason="test" if closed else None)
    session.add(slot)
    session.flush()
    return slot


def add_booking(session: Session, slot: Slot, *, phone: str = "+32470111222",
                street: str = "Kerkstraat 12", postcode: str = "9100", topic: str = "smartphone",
                topic_text: str | None = "WhatsApp met kleinkinderen",
                status: str = BookingStatus.BOOKED, code: str | None = None) -> Booking:
    """A resident, a cheque and a booking in `slot` (rows written directly)."""
    now = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    count = session.scalar(select(func.count()).select_from(Resident)) or 0
    resident = Resident(channel="sms", address=f"{phone}-{count}", language="nl",
                        created_at=now)
    cheque = Cheque(code=code or f"TESTC{count:04d}", visits=1, visits_used=1, created_at=now)
    session.add_all([resident, cheque])
    session.flush()
    booking = Booking(resident_id=resident.id, cheque_id=cheque.id, slot_id=slot.id,
                      postcode=postcode, street=street, phone=phone, topic=topic,
                      topic_text=topic_text, status=status, created_at=now, updated_at=now)
    session.add(booking)
    if status == BookingStatus.BOOKED:
        slot.booked += 1
    session.flush()
    return booking
