"""The numbers for the funder: cheques, visits, waiting time, reminders and hand-offs.

Every figure is one aggregate query (GROUP BY the resident's channel and language), so a
city-wide year costs a handful of scans, not a loop over rows. Only columns the privacy
purge keeps are read (never street, phone or topic_text; never conversations): the
figures of cheques, visits, waiting time and hand-offs survive the purge; the reminder
figures come from outbox rows, which the purge deletes after `keep_messages`: it counts
them first (`keep_reminder_counts`, per local day, channel and language, no address),
and the figures add those counts to the rows still there.

A period is a range of local days; each figure counts the events whose *own* date falls
in it (`BASIS` says which date each section uses).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Integer, Select, and_, case, cast, delete, func, \
    literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.cheques import ChequeState, local_today, state_filter
from storage.deliveries import DELIVERED, UNDELIVERED
from storage.models import Booking, BookingStatus, Cheque, Handoff, Outbox, OutboxStatus, \
    Priority, ReminderTally, Resident, Slot

NONE = "none"            # channel and language of a figure without a resident
Group = tuple[str, str]  # (channel, language)


class Kind(StrEnum):
    COUNT = "count"      # a number of things; adds up over groups
    DAYS = "days"        # a median number of days, from a histogram of whole days
    PERCENT = "percent"  # a share, from a numerator and a denominator


# What each section counts and by which date (printed in every output's heading).
BASIS = {
    "cheques": "issued and void by the day the cheque was created (the day of voiding is "
               "not kept); redeemed (bound to a resident) by the day of its first booking; "
               "fully used by the day of its last booking not cancelled; expired (visits "
               "left, last day passed) by its expiry date",
    "visits": "by the start of the visit's slot (after any move); from the visit's "
              "outcome_by: who cancelled, who did not show up, done assumed when the "
              "follow-up went unanswered; still to come and awaiting outcome as of now",
    "waiting": "whole days (24 h) from a resident's first message to the start of their "
               "first visit not cancelled, counted by that visit's start",
    "reminders": "reminder messages, by the moment they were queued (those the privacy "
                 "purge deleted by the day, as it counted them); sent: accepted by the "
                 "provider; delivered / undelivered: the provider's delivery report where "
                 "there is one (Twilio SMS)",
    "handoffs": "opened and closed by their own moment; still open: opened in the period "
                "and not closed now",
}


# ---------------------------------------------------------------------------- period

@dataclass(frozen=True)
class Period:
    """Local days `first` through `last` (either open), in the city's time zone."""

    first: date | None
    last: date | None
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.first is not None and self.last is not None and self.first > self.last:
            raise ValueError(f"the period starts ({self.first}) after it ends ({self.last})")

    @property
    def start(self) -> datetime | None:
        """The first moment in the period, UTC."""
        if self.first is None:
            return None
        return datetime.combine(self.first, time(0), tzinfo=self.tz).astimezone(timezone.utc)

    @property
    def end(self) -> datetime | None:
        """The first moment after the period, UTC."""
        if self.last is None:
            return None
        return datetime.combine(self.last + timedelta(days=1), time(0),
                                tzinfo=self.tz).astimezone(timezone.utc)

    def moment(self, column: ColumnElement[datetime] | Any) -> ColumnElement[bool]:
        """SQL: the moment in `column` falls in the period (NULL never does)."""
        conditions: list[ColumnElement[bool]] = [column.is_not(None)]
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column < self.end)
        return and_(*conditions)

    def day(self, column: ColumnElement[date] | Any) -> ColumnElement[bool]:
        """SQL: the local date in `column` falls in the period (NULL never does)."""
        conditions: list[ColumnElement[bool]] = [column.is_not(None)]
        if self.first is not None:
            conditions.append(column >= self.first)
        if self.last is not None:
            conditions.append(column <= self.last)
        return and_(*conditions)

    def describe(self) -> str:
        if self.first is None and self.last is None:
            return "all time"
        if self.first is None:
            return f"up to {self.last}"
        if self.last is None:
            return f"from {self.first} on"
        return f"{self.first} to {self.last}"


