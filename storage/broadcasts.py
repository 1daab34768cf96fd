"""Broadcasts: announcements from staff to a chosen group of residents (issue 12).

An audience is data: a name and one SQL condition on `residents` (AUDIENCES), narrowed
by channel and language; opted-out residents are never in any audience. Selecting the
recipients, counting them and queueing their messages are each one statement, so a
broadcast to 100,000 residents is one INSERT ... SELECT into the outbox, not a loop.

A broadcast's life: `create` writes the row (status scheduled, at `scheduled_at`, now
or later); `send` claims it with a conditional UPDATE (scheduled -> sending, so it fires
once however many workers try) and queues one outbox row per recipient at bulk priority
with its id; `fire_due` does that for every scheduled broadcast whose moment has come
(the periodic jobs call it); `cancel` turns what was not sent into 'cancelled' in one
UPDATE. `status` counts its outbox rows. The texts are chosen per resident: their
language's text, else Dutch.

Every function works in the caller's session and transaction and knows nothing of click,
so the staff CLI and a staff Telegram command share them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    not_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from storage.deliveries import DELIVERED
from storage.models import (
    Booking,
    BookingStatus,
    Broadcast,
    BroadcastStatus,
    Cheque,
    ChequeStatus,
    Outbox,
    OutboxStatus,
    Priority,
    Resident,
    Slot,
)

LANGUAGES = ("nl", "fr", "en")
DEFAULT_LANGUAGE = "nl"
CHANNELS = ("telegram", "sms", "console")
CITY_TZ = ZoneInfo("Europe/Brussels")
MAX_TEXT = 1600            # characters: ten SMS segments, far beyond what staff should send


class BroadcastError(ValueError):
    """What staff asked cannot be done; the message says why in one line."""


# ---------------------------------------------------------------------------- audiences

def _upcoming_visit(now: datetime, first: datetime | None = None,
                    last: datetime | None = None) -> ColumnElement[bool]:
    """The resident has a booked visit still to come (starting in [first, last))."""
    conditions = [Booking.resident_id == Resident.id, Booking.status == BookingStatus.BOOKED,
                  Slot.starts_at > now]
    if first is not None:
        conditions.append(Slot.starts_at >= first)
    if last is not None:
        conditions.append(Slot.starts_at < last)
    return exists(select(Booking.id).join(Slot, Slot.id == Booking.slot_id).where(*conditions))


def _unbooked(now: datetime, today: date) -> ColumnElement[bool]:
    """A redeemed cheque with visits left (not void, not expired), and no visit to come."""
    cheque_left = exists(select(Cheque.id).where(
        Cheque.resident_id == Resident.id, Cheque.status == ChequeStatus.OPEN,
        Cheque.visits_used < Cheque.visits,
        (Cheque.expires_on.is_(None)) | (Cheque.expires_on >= today)))
    return and_(cheque_left, not_(_upcoming_visit(now)))


def _unfinished() -> ColumnElement[bool]:
    """Never got as far as a booking or a redeemed cheque (e.g. stuck before confirming)."""
    return and_(not_(exists(select(Booking.id).where(Booking.resident_id == Resident.id))),
                not_(exists(select(Cheque.id).where(Cheque.resident_id == Resident.id))))


AUDIENCES: dict[str, str] = {
    "all": "all residents",
    "upcoming": "residents with a booked visit still to come (optionally on --from/--to)",
    "unbooked": "residents with a redeemed cheque with visits left and no visit to come",
    "unfinished": "residents who never finished booking (no visit, no redeemed cheque)",
}


@dataclass(frozen=True)
class Audience:
    """Who a broadcast is for: an audience name and its narrowing."""

    name: str
    channel: str | None = None
    language: str | None = None
    first_day: date | None = None     # visits on or after this local day (upcoming only)
    last_day: date | None = None      # visits on or before this local day (upcoming only)

    def __post_init__(self) -> None:
        if self.name not in AUDIENCES:
            raise BroadcastError(f"unknown audience {self.name!r}; choose one of "
                                 f"{', '.join(AUDIENCES)}")
        if self.channel is not None and self.channel not in CHANNELS:
            raise BroadcastError(f"unknown channel {self.channel!r}; choose one of "
                                 f"{', '.join(CHANNELS)}")
        if self.language is not None and self.language not in LANGUAGES:
            raise BroadcastError(f"unknown language {self.language!r}; choose one of "
                                 f"{', '.join(LANGUAGES)}")
        if (self.first_day or self.last_day) and self.name != "upcoming":
            raise BroadcastError("visit dates (--from/--to-date) narrow only the "
                                 "'upcoming' audience")
        if self.first_day and self.last_day and self.first_day > self.last_day:
            raise BroadcastError(f"the first day {self.first_day} is after the last day "
                                 f"{self.last_day}")

    def filters(self) -> dict[str, Any]:
        """As stored in Broadcast.filters (JSON)."""
        out: dict[str, Any] = {}
        if self.channel:
            out["channel"] = self.channel
        if self.language:
            out["language"] = self.language
        if self.first_day:
            out["from"] = self.first_day.isoformat()
        if self.last_day:
            out["to"] = self.last_day.isoformat()
        return out

    @classmethod
    def from_stored(cls, name: str, filters: Mapping[str, Any]) -> Audience:
        """The audience of a Broadcast row (its audience and filters columns)."""
        first, last = filters.get("from"), filters.get("to")
        return cls(name, filters.get("channel"), filters.get("language"),
                   date.fromisoformat(first) if first else None,
                   date.fromisoformat(last) if last else None)

    def condition(self, now: datetime, tz: tzinfo = CITY_TZ) -> ColumnElement[bool]:
        """The WHERE clause on `residents` selecting exactly this audience at `now`."""
        conditions: list[ColumnElement[bool]] = [Resident.opted_out_at.is_(None)]
        if self.channel:
            conditions.append(Resident.channel == self.channel)
        if self.language:
            conditions.append(Resident.language == self.language)
        if self.name == "upcoming":
            first = _local_start(self.first_day, tz) if self.first_day else None
            last = _local_start(self.last_day + timedelta(days=1), tz) if self.last_day \
                else None
            conditions.append(_upcoming_visit(now, first, last))
        elif self.name == "unbooked":
            conditions.append(_unbooked(now, now.astimezone(tz).date()))
        elif self.name == "unfinished":
            conditions.append(_unfinished())
        else:
            conditions.append(true())
        return and_(*conditions)


def _local_start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)


def recipients(session: Session, audience: Audience, now: datetime,
               tz: tzinfo = CITY_TZ) -> list[int]:
    """The ids of the residents in the audience, in id order (one query)."""
    return list(session.scalars(select(Resident.id).where(audience.condition(now, tz))
                                .order_by(Resident.id)))


# ---------------------------------------------------------------------------- texts

def clean_texts(texts: Mapping[str, str | None]) -> dict[str, str]:
    """The texts per language, stripped; Dutch is required (everyone else's fallback)."""
    out: dict[str, str] = {}
    for language, text in texts.items():
        if language not in LANGUAGES:
            raise BroadcastError(f"unknown language {language!r} for a text; use "
                                 f"{', '.join(LANGUAGES)}")
        if text is None:
            continue
        stripped = text.strip()
        if not stripped:
            raise BroadcastError(f"the {language} text is empty")
        if len(stripped) > MAX_TEXT:
            raise BroadcastError(f"the {language} text has {len(stripped)} characters; "
                                 f"at most {MAX_TEXT}")
        out[language] = stripped
    if DEFAULT_LANGUAGE not in out:
        raise BroadcastError("the Dutch text (--text) is required: residents without a "
                             "text in their language get it")
    return out


def text_for(texts: Mapping[str, str], language: str) -> str:
    """Their language's text, else Dutch."""
    return texts.get(language) or texts[DEFAULT_LANGUAGE]


def _body(texts: Mapping[str, str]) -> ColumnElement[str]:
    """The text per resident, in SQL: their language's text, else Dutch."""
    others = [(Resident.language == lang, literal(text)) for lang, text in texts.items()
              if lang != DEFAULT_LANGUAGE]
    dutch = literal(texts[DEFAULT_LANGUAGE])
    return case(*others, else_=dutch) if others else dutch


# ---------------------------------------------------------------------------- preview

@dataclass(frozen=True)
class Group:
    """Residents of one channel and language, and the text they get."""

    channel: str
    language: str
    count: int
    text: str
    text_language: str   # the language of the text they get (Dutch if theirs is missing)


@dataclass(frozen=True)
class Preview:
    groups: list[Group]
    texts: dict[str, str]

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    def getting(self, language: str) -> int:
        """How many residents get the text in this language (theirs, or Dutch)."""
        return sum(g.count for g in self.groups if g.text_language == language)


def preview(session: Session, audience: Audience, texts: Mapping[str, str | None],
            now: datetime, tz: tzinfo = CITY_TZ) -> Preview:
    """Counts per channel and language (one query) and the text each group gets."""
    cleaned = clean_texts(texts)
    rows = session.execute(
        select(Resident.channel, Resident.language, func.count())
        .where(audience.condition(now, tz))
        .group_by(Resident.channel, Resident.language)
        .order_by(Resident.channel, Resident.language)).tuples().all()
    groups = [Group(channel, language, count, text_for(cleaned, language),
                    language if language in cleaned else DEFAULT_LANGUAGE)
              for channel, language, count in rows]
    return Preview(groups, cleaned)


# ---------------------------------------------------------------------------- life

def create(session: Session, *, texts: Mapping[str, str | None], audience: Audience,
           now: datetime, at: datetime | None = None,
           created_by: str | None = None) -> Broadcast:
    """Write a broadcast, scheduled at `at` (default now); `send` or `fire_due` sends it."""
    cleaned = clean_texts(texts)
    scheduled_at = at or now
    if scheduled_at < now - timedelta(minutes=1):
        raise BroadcastError(f"{scheduled_at:%Y-%m-%d %H:%M} UTC is in the past")
    broadcast = Broadcast(texts=cleaned, audience=audience.name, filters=audience.filters(),
                          scheduled_at=max(scheduled_at, now),
                          status=BroadcastStatus.SCHEDULED, created_by=created_by,
                          created_at=now)
    session.add(broadcast)
    session.flush()
    return broadcast


def _changed(session: Session, statement: Any) -> int:
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount)


