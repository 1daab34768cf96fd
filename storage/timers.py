"""Timer rows (G5): claimed atomically when due, so each fires once.

On PostgreSQL several workers may sweep at once: `FOR UPDATE SKIP LOCKED` hands each due
row to exactly one of them. On SQLite the sweep's write transaction (BEGIN IMMEDIATE)
already excludes every other writer. The claim and what the timer causes (an outbox
row) commit together, so a crash either fires the timer completely or not at all.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from storage.models import Booking, BookingStatus, Timer, TimerStatus


def claim_due(session: Session, now: datetime, limit: int = 500) -> list[Timer]:
    """Due pending timers, locked for this transaction and marked fired.

    A reminder whose moment has passed (`not_after`, the visit's start) is marked
    expired instead: a late reminder still goes out if useful, never after the visit.
    """
    stmt = (select(Timer).where(Timer.status == TimerStatus.PENDING, Timer.due_at <= now)
            .order_by(Timer.due_at, Timer.id).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    timers = list(session.scalars(stmt))
    # After downtime several reminders of one visit can be due at once: only the latest
    # still tells the truth ("tomorrow" is wrong on the day itself).
    latest: dict[int | None, Timer] = {}
    for timer in timers:
        latest[timer.booking_id if timer.booking_id is not None else -timer.id] = timer
    fired = []
    for timer in timers:
        stale = timer.not_after is not None and timer.not_after <= now
        superseded = latest[timer.booking_id if timer.booking_id is not None
                            else -timer.id] is not timer
        if stale or superseded:
            timer.status = TimerStatus.EXPIRED
        else:
            timer.status, timer.fired_at = TimerStatus.FIRED, now
            fired.append(timer)
    session.flush()
    return fired


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