# ---------------------------------------------------------------------------- results

@dataclass(frozen=True)
class Figure:
    """One number, split by (channel, language); `cells` hold what combines into it:
    a count (COUNT), a histogram of whole days (DAYS), (part, whole) (PERCENT)."""

    name: str
    label: str
    kind: Kind
    cells: Mapping[Group, Any] = field(default_factory=dict)

    def value(self, keep: Callable[[Group], bool] = lambda _group: True) -> int | float | None:
        """The figure over the groups `keep` accepts; None when there is no data for it."""
        chosen = [cell for group, cell in self.cells.items() if keep(group)]
        if self.kind == Kind.COUNT:
            return int(sum(chosen))
        if self.kind == Kind.DAYS:
            histogram: Counter[int] = Counter()
            for cell in chosen:
                histogram.update(cell)
            return median(histogram)
        part = sum(cell[0] for cell in chosen)
        whole = sum(cell[1] for cell in chosen)
        return round(100 * part / whole, 1) if whole else None

    @property
    def groups(self) -> set[Group]:
        return set(self.cells)


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    basis: str
    figures: list[Figure]


@dataclass(frozen=True)
class Stats:
    period: Period
    as_of: datetime
    sections: list[Section]

    @property
    def channels(self) -> list[str]:
        """Every channel some figure has, `none` (no resident) last."""
        return _ordered({g[0] for s in self.sections for f in s.figures for g in f.groups})

    @property
    def languages(self) -> list[str]:
        return _ordered({g[1] for s in self.sections for f in s.figures for g in f.groups})

    def split(self, figure: Figure) -> dict[str, Any]:
        """The figure in total, per channel and per language (`none`: no resident)."""
        def part(index: int, name: str) -> int | float | None:
            return figure.value(lambda group: group[index] == name)

        return {
            "total": figure.value(),
            "by_channel": {channel: part(0, channel) for channel in self.channels},
            "by_language": {language: part(1, language) for language in self.languages},
        }

    def section(self, name: str) -> Section:
        return next(s for s in self.sections if s.name == name)

    def figure(self, section: str, name: str) -> Figure:
        return next(f for f in self.section(section).figures if f.name == name)


def _ordered(names: Iterable[str]) -> list[str]:
    return sorted(names, key=lambda name: (name == NONE, name))