def send(session: Session, broadcast_id: int, now: datetime, tz: tzinfo = CITY_TZ) -> int | None:
    """Fire the broadcast: claim it (scheduled -> sending, a conditional UPDATE, so of
    several workers one fires it) and queue one outbox row per recipient in one
    INSERT ... SELECT. Returns the number queued; None when it was not scheduled (already
    fired or cancelled). In the caller's transaction: commit, then wake the sender."""
    claimed = _changed(session, update(Broadcast)
                       .where(Broadcast.id == broadcast_id,
                              Broadcast.status == BroadcastStatus.SCHEDULED)
                       .values(status=BroadcastStatus.SENDING, started_at=now))
    if not claimed:
        return None
    row = session.execute(select(Broadcast.texts, Broadcast.audience, Broadcast.filters)
                          .where(Broadcast.id == broadcast_id)).one()
    audience = Audience.from_stored(row.audience, row.filters or {})
    table = Outbox.__table__
    moment = literal(now, type_=table.c.created_at.type)
    chosen = (select(Resident.id, Resident.channel, Resident.address, _body(row.texts),
                     literal(Priority.BROADCAST), literal(str(OutboxStatus.PENDING)),
                     literal(0), moment, moment, literal(broadcast_id))
              .where(audience.condition(now, tz)))
    columns = ["resident_id", "channel", "address", "body", "priority", "status",
               "attempts", "next_attempt_at", "created_at", "broadcast_id"]
    session.execute(insert(Outbox).from_select(columns, chosen))
    # Counted, not the INSERT's rowcount: psycopg reports -1 for an INSERT ... SELECT
    # with bound parameters. The index on broadcast_id makes this a short scan.
    queued = int(session.scalar(select(func.count()).select_from(Outbox)
                                .where(Outbox.broadcast_id == broadcast_id)) or 0)
    session.execute(update(Broadcast).where(Broadcast.id == broadcast_id)
                    .values(recipients=queued)
                    .execution_options(synchronize_session=False))
    return queued


