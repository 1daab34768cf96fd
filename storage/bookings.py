"""Booking, moving and cancelling a visit: each one atomic, in the caller's transaction.

Every change that could race goes through a conditional UPDATE the database decides
(G4): a seat (`slots.take_seat`), a cheque's visit (`_take_visit`), a booking's version.
A refused step undoes the steps before it in the same transaction (a seat given back,
or a savepoint rolled back), so a refusal leaves no half-taken cheque or seat behind.
Reminders are timer rows derived from the booking and replaced whenever it moves or is
cancelled (G5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, case, select, update
from sqlalchemy.orm import Session

from storage.models import Booking, BookingStatus, Cheque, ChequeStatus, Slot, Timer, TimerStatus
from storage.slots import release_seat, take_seat


class BookingRefused(Exception):
    """The database said no; `reason` is slot_taken, cheque_unavailable or booking_changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ReminderPolicy:
    offsets: tuple[timedelta, ...]
    quiet_hours: tuple[time, time]
    tz: ZoneInfo
    # "Did the visit happen?": asked the day after the visit at this local time (None: not
    # asked).
    followup_at: time | None = None


@dataclass(frozen=True)
class Upcoming:
    """A booked visit still to come, as the conversation shows it, with what its cheque
    is still worth (`visits_left`: 0 unless another visit can be booked with it)."""

    id: int
    slot_id: int
    starts_at: datetime
    ends_at: datetime
    postcode: str
    street: str
    phone: str
    topic: str
    topic_text: str | None
    cheque_id: int
    visits_left: int


UPCOMING_COLUMNS = (
    Booking.id, Slot.id, Slot.starts_at, Slot.ends_at, Booking.postcode, Booking.street,
    Booking.phone, Booking.topic, Booking.topic_text, Booking.cheque_id, Cheque.visits,
    Cheque.visits_used, Cheque.status, Cheque.expires_on)
"""The columns `upcoming_from` reads, in its order (joined Booking, Slot and Cheque)."""


# Built once: this query runs for nearly every message, and building it costs more than
# running it on SQLite.
_UPCOMING = (
    select(*UPCOMING_COLUMNS)
    .join(Slot, Slot.id == Booking.slot_id).join(Cheque, Cheque.id == Booking.cheque_id)
    .where(Booking.resident_id == bindparam("resident_id"),
           Booking.status == BookingStatus.BOOKED, Slot.ends_at > bindparam("now"))
    .order_by(Slot.starts_at, Booking.id))


def upcoming_from(row: Sequence[Any], today: date) -> Upcoming:
    """A visit from a row of UPCOMING_COLUMNS, with what its cheque is still worth."""
    (booking_id, slot_id, starts_at, ends_at, postcode, street, phone, topic, topic_text,
     cheque_id, visits, used, status, expires_on) = row
    open_ = status == ChequeStatus.OPEN and used < visits and (
        expires_on is None or expires_on >= today)
    return Upcoming(booking_id, slot_id, starts_at, ends_at, postcode, street, phone, topic,
                    topic_text, cheque_id, visits - used if open_ else 0)


def upcoming_bookings(session: Session, resident_id: int, now: datetime,
                      today: date) -> list[Upcoming]:
    """All of the resident's booked visits that have not ended yet, earliest first (a
    two-visit cheque, or a second code on the same phone). Columns, not entities: this
    runs for nearly every message."""
    rows = session.execute(_UPCOMING, {"resident_id": resident_id, "now": now}).all()
    return [upcoming_from(row, today) for row in rows]


def _take_visit(session: Session, cheque_id: int, resident_id: int, today: date) -> bool:
    """Use one visit of a cheque; binds the cheque to the resident on first use."""
    table = cast(Table, Cheque.__table__)
    result = session.execute(
        update(table)
        .where(table.c.id == cheque_id, table.c.status == ChequeStatus.OPEN,
               table.c.visits_used < table.c.visits,
               (table.c.resident_id.is_(None)) | (table.c.resident_id == resident_id),
               (table.c.expires_on.is_(None)) | (table.c.expires_on >= today))
        .values(visits_used=table.c.visits_used + 1, resident_id=resident_id,
                status=case((table.c.visits_used + 1 >= table.c.visits, ChequeStatus.USED),
                            else_=ChequeStatus.OPEN)))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _give_back_visit(session: Session, cheque_id: int) -> None:
    table = cast(Table, Cheque.__table__)
    session.execute(
        update(table)
        .where(table.c.id == cheque_id, table.c.visits_used > 0)
        .values(visits_used=table.c.visits_used - 1,
                status=case((table.c.status == ChequeStatus.VOID, ChequeStatus.VOID),
                            else_=ChequeStatus.OPEN)))


