"""The outbox queries that must be atomic: claim, lease, and the end of a message's life.

Several sender processes may drain one PostgreSQL outbox (G6). Each message is claimed
by one worker for a lease: status 'sending', claimed_by, claimed_until. A live worker
renews its leases; a crashed one stops renewing, and once claimed_until has passed any
worker may claim the message again. On PostgreSQL the claim locks its rows with
FOR UPDATE SKIP LOCKED so concurrent workers take disjoint batches without waiting; on
SQLite every transaction starts with BEGIN IMMEDIATE (storage.db), so the select and
the update of one claim hold the database's write lock together.

State changes after the claim (retry, failed) are fenced on claimed_by, so a worker
whose lease was taken over cannot undo the new owner's work. Marking sent is not fenced:
a message that reached the provider is sent, whoever finished it.
All moments come from the injected clock (G8).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Executable,
    Table,
    and_,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from storage.clock import Clock
from storage.models import Outbox, OutboxStatus, Priority, Resident
from storage.prepared import insert_returning_id

DEFAULT_LEASE = timedelta(seconds=60)
_ERROR_LIMIT = 500  # characters of last_error kept
_OUTBOX: Table = Outbox.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class OutboxMessage:
    """What a channel sender needs of one claimed outbox row (a plain value, no session)."""

    id: int
    channel: str
    address: str
    body: str
    choices: list[str] | None
    priority: int
    attempts: int
    resident_id: int | None = None
    broadcast_id: int | None = None
    created_at: datetime | None = None   # when it was queued: the sender's give-up counts from it


@dataclass(frozen=True)
class Claim:
    """A worker's hold on outbox rows until a moment (its lease)."""

    worker: str
    until: datetime


@dataclass(frozen=True)
class Backlog:
    """Undelivered messages, for health and metrics."""

    pending: int                         # waiting, including scheduled retries
    sending: int                         # claimed by a worker right now
    failed: int                          # given up, ever
    oldest_pending_seconds: float        # age of the oldest undelivered message; 0 if none


def enqueue(session: Session, *, channel: str, address: str, body: str,
            choices: list[str] | None, now: datetime, resident_id: int | None = None,
            priority: int = Priority.REPLY, claim: Claim | None = None) -> OutboxMessage:
    """Queue one message, due now, in the caller's transaction.

    With `claim`, the row is written already claimed by that worker (status 'sending'
    under its lease), so the sender it belongs to can start on it the moment the
    transaction commits, without a claim transaction of its own; should that process
    die first, the lease hands the row on as with any claim.
    A prepared insert, not an ORM object: the engine queues a reply for every message.
    """
    values: dict[str, Any] = {
        "resident_id": resident_id, "channel": channel, "address": address, "body": body,
        "choices": choices, "priority": priority, "status": OutboxStatus.PENDING,
        "attempts": 0, "next_attempt_at": now, "created_at": now}
    if claim is not None:
        values.update(status=OutboxStatus.SENDING, claimed_by=claim.worker,
                      claimed_until=claim.until)
    message_id = insert_returning_id(session, _OUTBOX, values)
    return OutboxMessage(id=message_id, channel=channel, address=address, body=body,
                         choices=choices, priority=priority, attempts=0,
                         resident_id=resident_id, created_at=now)


def _row_to_message(row: Any) -> OutboxMessage:
    return OutboxMessage(id=row.id, channel=row.channel, address=row.address, body=row.body,
                         choices=list(row.choices) if row.choices else None,
                         priority=row.priority, attempts=row.attempts,
                         resident_id=row.resident_id, broadcast_id=row.broadcast_id,
                         created_at=row.created_at)


def _changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE and say how many rows it changed."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(cast(CursorResult[Any], result).rowcount)


def _short(error: str) -> str:
    return error if len(error) <= _ERROR_LIMIT else error[:_ERROR_LIMIT - 1] + "…"