def fire_due(session: Session, now: datetime, tz: tzinfo = CITY_TZ) -> list[int]:
    """Send every scheduled broadcast whose moment has come; the ids fired.

    Safe with several workers at once: each broadcast is claimed by send's conditional
    UPDATE, and on PostgreSQL the candidates are locked with SKIP LOCKED so a second
    worker passes over what the first is firing instead of waiting for it."""
    due = list(session.scalars(
        select(Broadcast.id)
        .where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_at <= now)
        .order_by(Broadcast.scheduled_at, Broadcast.id)
        .with_for_update(skip_locked=True)))
    return [b for b in due if send(session, b, now, tz) is not None]


@dataclass(frozen=True)
class Cancelled:
    broadcast_id: int
    stopped: int          # messages that will not be sent


def fire_scheduled(sessions: sessionmaker[Session], now: datetime, tz: tzinfo = CITY_TZ,
                   wake: Callable[[], None] | None = None) -> str:
    """One turn of the periodic job: fire_due in its own transaction, then `wake` (the
    sender of this process, if any) once the rows are committed; a line for the log."""
    with sessions.begin() as session:
        fired = fire_due(session, now, tz)
        queued = sum(session.scalars(select(Broadcast.recipients)
                                     .where(Broadcast.id.in_(fired)))) if fired else 0
    if fired and wake is not None:
        wake()
    return f"{len(fired)} broadcasts fired, {queued} messages queued"