def book_visit(session: Session, *, resident_id: int, cheque_id: int, slot_id: int,
               postcode: str, street: str, phone: str, topic: str, topic_text: str | None,
               now: datetime, today: date, reminders: ReminderPolicy) -> Booking:
    """Book a seat with one of the cheque's visits, or raise BookingRefused.

    The seat is taken first; if the cheque then refuses, the seat is given back in the
    same transaction, so a refusal leaves nothing behind (and needs no savepoint).
    """
    slot = session.get(Slot, slot_id)  # usually already loaded by the conversation
    if slot is None:
        raise BookingRefused("slot_taken")
    starts_at, ends_at = slot.starts_at, slot.ends_at
    if not take_seat(session, slot_id):
        raise BookingRefused("slot_taken")
    if not _take_visit(session, cheque_id, resident_id, today):
        release_seat(session, slot_id)
        raise BookingRefused("cheque_unavailable")
    booking = Booking(resident_id=resident_id, cheque_id=cheque_id, slot_id=slot_id,
                      postcode=postcode, street=street, phone=phone, topic=topic,
                      topic_text=topic_text, status=BookingStatus.BOOKED, version=1,
                      created_at=now, updated_at=now)
    session.add(booking)
    session.flush()
    add_reminders(session, booking, starts_at, now, reminders, ends_at)
    return booking


def move_visit(session: Session, booking: Booking, slot_id: int, now: datetime,
               reminders: ReminderPolicy) -> Booking:
    """Move to another slot: take the new seat and free the old one together."""
    old_slot_id, version = booking.slot_id, booking.version
    with session.begin_nested():
        if not take_seat(session, slot_id):
            raise BookingRefused("slot_taken")
        table = cast(Table, Booking.__table__)
        result = session.execute(
            update(table)
            .where(table.c.id == booking.id, table.c.version == version,
                   table.c.status == BookingStatus.BOOKED)
            .values(slot_id=slot_id, version=version + 1, moves=table.c.moves + 1,
                    updated_at=now))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise BookingRefused("booking_changed")
        release_seat(session, old_slot_id)
    session.expire(booking)
    slot = session.get(Slot, slot_id)
    assert slot is not None
    cancel_reminders(session, booking.id)
    add_reminders(session, booking, slot.starts_at, now, reminders, slot.ends_at)
    return booking


def cancel_visit(session: Session, booking: Booking, now: datetime, by: str = "resident",
                 reason: str | None = None) -> None:
    """Cancel: the seat and the cheque's visit come back, the reminders are dropped.

    `by` is who cancelled (resident or staff), kept with staff's reason for the numbers."""
    table = cast(Table, Booking.__table__)
    with session.begin_nested():
        result = session.execute(
            update(table)
            .where(table.c.id == booking.id, table.c.version == booking.version,
                   table.c.status == BookingStatus.BOOKED)
            .values(status=BookingStatus.CANCELLED, version=booking.version + 1,
                    outcome_by=by, outcome_at=now, reason=reason, updated_at=now))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise BookingRefused("booking_changed")
        release_seat(session, booking.slot_id)
        _give_back_visit(session, booking.cheque_id)
    session.expire(booking)
    cancel_reminders(session, booking.id)


def confirm_visit(session: Session, booking_id: int, now: datetime) -> bool:
    """The resident said they will be there (answering a reminder); False if the visit is
    no longer booked."""
    table = cast(Table, Booking.__table__)
    result = session.execute(
        update(table).where(table.c.id == booking_id, table.c.status == BookingStatus.BOOKED)
        .values(confirmed_at=now, updated_at=now))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


# Who may say how a visit went (Booking.outcome_by).
OUTCOME_BY = ("resident", "coach", "staff", "auto")


def record_outcome(session: Session, booking_id: int, status: BookingStatus, by: str,
                   now: datetime, give_back: bool = False) -> None:
    """Record that a visit was done or was a no-show; raise BookingRefused otherwise.

    From a booked visit, or from one only *assumed* done (`auto`: no answer to the
    follow-up), which staff may still correct. A no-show with `give_back` returns the
    visit to the cheque, so the resident can book again with it; a done visit keeps it
    used. The reminders still pending are dropped.
    """
    if status not in (BookingStatus.DONE, BookingStatus.NO_SHOW):
        raise ValueError(f"not an outcome: {status}")
    if by not in OUTCOME_BY:
        raise ValueError(f"not one who records an outcome: {by}")
    table = cast(Table, Booking.__table__)
    with session.begin_nested():
        row = session.execute(
            update(table)
            .where(table.c.id == booking_id,
                   (table.c.status == BookingStatus.BOOKED)
                   | ((table.c.status == BookingStatus.DONE) & (table.c.outcome_by == "auto")))
            .values(status=status, outcome_by=by, outcome_at=now, version=table.c.version + 1,
                    updated_at=now)
            .returning(table.c.cheque_id)).first()
        if row is None:
            raise BookingRefused("booking_changed")
        if status == BookingStatus.NO_SHOW and give_back:
            _give_back_visit(session, row[0])
    cancel_reminders(session, booking_id)


# ---------------------------------------------------------------------------- reminders

