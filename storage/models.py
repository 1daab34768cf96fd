"""The domain as SQLAlchemy 2 typed models (DESIGN.md, "The domain").

The database itself keeps the guarantees that matter: unique cheque codes, one inbound
provider id per channel (G1), a slot's bookings never above its capacity (G4).
All datetimes are timezone-aware and stored in UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware one")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class ChequeStatus(StrEnum):
    OPEN = "open"          # can still be booked with (visits left)
    USED = "used"          # every visit it is worth is booked or done
    VOID = "void"          # withdrawn by staff


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    DONE = "done"
    NO_SHOW = "no_show"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"   # never sent: its broadcast was cancelled by staff


class Priority:
    """Lower goes first: a reply overtakes a reminder, which overtakes a broadcast."""

    REPLY = 0
    REMINDER = 1
    BROADCAST = 2


class TimerStatus(StrEnum):
    PENDING = "pending"
    FIRED = "fired"
    CANCELLED = "cancelled"
    EXPIRED = "expired"     # fell due only after the moment it was for had passed


class Resident(Base):
    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))   # Telegram chat id or E.164 number
    language: Mapped[str] = mapped_column(String(2))
    opted_out_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    # Brute-force guard for cheque codes (G9): survives "start again".
    wrong_codes: Mapped[int] = mapped_column(default=0)
    wrong_codes_since: Mapped[datetime | None]
    codes_locked_until: Mapped[datetime | None]


class Cheque(Base):
    __tablename__ = "cheques"
    __table_args__ = (
        CheckConstraint("visits_used >= 0 AND visits_used <= visits", name="visits_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)  # normalised, no dashes
    status: Mapped[str] = mapped_column(String(8), default=ChequeStatus.OPEN, index=True)
    visits: Mapped[int] = mapped_column(default=1)
    visits_used: Mapped[int] = mapped_column(default=0)
    expires_on: Mapped[date | None] = mapped_column(Date)
    batch: Mapped[str | None] = mapped_column(String(64), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    void_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class Coach(Base):
    __tablename__ = "coaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    postcodes: Mapped[str] = mapped_column(String(200), default="")  # "9100,9111"; empty: all
    active: Mapped[bool] = mapped_column(default=True)

    slots: Mapped[list[Slot]] = relationship(back_populates="coach")


class Slot(Base):
    __tablename__ = "slots"
    __table_args__ = (
        UniqueConstraint("coach_id", "starts_at"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="within_capacity"),
        Index("ix_slots_free", "starts_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("coaches.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(default=1)
    booked: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None]
    closed_reason: Mapped[str | None] = mapped_column(Text)

    coach: Mapped[Coach] = relationship(back_populates="slots")


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    cheque_id: Mapped[int] = mapped_column(ForeignKey("cheques.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slots.id"), index=True)
    postcode: Mapped[str] = mapped_column(String(4))
    street: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(32))
    topic_text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=BookingStatus.BOOKED, index=True)
    version: Mapped[int] = mapped_column(default=1)
    # The resident answered a reminder "I will be there" (staff see it in the agenda).
    confirmed_at: Mapped[datetime | None]
    moves: Mapped[int] = mapped_column(default=0)   # how often it moved (the funder asks)
    # Who said the visit was done, a no-show or cancelled: resident, coach, staff, auto
    # (no answer to the follow-up in time); when, and staff's reason for a cancellation.
    outcome_by: Mapped[str | None] = mapped_column(String(10))
    outcome_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    slot: Mapped[Slot] = relationship()
    resident: Mapped[Resident] = relationship()
    cheque: Mapped[Cheque] = relationship()


class Conversation(Base):
    """Where one resident is in the conversation (G2): a state name and a little JSON."""

    __tablename__ = "conversations"

    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    # The resident's last few messages (conversations/handoff.remember), so a hand-off
    # request shows staff what went before; forgotten with the conversation and on STOP.
    recent: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list,
                                                         server_default="[]")


class Inbound(Base):
    """Provider ids of handled messages: a redelivered webhook is a no-op (G1)."""

    __tablename__ = "inbound"
    __table_args__ = (UniqueConstraint("channel", "provider_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    provider_id: Mapped[str] = mapped_column(String(64))
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    received_at: Mapped[datetime]


class Outbox(Base):
    """Committed messages waiting for the sender (transactional outbox, G1/G6)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "priority", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[str] | None] = mapped_column(JSON)  # keyboard buttons, if any
    priority: Mapped[int] = mapped_column(default=Priority.REPLY)
    status: Mapped[str] = mapped_column(String(12), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_message_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # What the provider last reported after accepting it (Twilio status callbacks):
    # queued, sent, delivered, undelivered, failed; never moved backwards.
    delivery_status: Mapped[str | None] = mapped_column(String(12))
    delivery_error: Mapped[str | None] = mapped_column(String(12))
    broadcast_id: Mapped[int | None] = mapped_column(ForeignKey("broadcasts.id"), index=True)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Timer(Base):
    """A reminder or expiry due at a moment (G5); derived from a booking or conversation."""

    __tablename__ = "timers"
    __table_args__ = (Index("ix_timers_due", "status", "due_at"),
                      # a resident's latest fired reminder: is their message its answer?
                      Index("ix_timers_resident", "resident_id", "fired_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    due_at: Mapped[datetime]
    not_after: Mapped[datetime | None]  # a reminder is useless after the visit starts
    status: Mapped[str] = mapped_column(String(10), default=TimerStatus.PENDING)
    fired_at: Mapped[datetime | None]


class BroadcastStatus(StrEnum):
    SCHEDULED = "scheduled"   # waits for its moment (`--at`), fired by the jobs
    SENDING = "sending"       # its outbox rows are written; the sender works through them
    CANCELLED = "cancelled"


class Broadcast(Base):
    """An announcement from staff; its per-resident messages are outbox rows with its id."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # language -> text
    audience: Mapped[str] = mapped_column(String(32))
    # Narrowing of the audience: channel, language, visit dates (from, to).
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    scheduled_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default=BroadcastStatus.SCHEDULED)
    recipients: Mapped[int] = mapped_column(default=0)
    # The counts of its outbox rows the privacy purge deleted (storage.broadcasts.
    # forget_messages): its status adds them to what the outbox still holds.
    sent: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    delivered: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class ReminderTally(Base):
    """Reminders the privacy purge deleted, counted per local day they were queued and
    the resident's channel and language, so the funder's reminder figures outlive the
    messages (storage/stats.py)."""

    __tablename__ = "reminder_tallies"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    queued: Mapped[int] = mapped_column(default=0)
    sent: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    delivered: Mapped[int] = mapped_column(default=0)
    undelivered: Mapped[int] = mapped_column(default=0)


class Handoff(Base):
    """A resident who asked for a person; open until staff send /done (closed_at)."""

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    # The request's message in the staff group: a staff reply to it reaches the resident.
    group_message_id: Mapped[str | None] = mapped_column(String(32), index=True)
    # The last "we will answer soon" sent while waiting (at most one an hour).
    last_notice_at: Mapped[datetime | None]