def get(session: Session, broadcast_id: int) -> Broadcast:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise BroadcastError(f"no broadcast with id {broadcast_id}")
    return broadcast


def cancel(session: Session, broadcast_id: int, now: datetime) -> Cancelled:
    """Stop what has not been sent: its waiting rows become 'cancelled' in one UPDATE.

    Rows a sender holds (claimed, 'sending') are cancelled too: the sender drops them
    from its hands at its next turn (bot.sender); one it is sending at this very moment
    is recorded sent when the provider took it. What was sent stays sent."""
    broadcast = get(session, broadcast_id)
    if broadcast.status == BroadcastStatus.CANCELLED:
        raise BroadcastError(f"broadcast {broadcast_id} is already cancelled")
    claimed = _changed(session, update(Broadcast)
                       .where(Broadcast.id == broadcast_id,
                              Broadcast.status != BroadcastStatus.CANCELLED)
                       .values(status=BroadcastStatus.CANCELLED, cancelled_at=now))
    if not claimed:
        raise BroadcastError(f"broadcast {broadcast_id} is already cancelled")
    stopped = _changed(session, update(Outbox)
                       .where(Outbox.broadcast_id == broadcast_id,
                              Outbox.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
                       .values(status=OutboxStatus.CANCELLED, claimed_until=None))
    return Cancelled(broadcast_id, stopped)


# ---------------------------------------------------------------------------- purge

FINISHED = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.CANCELLED)


def forget_messages(session: Session, before: datetime) -> int:
    """Delete the finished broadcast messages queued before `before` (the privacy purge:
    they hold residents' addresses), keeping their counts on their broadcasts so
    `status` still tells what it did. One DELETE ... RETURNING: what is counted is
    exactly what was deleted. Returns how many were deleted."""
    gone = session.execute(
        delete(Outbox).where(Outbox.broadcast_id.is_not(None),
                             Outbox.status.in_(FINISHED), Outbox.created_at < before)
        .returning(Outbox.broadcast_id, Outbox.status, Outbox.delivery_status)).all()
    counts: Counter[tuple[int, str]] = Counter()
    for broadcast_id, state, report in gone:
        counts[broadcast_id, state] += 1
        counts[broadcast_id, "delivered"] += report == DELIVERED
    for broadcast_id in {b for b, _ in counts}:
        session.execute(update(Broadcast).where(Broadcast.id == broadcast_id).values(
            sent=Broadcast.sent + counts[broadcast_id, OutboxStatus.SENT],
            failed=Broadcast.failed + counts[broadcast_id, OutboxStatus.FAILED],
            cancelled=Broadcast.cancelled + counts[broadcast_id, OutboxStatus.CANCELLED],
            delivered=Broadcast.delivered + counts[broadcast_id, "delivered"]))
    return len(gone)


# ---------------------------------------------------------------------------- progress

@dataclass(frozen=True)
class Progress:
    """A broadcast's counts: its outbox rows, plus those the purge already deleted."""

    broadcast_id: int
    status: str
    recipients: int
    pending: int        # waiting or being sent
    sent: int           # accepted by the provider (delivered ones included)
    delivered: int      # the provider reported delivery (SMS status callbacks)
    failed: int
    cancelled: int
    opted_out: int      # recipients who opted out since it started

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.cancelled


def status(session: Session, broadcast_id: int) -> Progress:
    broadcast = get(session, broadcast_id)
    o = Outbox
    since = broadcast.started_at or broadcast.created_at

    def count(condition: ColumnElement[bool]) -> Any:
        return func.count(case((condition, 1)))

    row = session.execute(
        select(count(o.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])),
               count(o.status == OutboxStatus.SENT),
               count(o.delivery_status == DELIVERED),
               count(o.status == OutboxStatus.FAILED),
               count(o.status == OutboxStatus.CANCELLED),
               count(Resident.opted_out_at >= since))
        .select_from(o).outerjoin(Resident, Resident.id == o.resident_id)
        .where(o.broadcast_id == broadcast_id)).one()
    pending, sent, delivered, failed, cancelled, opted_out = (int(v) for v in row)
    return Progress(broadcast.id, broadcast.status, broadcast.recipients, pending,
                    sent + broadcast.sent, delivered + broadcast.delivered,
                    failed + broadcast.failed, cancelled + broadcast.cancelled, opted_out)


def recent(session: Session, limit: int = 50) -> list[Broadcast]:
    """The newest broadcasts first."""
    return list(session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)))
