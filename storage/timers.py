"""Timer rows (G5): claimed atomically when due, so each fires once.

On PostgreSQL several workers may sweep at once: `FOR UPDATE SKIP LOCKED` hands each due
row to exactly one of them. On SQLite the sweep's write transaction (BEGIN IMMEDIATE)
already excludes every other writer. The claim and what the timer causes (an outbox
row) commit together, so a crash either fires the timer completely or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from storage.bookings import (
    FOLLOWUP,
    REMINDER_KINDS,
    UPCOMING_COLUMNS,
    Upcoming,
    upcoming_from,
)
from storage.models import (
    Booking,
    BookingStatus,
    Cheque,
    Resident,
    Slot,
    Timer,
    TimerStatus,
)


def claim_due(session: Session, now: datetime, limit: int = 500) -> list[Timer]:
    """Due pending timers, locked for this transaction and marked fired.

    A reminder whose moment has passed (`not_after`, the visit's start) is marked
    expired instead: a late reminder still goes out if useful, never after the visit.
    """
    stmt = (select(Timer).where(Timer.status == TimerStatus.PENDING, Timer.due_at <= now)
            .order_by(Timer.due_at, Timer.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
        timers = _of_residents_free(session, list(session.scalars(stmt)))
    else:
        timers = list(session.scalars(stmt))
    # After downtime several reminders of one visit can be due at once: only the latest
    # still tells the truth ("tomorrow" is wrong on the day itself).
    # The follow-up after the visit asks something else: it is no reminder's successor.
    latest: dict[tuple[int, bool], Timer] = {}
    for timer in timers:
        latest[_family(timer)] = timer
    fired = []
    for timer in timers:
        stale = timer.not_after is not None and timer.not_after <= now
        superseded = latest[_family(timer)] is not timer
        if stale or superseded:
            timer.status = TimerStatus.EXPIRED
        else:
            timer.status, timer.fired_at = TimerStatus.FIRED, now
            fired.append(timer)
    session.flush()
    return fired


def _of_residents_free(session: Session, timers: list[Timer]) -> list[Timer]:
    """The timers whose resident no message is being handled for right now.

    The sweep writes an outbox row per timer, and the row's foreign key to the resident
    takes a key-share lock on them; the engine holds residents FOR UPDATE while it
    handles their message and then locks their booking and timers. A sweep that waited
    for such a resident while holding timer locks could deadlock with the engine. So it
    takes the key-share locks up front, skipping residents that are busy: their timers
    stay pending (released at commit) for the next sweep. Never a wait; never the
    resident row itself locked for update.
    """
    ids = {t.resident_id for t in timers if t.resident_id is not None}
    if not ids:
        return timers
    free = set(session.scalars(select(Resident.id).where(Resident.id.in_(ids))
                               .with_for_update(key_share=True, skip_locked=True)))
    return [t for t in timers if t.resident_id is None or t.resident_id in free]


def _family(timer: Timer) -> tuple[int, bool]:
    """Timers that say the same thing in turn: a visit's reminders, or its follow-up."""
    return (timer.booking_id if timer.booking_id is not None else -timer.id,
            timer.kind == FOLLOWUP)


def unfire(timer: Timer) -> None:
    """A claimed timer that had nothing to say (the visit was cancelled, the resident
    stopped): expired, so no answer is ever read against it (open_question)."""
    timer.status, timer.fired_at = TimerStatus.EXPIRED, None


@dataclass(frozen=True)
class Asked:
    """The question a fired reminder or follow-up put to a resident, with its visit."""

    timer_id: int
    kind: str
    fired_at: datetime
    visit: Upcoming


_ASKED = (
    select(Timer.id, Timer.kind, Timer.fired_at, *UPCOMING_COLUMNS)
    .join(Booking, Booking.id == Timer.booking_id).join(Slot, Slot.id == Booking.slot_id)
    .join(Cheque, Cheque.id == Booking.cheque_id)
    .where(Timer.resident_id == bindparam("resident_id"),
           Timer.fired_at > bindparam("since"), Timer.status == TimerStatus.FIRED,
           or_(and_(Timer.kind.in_(REMINDER_KINDS), Booking.status == BookingStatus.BOOKED,
                    Slot.starts_at > bindparam("now")),
               and_(Timer.kind == FOLLOWUP,
                    or_(Booking.status == BookingStatus.BOOKED,
                        and_(Booking.status == BookingStatus.DONE,
                             Booking.outcome_by == "auto")))))
    .order_by(Timer.fired_at.desc(), Timer.id.desc()).limit(1))


def open_question(session: Session, resident_id: int, since: datetime,
                  now: datetime, today: date) -> Asked | None:
    """The latest reminder or follow-up sent to the resident after `since` (their last
    message) that can still be answered: a reminder of a visit still booked and to come,
    a follow-up of a visit not yet said to be done or missed (or only assumed done).
    One query along the index on timers (resident_id, fired_at)."""
    row = session.execute(_ASKED, {"resident_id": resident_id, "since": since,
                                   "now": now}).first()
    if row is None:
        return None
    timer_id, kind, fired_at, *visit = row
    return Asked(timer_id, kind, fired_at, upcoming_from(visit, today))


def booking_for(session: Session, timer: Timer) -> Booking | None:
    """The timer's booking if it is still booked (a cancelled one needs no reminder)."""
    if timer.booking_id is None:
        return None
    booking = session.scalars(select(Booking).options(joinedload(Booking.slot),
                                                      joinedload(Booking.resident))
                              .where(Booking.id == timer.booking_id)).first()
    if booking is None or booking.status != BookingStatus.BOOKED:
        return None
    return booking
