"""Periodic jobs: the reminder sweep and the privacy purge.

APScheduler only says *when* to sweep; *what* is due lives in our own timer rows (G5),
so a restart, a second worker or an hour of downtime loses nothing: the next sweep
claims whatever fell due meanwhile (CONTEXT.md: APScheduler 3's job stores and its
1-second misfire grace are not to be trusted with reminders).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import CursorResult, Executable, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.failures import describe
from bot.metrics import Metrics
from conversations.engine import Engine
from conversations.step import Say
from storage.clock import Clock
from storage.models import (
    Booking,
    Conversation,
    Inbound,
    Outbox,
    OutboxStatus,
    Priority,
    Slot,
    Timer,
    TimerStatus,
)
from storage.timers import booking_for, claim_due

log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(seconds=30)
PURGE_EVERY = timedelta(hours=6)
ERASED = ""


def sweep_reminders(engine: Engine, limit: int = 500) -> int:
    """Turn due reminder timers into outbox messages, in one transaction; returns how many."""
    now = engine.clock()
    sent = 0
    with engine.sessions.begin() as session:
        for timer in claim_due(session, now, limit):
            booking = booking_for(session, timer)
            if booking is None or booking.resident.opted_out_at is not None:
                continue
            say = Say(timer.kind, {"start": booking.slot.starts_at,
                                   "end": booking.slot.ends_at})
            engine.write_outbox(session, booking.resident, (say,), now, Priority.REMINDER)
            sent += 1
    if sent:
        log.info("reminders: %d queued", sent)
        if engine.delivery is not None:
            engine.delivery.wake()
    return sent


@dataclass(frozen=True)
class Purged:
    addresses_erased: int
    conversations: int
    messages: int
    message_ids: int
    timers: int


def purge(sessions: sessionmaker[Session], settings: Settings, now: datetime) -> Purged:
    """Delete or erase personal data that is no longer needed (the privacy promise).

    - street and phone of visits that ended more than `keep_personal_data` ago (the
      booking itself stays, without them, for the funder's numbers);
    - conversations silent longer than `forget_after` (their data holds answers);
    - sent or failed messages, handled message ids and finished timers older than
      `keep_messages`.
    """
    privacy = settings.privacy
    visits_before = now - privacy.keep_personal_data
    messages_before = now - privacy.keep_messages
    with sessions.begin() as session:
        def count(statement: Executable) -> int:
            return cast(CursorResult[Any], session.execute(statement)).rowcount

        ended = select(Slot.id).where(Slot.ends_at < visits_before)
        erased = count(
            update(Booking).where(Booking.slot_id.in_(ended),
                                  or_(Booking.street != ERASED, Booking.phone != ERASED))
            .values(street=ERASED, phone=ERASED, topic_text=None))
        conversations = count(
            delete(Conversation).where(Conversation.expires_at < now,
                                       Conversation.state != "stopped"))
        messages = count(
            delete(Outbox).where(Outbox.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
                                 Outbox.created_at < messages_before))
        ids = count(delete(Inbound).where(Inbound.received_at < messages_before))
        timers = count(
            delete(Timer).where(Timer.status != TimerStatus.PENDING,
                                Timer.due_at < messages_before))
    result = Purged(erased, conversations, messages, ids, timers)
    log.info("purge: %s", result)
    return result


def schedule_jobs(scheduler: BaseScheduler, engine: Engine, settings: Settings,
                  clock: Clock, metrics: Metrics | None = None) -> None:
    """Register the sweeps. Jobs run in the scheduler's thread pool, off the event loop.

    coalesce + no misfire limit: after downtime a job runs once, not never and not
    once per missed interval; max_instances=1 keeps one sweep at a time per process.
    """
    counters = metrics or Metrics()
    common = {"coalesce": True, "misfire_grace_time": None, "max_instances": 1}

    def sweep_now() -> None:
        sweep_reminders(engine)

    def purge_now() -> None:
        purge(engine.sessions, settings, clock())

    scheduler.add_job(guarded("reminder sweep", sweep_now, counters), "interval",
                      id="reminders", name="reminder sweep",
                      seconds=SWEEP_EVERY.total_seconds(), next_run_time=clock(), **common)
    scheduler.add_job(guarded("privacy purge", purge_now, counters), "interval", id="purge",
                      name="privacy purge", seconds=PURGE_EVERY.total_seconds(), **common)


def guarded(name: str, job: Callable[[], None], metrics: Metrics) -> Callable[[], None]:
    """The job, failing in one log line with its name instead of APScheduler's traceback.

    A sweep that fails (the database is away, say) fails again every 30 seconds until it
    is back; a traceback each time buries everything else in the log. The line names the
    error's class only (bot.failures.describe: a driver's message carries personal data),
    and the failure is counted (job_failures). The next turn simply tries again: what
    is due stays in the timer rows (G5).
    """
    def run() -> None:
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - logged in one line, retried next turn
            metrics.job_failures.inc(job=name)
            log.error("job %s failed (%s); it runs again at its next turn", name,
                      describe(exc))

    return run