def reminder_due(start: datetime, offset: timedelta, policy: ReminderPolicy) -> datetime:
    """When a reminder `offset` before `start` goes out.

    Whole days are counted on the wall clock, so 'a day before a 10:00 visit' is 10:00
    the day before, also across the daylight-saving switch. A moment in quiet hours
    moves to the end of them.
    """
    tz = policy.tz
    local = start.astimezone(tz)
    if offset % timedelta(days=1) == timedelta(0):
        due_local = datetime.combine(local.date() - timedelta(days=offset.days),
                                     local.time(), tzinfo=tz)
    else:
        due_local = (start - offset).astimezone(tz)
    return _after_quiet_hours(due_local, policy).astimezone(start.tzinfo)


def followup_due(end: datetime, policy: ReminderPolicy) -> datetime | None:
    """When "did the coach come?" is asked: the day after the visit at `followup_at`
    (local wall-clock time, also across a daylight-saving switch), after quiet hours."""
    if policy.followup_at is None:
        return None
    tz = policy.tz
    day = end.astimezone(tz).date() + timedelta(days=1)
    due_local = datetime.combine(day, policy.followup_at, tzinfo=tz)
    # A wall-clock time that does not exist (the spring switch) is read by zoneinfo as
    # the hour before it; going through UTC makes it a real moment.
    due_local = due_local.astimezone(timezone.utc).astimezone(tz)
    return _after_quiet_hours(due_local, policy).astimezone(end.tzinfo)


def _after_quiet_hours(due_local: datetime, policy: ReminderPolicy) -> datetime:
    tz = policy.tz
    quiet_start, quiet_end = policy.quiet_hours
    clock = due_local.time()
    in_quiet = (quiet_start <= clock or clock < quiet_end) if quiet_start > quiet_end \
        else quiet_start <= clock < quiet_end
    if in_quiet:
        day = due_local.date() if clock < quiet_end else due_local.date() + timedelta(days=1)
        due_local = datetime.combine(day, quiet_end, tzinfo=tz)
    return due_local


def reminder_kind(offset: timedelta) -> str:
    return "reminder.day_before" if offset >= timedelta(hours=12) else "reminder.soon"


# The kinds of timer whose message asks the resident something (conversations read the
# answer through the fired timer row: storage.timers.open_question).
REMINDER_KINDS = ("reminder.day_before", "reminder.soon")
FOLLOWUP = "followup"


def cancel_reminders(session: Session, booking_id: int) -> None:
    session.execute(update(Timer).where(Timer.booking_id == booking_id,
                                        Timer.status == TimerStatus.PENDING)
                    .values(status=TimerStatus.CANCELLED))


def add_reminders(session: Session, booking: Booking, starts_at: datetime, now: datetime,
                  policy: ReminderPolicy, ends_at: datetime | None = None) -> None:
    """Reminder timers for a visit at `starts_at` (the caller cancels any older ones),
    and the follow-up the day after it ("did the coach come?"), which has no deadline:
    a late one is still worth asking while the visit is booked."""
    for offset in policy.offsets:
        due = reminder_due(starts_at, offset, policy)
        if due <= now or due >= starts_at:
            continue  # booked too late for this reminder: the confirmation is enough
        kind = reminder_kind(offset)
        not_after = starts_at
        if kind == "reminder.day_before":  # says "tomorrow": useless once that day begins
            visit_day = starts_at.astimezone(policy.tz).date()
            not_after = datetime.combine(visit_day, time(0), tzinfo=policy.tz)
        session.add(Timer(kind=kind, booking_id=booking.id, resident_id=booking.resident_id,
                          due_at=due, not_after=not_after, status=TimerStatus.PENDING))
    if ends_at is None:
        slot = session.get(Slot, booking.slot_id)
        ends_at = slot.ends_at if slot is not None else starts_at
    followup = followup_due(ends_at, policy)
    if followup is not None:
        session.add(Timer(kind=FOLLOWUP, booking_id=booking.id,
                          resident_id=booking.resident_id, due_at=max(followup, now),
                          not_after=None, status=TimerStatus.PENDING))


def change_phone(session: Session, booking_id: int, phone: str, now: datetime) -> None:
    """The number the coach calls, as the resident gave it again; only a booked visit."""
    table = cast(Table, Booking.__table__)
    result = session.execute(
        update(table)
        .where(table.c.id == booking_id, table.c.status == BookingStatus.BOOKED)
        .values(phone=phone, updated_at=now))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise BookingRefused("booking_changed")


def assume_done(session: Session, ended_before: datetime, now: datetime) -> int:
    """Visits still booked that ended before `ended_before` count as done (`auto`): the
    resident did not answer the follow-up. One conditional UPDATE, so running it twice,
    or in two workers at once, changes each visit once; staff can still correct it
    (record_outcome accepts an `auto` outcome). Returns how many visits it marked."""
    table = cast(Table, Booking.__table__)
    ended = select(Slot.id).where(Slot.ends_at < ended_before).scalar_subquery()
    result = session.execute(
        update(table)
        .where(table.c.status == BookingStatus.BOOKED, table.c.slot_id.in_(ended))
        .values(status=BookingStatus.DONE, outcome_by="auto", outcome_at=now,
                version=table.c.version + 1, updated_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]