def median(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as value -> how often; None for none at all."""
    total = sum(histogram.values())
    if total == 0:
        return None
    wanted = {(total - 1) // 2, total // 2}   # positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        found += [value for position in wanted if seen <= position < seen + count]
        seen += count
    return sum(found) / len(found)


# ---------------------------------------------------------------------------- queries

def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """SQL: how many rows of the group meet `condition`."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _who(channel: Any = None) -> tuple[ColumnElement[str], ColumnElement[str]]:
    return (func.coalesce(Resident.channel, channel if channel is not None else NONE),
            func.coalesce(Resident.language, NONE))


def _counts(session: Session, stmt: Select[Any], names: list[str]) -> dict[str, dict[Group,
                                                                                 int]]:
    """Run a GROUP BY (channel, language) query of counts: name -> group -> count."""
    result: dict[str, dict[Group, int]] = {name: {} for name in names}
    for row in session.execute(stmt):
        group = (str(row[0]), str(row[1]))
        for name, value in zip(names, row[2:], strict=True):
            if value:
                result[name][group] = int(value)
    return result


def cheque_figures(session: Session, period: Period, today: date) -> Section:
    per_cheque = (select(Booking.cheque_id.label("cheque_id"),
                         func.min(Booking.created_at).label("first"),
                         func.max(case((Booking.status != BookingStatus.CANCELLED,
                                        Booking.created_at))).label("last"))
                  .group_by(Booking.cheque_id).subquery())
    redeemed_at = func.coalesce(per_cheque.c.first, Cheque.created_at)
    used_at = func.coalesce(per_cheque.c.last, per_cheque.c.first, Cheque.created_at)
    figures = {
        "issued": period.moment(Cheque.created_at),
        "redeemed": and_(Cheque.resident_id.is_not(None), period.moment(redeemed_at)),
        "fully_used": and_(state_filter(ChequeState.USED, today), period.moment(used_at)),
        "expired": and_(state_filter(ChequeState.EXPIRED, today),
                        period.day(Cheque.expires_on)),
        "void": and_(state_filter(ChequeState.VOID, today), period.moment(Cheque.created_at)),
    }
    channel, language = _who()
    stmt = (select(channel, language, *(_flag(c) for c in figures.values()))
            .select_from(Cheque)
            .outerjoin(per_cheque, per_cheque.c.cheque_id == Cheque.id)
            .outerjoin(Resident, Resident.id == Cheque.resident_id)
            .group_by(channel, language))
    counts = _counts(session, stmt, list(figures))
    labels = {"issued": "issued", "redeemed": "redeemed", "fully_used": "fully used",
              "expired": "expired", "void": "void"}
    return Section("cheques", "Cheques", BASIS["cheques"],
                   [Figure(name, labels[name], Kind.COUNT, counts[name]) for name in figures])


VISIT_FIGURES = (
    ("booked", "booked (all visits)"),
    ("moved", "moved (at least once)"),
    ("moves", "moves in total"),
    ("confirmed", "confirmed by the resident"),
    ("cancelled", "cancelled"),
    ("cancelled_by_resident", "  cancelled by the resident"),
    ("cancelled_by_staff", "  cancelled by staff"),
    ("done", "done"),
    ("done_assumed", "  done, assumed (no answer)"),
    ("no_show", "no-show"),
    ("no_show_by_coach", "  no-show by the coach"),
    ("no_show_by_resident", "  no-show by the resident"),
    ("to_come", "still to come"),
    ("awaiting_outcome", "past, awaiting outcome"),
)


def visit_figures(session: Session, period: Period, now: datetime) -> Section:
    status, by = Booking.status, Booking.outcome_by
    cancelled = status == BookingStatus.CANCELLED
    no_show = status == BookingStatus.NO_SHOW
    booked = status == BookingStatus.BOOKED
    columns: dict[str, ColumnElement[int]] = {
        "booked": func.count(),
        "moved": _flag(Booking.moves > 0),
        "moves": func.coalesce(func.sum(Booking.moves), 0),
        "confirmed": _flag(Booking.confirmed_at.is_not(None)),
        "cancelled": _flag(cancelled),
        "cancelled_by_resident": _flag(and_(cancelled, by == "resident")),
        "cancelled_by_staff": _flag(and_(cancelled, by == "staff")),
        "done": _flag(status == BookingStatus.DONE),
        "done_assumed": _flag(and_(status == BookingStatus.DONE, by == "auto")),
        "no_show": _flag(no_show),
        "no_show_by_coach": _flag(and_(no_show, by == "coach")),
        "no_show_by_resident": _flag(and_(no_show, by == "resident")),
        "to_come": _flag(and_(booked, Slot.starts_at > now)),
        "awaiting_outcome": _flag(and_(booked, Slot.starts_at <= now)),
    }
    channel, language = _who()
    stmt = (select(channel, language, *columns.values())
            .select_from(Booking).join(Slot, Slot.id == Booking.slot_id)
            .join(Resident, Resident.id == Booking.resident_id)
            .where(period.moment(Slot.starts_at))
            .group_by(channel, language))
    counts = _counts(session, stmt, list(columns))
    return Section("visits", "Visits", BASIS["visits"],
                   [Figure(name, label, Kind.COUNT, counts[name])
                    for name, label in VISIT_FIGURES])


def _days(session: Session, later: Any, earlier: Any) -> ColumnElement[int]:
    """SQL: whole days (24 h) from `earlier` to `later`."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.floor(func.extract("epoch", later - earlier)
                               / literal_column("86400")), Integer)
    return cast(func.floor(func.julianday(later) - func.julianday(earlier)), Integer)


def waiting_figures(session: Session, period: Period) -> Section:
    first_visit = (select(Booking.resident_id.label("resident_id"),
                          func.min(Slot.starts_at).label("first"))
                   .join(Slot, Slot.id == Booking.slot_id)
                   .where(Booking.status != BookingStatus.CANCELLED)
                   .group_by(Booking.resident_id).subquery())
    channel, language = _who()
    days = _days(session, first_visit.c.first, Resident.created_at)
    stmt = (select(channel, language, days, func.count())
            .select_from(first_visit)
            .join(Resident, Resident.id == first_visit.c.resident_id)
            .where(period.moment(first_visit.c.first))
            .group_by(channel, language, days))
    cells: dict[Group, Counter[int]] = {}
    residents: dict[Group, int] = {}
    for chan, lang, whole_days, count in session.execute(stmt):
        group = (str(chan), str(lang))
        cells.setdefault(group, Counter())[int(whole_days)] += int(count)
        residents[group] = residents.get(group, 0) + int(count)
    return Section("waiting", "Waiting time", BASIS["waiting"], [
        Figure("residents_with_first_visit", "residents with a first visit", Kind.COUNT,
               residents),
        Figure("median_days_to_first_visit", "median days, first message to first visit",
               Kind.DAYS, cells)])


def reminder_figures(session: Session, period: Period) -> Section:
    status, report = Outbox.status, Outbox.delivery_status
    sent, failed = status == OutboxStatus.SENT, status == OutboxStatus.FAILED
    delivered = report == DELIVERED
    undelivered = report.in_(UNDELIVERED)
    columns = {
        "queued": func.count(),
        "sent": _flag(sent),
        "failed": _flag(failed),
        "waiting": _flag(status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])),
        "delivered": _flag(delivered),
        "undelivered": _flag(undelivered),
    }
    channel, language = _who(Outbox.channel)
    stmt = (select(channel, language, *columns.values())
            .select_from(Outbox).outerjoin(Resident, Resident.id == Outbox.resident_id)
            .where(Outbox.priority == Priority.REMINDER, period.moment(Outbox.created_at))
            .group_by(channel, language))
    counts = _counts(session, stmt, list(columns))
    t = ReminderTally
    kept = _counts(session, select(t.channel, t.language, *(
        func.coalesce(func.sum(getattr(t, name)), 0) for name in TALLIED))
        .where(period.day(t.day)).group_by(t.channel, t.language), list(TALLIED))
    for name, by_group in kept.items():
        for group, count in by_group.items():
            counts[name][group] = counts[name].get(group, 0) + count
    groups = set().union(*(counts[name] for name in counts))

    def share(part: str, *whole: str) -> dict[Group, tuple[int, int]]:
        return {g: (counts[part].get(g, 0), sum(counts[w].get(g, 0) for w in whole))
                for g in groups}

    return Section("reminders", "Reminders", BASIS["reminders"], [
        Figure("queued", "reminders queued", Kind.COUNT, counts["queued"]),
        Figure("sent", "sent (accepted by the provider)", Kind.COUNT, counts["sent"]),
        Figure("failed", "failed (given up)", Kind.COUNT, counts["failed"]),
        Figure("waiting", "still waiting to be sent", Kind.COUNT, counts["waiting"]),
        Figure("sent_rate", "sent rate: sent / (sent + failed)", Kind.PERCENT,
               share("sent", "sent", "failed")),
        Figure("delivered", "delivered (provider's report)", Kind.COUNT, counts["delivered"]),
        Figure("undelivered", "undelivered (provider's report)", Kind.COUNT,
               counts["undelivered"]),
        Figure("delivered_rate", "delivered rate: delivered / reported", Kind.PERCENT,
               share("delivered", "delivered", "undelivered")),
    ])


TALLIED = ("queued", "sent", "failed", "delivered", "undelivered")   # ReminderTally's counts
_IDS_AT_ONCE = 500   # residents looked up per query (bound parameters stay few)


def keep_reminder_counts(session: Session, before: datetime, tz: ZoneInfo) -> int:
    """Delete the sent and failed reminders queued before `before` (the privacy purge),
    adding them to the day's counts first, so the reminder figures outlive them.

    One DELETE ... RETURNING, so what is counted is exactly what was deleted (a second
    purge at once deletes and counts nothing twice); the counts are added by an upsert
    that increments, in the caller's transaction. Returns how many were deleted."""
    gone = session.execute(
        delete(Outbox).where(Outbox.priority == Priority.REMINDER,
                             Outbox.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
                             Outbox.created_at < before)
        .returning(Outbox.created_at, Outbox.channel, Outbox.resident_id, Outbox.status,
                   Outbox.delivery_status)).all()
    ids = sorted({row[2] for row in gone if row[2] is not None})
    who: dict[int, Group] = {}
    for at in range(0, len(ids), _IDS_AT_ONCE):
        chunk = ids[at:at + _IDS_AT_ONCE]
        who.update((i, (c, lang)) for i, c, lang in session.execute(
            select(Resident.id, Resident.channel, Resident.language)
            .where(Resident.id.in_(chunk))))
    tallies: dict[tuple[date, str, str], Counter[str]] = {}
    for created_at, channel, resident_id, status, report in gone:
        chan, lang = who.get(resident_id, (channel, NONE))
        tally = tallies.setdefault((created_at.astimezone(tz).date(), chan, lang), Counter())
        tally["queued"] += 1
        tally[str(status)] += 1
        tally["delivered"] += report == DELIVERED
        tally["undelivered"] += report in UNDELIVERED
    if tallies:
        _add_tallies(session, [{"day": d, "channel": c, "language": lang,
                                **{name: n[name] for name in TALLIED}}
                               for (d, c, lang), n in tallies.items()])
    return len(gone)


def _add_tallies(session: Session, rows: list[dict[str, Any]]) -> None:
    """INSERT the day's counts, or add them to those already there (one statement)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(ReminderTally)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["day", "channel", "language"],
        set_={name: getattr(ReminderTally, name) + stmt.excluded[name] for name in TALLIED}),
        rows)


def handoff_figures(session: Session, period: Period) -> Section:
    columns = {
        "opened": _flag(period.moment(Handoff.opened_at)),
        "closed": _flag(period.moment(Handoff.closed_at)),
        "still_open": _flag(and_(period.moment(Handoff.opened_at),
                                 Handoff.closed_at.is_(None))),
    }
    channel, language = _who()
    stmt = (select(channel, language, *columns.values())
            .select_from(Handoff).join(Resident, Resident.id == Handoff.resident_id)
            .group_by(channel, language))
    counts = _counts(session, stmt, list(columns))
    labels = {"opened": "opened", "closed": "closed", "still_open": "opened, still open"}
    return Section("handoffs", "Hand-offs to a person", BASIS["handoffs"],
                   [Figure(name, labels[name], Kind.COUNT, counts[name]) for name in columns])


def collect(session: Session, period: Period, now: datetime) -> Stats:
    """Every figure for `period`, as the database holds it at `now`."""
    today = local_today(now, period.tz)
    return Stats(period, now, [
        cheque_figures(session, period, today),
        visit_figures(session, period, now),
        waiting_figures(session, period),
        reminder_figures(session, period),
        handoff_figures(session, period),
    ])
