"""The vocabulary of the flows: what a handler reads, what it returns.

A handler is `(ctx, text) -> Step`. It reads the world only through `Context` (a small
read interface the engine serves from the database) and returns what to say (message
ids with parameters, rendered later per language and channel), the next state and its
data, and effects: past-tense facts the engine applies in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from conversations.codes import CodeFormat


@dataclass(frozen=True)
class Rules:
    """The settings the conversation needs, free of the config file's shape."""

    tz: ZoneInfo
    city_phone: str
    postcodes: tuple[str, ...]
    city_name: str = "Sint-Niklaas"
    # Place names residents write instead of a postcode (the service area's towns).
    places: tuple[tuple[str, str], ...] = (
        ("sint-niklaas", "9100"), ("sint niklaas", "9100"), ("st-niklaas", "9100"),
        ("st niklaas", "9100"), ("nieuwkerken-waas", "9100"), ("nieuwkerken", "9100"),
        ("belsele", "9111"), ("sinaai", "9112"))
    languages: tuple[str, ...] = ("nl", "fr", "en")
    default_language: str = "nl"
    country: str = "BE"
    visit_length: timedelta = timedelta(minutes=90)
    min_notice: timedelta = timedelta(hours=24)
    max_ahead: timedelta = timedelta(days=42)
    change_deadline: timedelta = timedelta(hours=12)
    choices_offered: int = 3
    idle_after: timedelta = timedelta(hours=12)
    forget_after: timedelta = timedelta(days=30)
    code_attempts: int = 5
    code_window: timedelta = timedelta(hours=1)
    code_lockout: timedelta = timedelta(hours=1)
    reminder_offsets: tuple[timedelta, ...] = (timedelta(days=1), timedelta(hours=2))
    quiet_hours: tuple[time, time] = (time(21, 0), time(8, 0))
    # The staff group's Telegram chat id: a resident who asks for a person waits there
    # for a staff member (conversations/handoff.py). Empty: the city's phone number.
    staff_group: str = ""
    # "Did the coach come?" the day after a visit at this local time; unanswered this
    # long after the visit ended, the visit counts as done.
    followup_at: time | None = time(10, 0)
    followup_wait: timedelta = timedelta(days=3)


Option = tuple[str, str, dict[str, Any]]
"""A numbered choice: (value, label key, label params)."""


@dataclass(frozen=True)
class Say:
    """One message: a catalogue key, its parameters, and numbered options if any.

    options are (value, label key, label params); rendering numbers them for SMS and
    turns them into keyboard buttons for Telegram.
    """

    key: str
    params: dict[str, Any] = field(default_factory=dict)
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class SlotView:
    id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class BookingView:
    id: int
    slot: SlotView
    postcode: str
    street: str
    phone: str
    topic: str
    topic_text: str | None
    cheque_id: int
    visits_left: int = 0   # the cheque's visits still to book (a two-visit cheque)


@dataclass(frozen=True)
class OpenQuestion:
    """A reminder or follow-up we sent after the resident's last message, still to be
    answered: `kind` is the timer's (reminder.day_before, reminder.soon, followup)."""

    kind: str
    booking: BookingView


@dataclass(frozen=True)
class HandoffView:
    """A resident's open hand-off to staff: since when, and the last "we will answer
    soon" they got (or the request's own answer)."""

    id: int
    opened_at: datetime
    last_notice_at: datetime | None


@dataclass(frozen=True)
class ChequeView:
    id: int
    state: str            # ok | used | void | expired | taken (bound to another resident)
    visits_left: int


class Context(Protocol):
    """What a handler may read. Served by the engine inside the message's transaction."""

    now: datetime
    rules: Rules
    channel: str
    address: str
    language: str
    wrong_codes: int            # wrong codes in the current window
    codes_locked: bool
    codes: CodeFormat           # the cheque code's format (storage.codes), for reading codes

    def find_cheque(self, code: str) -> ChequeView | None: ...

    def free_slots(self, start: datetime, end: datetime, postcode: str | None,
                   exclude: int | None = None, limit: int | None = None) -> list[SlotView]:
        """Bookable slots starting in [start, end), earliest first, at most `limit`."""
        ...

    def slot(self, slot_id: int) -> SlotView | None: ...

    def slots(self, slot_ids: list[int]) -> list[SlotView]:
        """The slots with these ids, in that order (missing ones left out)."""
        ...

    def booking(self) -> BookingView | None:
        """The resident's next visit."""
        ...

    def bookings(self) -> list[BookingView]:
        """All the resident's visits still to come, earliest first."""
        ...

    def handoff(self) -> HandoffView | None:
        """The resident's open hand-off to staff, if any."""
        ...

    def open_question(self) -> OpenQuestion | None:
        """The latest reminder or follow-up sent since the resident's last message, if
        it can still be answered (its visit still booked)."""
        ...


@dataclass(frozen=True)
class Step:
    replies: tuple[Say, ...]
    state: str
    data: dict[str, Any]
    effects: tuple[Any, ...] = ()


def today(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.rules.tz).date()
