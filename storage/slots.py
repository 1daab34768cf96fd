"""Slot queries: storing generated slots, finding free ones, taking and releasing a seat.

`take_seat` and `release_seat` are each ONE conditional UPDATE, so capacity is enforced by
the database, not by a read-then-write in Python (G4): two residents racing for the last
seat cannot both get it, on SQLite (BEGIN IMMEDIATE serialises writers) as on PostgreSQL
(the second UPDATE waits for the first and re-checks its WHERE clause on the new row).

Ranges are half-open, [start, end), and given as aware datetimes (stored in UTC).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, contains_eager

from storage.models import Booking, BookingStatus, Coach, Slot
from storage.schedule import Span

log = logging.getLogger(__name__)

#: Rows per INSERT statement: 5 parameters each stays far below SQLite's variable limit.
_CHUNK = 500


# ---------------------------------------------------------------------------- coaches

def coach_by_name(session: Session, name: str) -> Coach | None:
    """The coach with this name, ignoring case and surrounding spaces (active or not)."""
    wanted = name.strip().casefold()
    for coach in session.scalars(select(Coach)):
        if coach.name.casefold() == wanted:
            return coach
    return None


def serves_postcode(postcode: str) -> ColumnElement[bool]:
    """SQL condition: the coach's postcodes are empty (all) or include `postcode`."""
    listed = literal(",") + Coach.postcodes + literal(",")
    return or_(Coach.postcodes == "", listed.contains(f",{postcode},", autoescape=True))


# ---------------------------------------------------------------------------- creating

def upsert_slots(session: Session, coach_id: int, spans: Iterable[Span],
                 capacity: int = 1) -> tuple[int, int]:
    """Store slots that do not exist yet; returns (created, already existed).

    Idempotent: a slot is identified by (coach, start), a unique key in the schema, and
    the INSERT skips rows that conflict with it, so running a generation twice, or two
    staff members at once, never makes duplicates.
    """
    rows = [{"coach_id": coach_id, "starts_at": span.starts_at, "ends_at": span.ends_at,
             "capacity": capacity, "booked": 0} for span in spans]
    rows = list({row["starts_at"]: row for row in rows}.values())
    dialect = session.get_bind().dialect.name
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    created = 0
    for i in range(0, len(rows), _CHUNK):
        stmt = (insert(Slot.__table__).values(rows[i:i + _CHUNK])
                .on_conflict_do_nothing(index_elements=["coach_id", "starts_at"])
                .returning(Slot.__table__.c.id))
        created += len(session.execute(stmt).all())
    return created, len(rows) - created


# ---------------------------------------------------------------------------- reading

def list_slots(session: Session, start: datetime, end: datetime, coach_id: int | None = None,
               free_only: bool = False) -> list[Slot]:
    """Slots starting in [start, end), with their coach loaded, by start then coach name.

    `free_only` keeps the slots a resident could be offered: open, a seat left, coach active.
    """
    stmt = (select(Slot).join(Slot.coach).options(contains_eager(Slot.coach))
            .where(Slot.starts_at >= start, Slot.starts_at < end)
            .order_by(Slot.starts_at, Coach.name))
    if coach_id is not None:
        stmt = stmt.where(Slot.coach_id == coach_id)
    if free_only:
        stmt = stmt.where(Slot.closed_at.is_(None), Slot.booked < Slot.capacity,
                          Coach.active.is_(True))
    return list(session.scalars(stmt))


def _bookable(start: datetime, end: datetime, postcode: str | None) -> list[ColumnElement[bool]]:
    """The conditions for a slot a resident can book, starting in [start, end)."""
    conditions = [Slot.starts_at >= start, Slot.starts_at < end, Slot.closed_at.is_(None),
                  Slot.booked < Slot.capacity, Coach.active.is_(True)]
    if postcode is not None:
        conditions.append(serves_postcode(postcode.strip()))
    return conditions


def free_slots(session: Session, start: datetime, end: datetime, postcode: str | None = None,
               limit: int | None = None) -> list[Slot]:
    """Slots a resident can book, starting in [start, end), earliest first.

    Open (not closed), a seat left, coach active and serving `postcode` (a coach with no
    postcodes serves all). Coach loaded. The caller applies minimum notice and maximum
    lead time through `start` and `end`.
    """
    stmt = (select(Slot).join(Slot.coach).options(contains_eager(Slot.coach))
            .where(*_bookable(start, end, postcode)).order_by(Slot.starts_at, Slot.id))
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


NO_LIMIT = 2**31 - 1   # one prepared statement serves both; LIMIT NULL/-1 are not portable

# Built once, with bound parameters: the conversation asks this on every time question,
# and building the statement cost more than running it (bench/journey.py, --profile).
# One row per (start, end): a resident chooses a time, not a coach, so several coaches
# free at 09:00 are one choice (the lowest slot id stands for them).
_FREE_TIMES = (
    select(func.min(Slot.id), Slot.starts_at, Slot.ends_at).join(Slot.coach)
    .where(Slot.starts_at >= bindparam("start", type_=Slot.starts_at.type),
           Slot.starts_at < bindparam("end", type_=Slot.starts_at.type),
           Slot.closed_at.is_(None), Slot.booked < Slot.capacity, Coach.active.is_(True),
           or_(bindparam("postcode", type_=String) == None,  # noqa: E711 - SQL NULL test
               Coach.postcodes == "",
               (literal(",") + Coach.postcodes + literal(",")).contains(
                   bindparam("listed", type_=String))))
    .group_by(Slot.starts_at, Slot.ends_at)
    .order_by(Slot.starts_at, Slot.ends_at)
    .limit(bindparam("limit", type_=Integer)))