class OutboxStore:
    """The outbox as the sender sees it. Every method is one short transaction."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock,
                 lease: timedelta = DEFAULT_LEASE) -> None:
        self.sessions = sessions
        self.clock = clock
        self.lease = lease

    # ------------------------------------------------------------------ claiming

    def claim_due(self, worker: str, limit: int, *, channels: Collection[str] | None = None,
                  max_priority: int | None = None) -> list[OutboxMessage]:
        """Claim up to `limit` due messages for `worker`, best first.

        Due: pending with next_attempt_at reached, or 'sending' under an expired lease.
        Order: priority (replies first), then next_attempt_at, then id.
        `channels` restricts to the channels this worker can send on; `max_priority`
        to the urgent ones (used when the worker's hands are full of bulk).
        """
        if limit <= 0:
            return []
        now = self.clock()
        due = or_(
            and_(Outbox.status == OutboxStatus.PENDING, Outbox.next_attempt_at <= now),
            and_(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_until < now),
        )
        conditions = [due]
        if channels is not None:
            conditions.append(Outbox.channel.in_(list(channels)))
        if max_priority is not None:
            conditions.append(Outbox.priority <= max_priority)
        pick = (select(Outbox.id).where(*conditions)
                .order_by(Outbox.priority, Outbox.next_attempt_at, Outbox.id)
                .limit(limit)
                .with_for_update(skip_locked=True))  # ignored on SQLite: BEGIN IMMEDIATE
        with self.sessions.begin() as session:
            ids = list(session.scalars(pick))
            if not ids:
                return []
            rows = session.execute(
                update(Outbox)
                .where(Outbox.id.in_(ids), due)
                .values(status=OutboxStatus.SENDING, claimed_by=worker,
                        claimed_until=now + self.lease)
                .returning(Outbox.id, Outbox.channel, Outbox.address, Outbox.body,
                           Outbox.choices, Outbox.priority, Outbox.attempts,
                           Outbox.resident_id, Outbox.broadcast_id, Outbox.next_attempt_at,
                           Outbox.created_at)
                .execution_options(synchronize_session=False)
            ).all()
        ordered = sorted(rows, key=lambda r: (r.priority, r.next_attempt_at, r.id))
        return [_row_to_message(r) for r in ordered]

    def renew_leases(self, worker: str) -> int:
        """Push the lease of every message `worker` holds to now + lease; returns how many."""
        statement = (update(Outbox)
                     .where(Outbox.claimed_by == worker, Outbox.status == OutboxStatus.SENDING)
                     .values(claimed_until=self.clock() + self.lease))
        with self.sessions.begin() as session:
            return _changed(session, statement)

    def claimants(self) -> list[str]:
        """The workers holding messages right now."""
        with self.sessions() as session:
            return sorted(session.scalars(
                select(Outbox.claimed_by).distinct()
                .where(Outbox.status == OutboxStatus.SENDING, Outbox.claimed_by.is_not(None))
            ).all())  # type: ignore[arg-type]

    def release_claims(self, worker: str) -> int:
        """Give back every message `worker` holds (graceful stop): pending again, as due."""
        statement = (update(Outbox)
                     .where(Outbox.claimed_by == worker, Outbox.status == OutboxStatus.SENDING)
                     .values(status=OutboxStatus.PENDING, claimed_by=None, claimed_until=None))
        with self.sessions.begin() as session:
            return _changed(session, statement)

    # ------------------------------------------------------------------ outcomes

    def mark_sent_many(self, sent: list[tuple[int, str | None]]) -> int:
        """The provider accepted these messages: one transaction for a batch of them."""
        if not sent:
            return 0
        statement = (update(Outbox)
                     .where(Outbox.id == bindparam("message_id"),
                            Outbox.status != OutboxStatus.SENT)
                     .values(status=OutboxStatus.SENT,
                             provider_message_id=bindparam("provider_id"),
                             sent_at=self.clock(), claimed_until=None))
        params = [{"message_id": m, "provider_id": p} for m, p in sent]
        with self.sessions.begin() as session:
            result = session.connection().execute(statement, params)
            return int(result.rowcount)

    def record_failed_attempt(self, message_id: int, worker: str, error: str) -> bool:
        """Count one failed attempt and keep the claim (the worker retries it itself)."""
        return self._update_claimed(message_id, worker, {
            "attempts": Outbox.attempts + 1, "last_error": _short(error)})

    def schedule_retry(self, message_id: int, worker: str, at: datetime, error: str,
                       count_attempt: bool = True) -> bool:
        """Release the message to be tried again at `at` by any worker."""
        values: dict[str, Any] = {"status": OutboxStatus.PENDING, "next_attempt_at": at,
                                  "last_error": _short(error), "claimed_by": None,
                                  "claimed_until": None}
        if count_attempt:
            values["attempts"] = Outbox.attempts + 1
        return self._update_claimed(message_id, worker, values)

    def mark_failed(self, message_id: int, worker: str, reason: str,
                    count_attempt: bool = True) -> bool:
        """Give up on the message and record why."""
        values: dict[str, Any] = {"status": OutboxStatus.FAILED, "last_error": _short(reason),
                                  "claimed_until": None}
        if count_attempt:
            values["attempts"] = Outbox.attempts + 1
        return self._update_claimed(message_id, worker, values)

    def _update_claimed(self, message_id: int, worker: str, values: dict[str, Any]) -> bool:
        """Change a message only while `worker` still holds it (the fence)."""
        statement = (update(Outbox)
                     .where(Outbox.id == message_id, Outbox.claimed_by == worker,
                            Outbox.status == OutboxStatus.SENDING)
                     .values(**values))
        with self.sessions.begin() as session:
            return _changed(session, statement) == 1

    def mark_recipient_gone(self, channel: str, address: str, reason: str) -> int:
        """The provider says this recipient is gone (blocked the bot, opted out).

        Sets the resident's opted_out_at (if there is a resident for the address) and
        fails every undelivered message to the address, whoever holds it. Returns the
        number of messages failed.
        """
        opt_out = (update(Resident)
                   .where(Resident.channel == channel, Resident.address == address,
                          Resident.opted_out_at.is_(None))
                   .values(opted_out_at=self.clock()))
        fail = (update(Outbox)
                .where(Outbox.channel == channel, Outbox.address == address,
                       Outbox.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))
                .values(status=OutboxStatus.FAILED, last_error=_short(reason),
                        claimed_until=None))
        with self.sessions.begin() as session:
            _changed(session, opt_out)
            return _changed(session, fail)

    def mark_resident_opted_out(self, resident_id: int, reason: str) -> int:
        """As mark_recipient_gone, for a resident known by id."""
        with self.sessions() as session:
            resident = session.get(Resident, resident_id)
            if resident is None:
                return 0
            channel, address = resident.channel, resident.address
        return self.mark_recipient_gone(channel, address, reason)

    # ------------------------------------------------------------------ reading

    def cancelled_among(self, message_ids: Collection[int]) -> set[int]:
        """Which of these messages were cancelled meanwhile (a broadcast stopped by staff,
        storage.broadcasts.cancel): a sender holding them must not send them."""
        if not message_ids:
            return set()
        with self.sessions() as session:
            return set(session.scalars(select(Outbox.id).where(
                Outbox.id.in_(list(message_ids)), Outbox.status == OutboxStatus.CANCELLED)))

    def backlog(self) -> Backlog:
        with self.sessions() as session:
            return backlog(session, self.clock())


def backlog(session: Session, now: datetime) -> Backlog:
    """Counts by status and the age of the oldest undelivered message."""
    counts = dict(session.execute(
        select(Outbox.status, func.count()).group_by(Outbox.status)).tuples().all())
    oldest = session.scalar(select(func.min(Outbox.created_at)).where(
        Outbox.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])))
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return Backlog(pending=counts.get(OutboxStatus.PENDING, 0),
                   sending=counts.get(OutboxStatus.SENDING, 0),
                   failed=counts.get(OutboxStatus.FAILED, 0),
                   oldest_pending_seconds=age)