def free_slot_times(session: Session, start: datetime, end: datetime,
                    postcode: str | None = None, limit: int | None = None
                    ) -> list[tuple[int, datetime, datetime]]:
    """The distinct free visit times `free_slots` offers: (a slot id, start, end).

    Plain rows from a prepared statement cost a fraction of ORM objects with their
    coach; one row per time keeps a resident's choices distinct.
    """
    # Postcodes are digits; anything else is dropped so LIKE's % and _ never reach it.
    code = "".join(c for c in postcode if c.isdigit()) if postcode is not None else None
    rows = session.execute(_FREE_TIMES, {
        "start": start, "end": end, "postcode": code,
        "listed": f",{code}," if code is not None else "", "limit": limit or NO_LIMIT})
    return [(row[0], row[1], row[2]) for row in rows]


def booked_visits(session: Session, start: datetime, end: datetime | None = None,
                  coach_id: int | None = None) -> list[Booking]:
    """Bookings with status booked whose slot starts in [start, end), by coach and time.

    Slot and coach are loaded (`booking.slot.coach`): this is the coach's agenda.
    """
    stmt = (select(Booking).join(Booking.slot).join(Slot.coach)
            .options(contains_eager(Booking.slot).contains_eager(Slot.coach))
            .where(Booking.status == BookingStatus.BOOKED, Slot.starts_at >= start)
            .order_by(Coach.name, Slot.starts_at, Booking.id))
    if end is not None:
        stmt = stmt.where(Slot.starts_at < end)
    if coach_id is not None:
        stmt = stmt.where(Slot.coach_id == coach_id)
    return list(session.scalars(stmt))


# ---------------------------------------------------------------------------- seats (G4)

def _expire_cached(session: Session, slot_id: int) -> None:
    """A Slot already loaded in this session must not show the old `booked` count."""
    cached = session.identity_map.get(session.identity_key(Slot, slot_id))
    if cached is not None:
        session.expire(cached)


def take_seat(session: Session, slot_id: int) -> bool:
    """Take one seat of an open slot; False if it is full, closed, its coach was removed,
    or it does not exist.

    One conditional UPDATE: the database decides, so concurrent bookings never exceed
    capacity. Runs in the caller's transaction; commit it to keep the seat.
    """
    active = select(Coach.id).where(Coach.active.is_(True))
    result = session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.booked < Slot.capacity, Slot.closed_at.is_(None),
               Slot.coach_id.in_(active))
        .values(booked=Slot.booked + 1)
        .execution_options(synchronize_session=False))
    _expire_cached(session, slot_id)
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def release_seat(session: Session, slot_id: int) -> None:
    """Give back one seat (a cancelled or moved booking); also for closed slots.

    One conditional UPDATE that never goes below zero; a release with nothing booked is
    logged, as it means the counts were already out of step.
    """
    result = session.execute(
        update(Slot).where(Slot.id == slot_id, Slot.booked > 0)
        .values(booked=Slot.booked - 1)
        .execution_options(synchronize_session=False))
    _expire_cached(session, slot_id)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        log.warning("release_seat: slot %s had no seat taken", slot_id)


# ---------------------------------------------------------------------------- closing

@dataclass
class Closed:
    """What `close_slots` did: newly closed, already closed, and the visits to move."""

    closed: int = 0
    already_closed: int = 0
    bookings: list[Booking] = field(default_factory=list)


def _overlapping(coach_id: int, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(Slot.coach_id == coach_id, Slot.starts_at < end, Slot.ends_at > start)


def close_slots(session: Session, coach_id: int, start: datetime, end: datetime,
                reason: str, now: datetime) -> Closed:
    """Close the coach's slots that overlap [start, end) so residents are not offered them.

    Slots already closed keep their first reason. Returns the booked visits in every
    closed slot of the range: those need moving by staff.
    """
    overlap = _overlapping(coach_id, start, end)
    total = session.scalar(select(func.count()).select_from(Slot).where(overlap)) or 0
    result = session.execute(
        update(Slot).where(overlap, Slot.closed_at.is_(None))
        .values(closed_at=now, closed_reason=reason)
        .execution_options(synchronize_session="fetch"))
    closed = int(result.rowcount)  # type: ignore[attr-defined]
    bookings = (select(Booking).join(Booking.slot).join(Slot.coach)
                .options(contains_eager(Booking.slot).contains_eager(Slot.coach))
                .where(overlap, Booking.status == BookingStatus.BOOKED)
                .order_by(Slot.starts_at, Booking.id))
    return Closed(closed=closed, already_closed=total - closed,
                  bookings=list(session.scalars(bookings)))


def reopen_slots(session: Session, coach_id: int, start: datetime, end: datetime) -> int:
    """Open again the coach's closed slots that overlap [start, end); returns how many."""
    result = session.execute(
        update(Slot).where(_overlapping(coach_id, start, end), Slot.closed_at.is_not(None))
        .values(closed_at=None, closed_reason=None)
        .execution_options(synchronize_session="fetch"))
    return int(result.rowcount)  # type: ignore[attr-defined]

