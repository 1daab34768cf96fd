"""Periodic jobs: the reminder sweep, closing unanswered follow-ups, scheduled broadcasts,
the privacy purge.

`JOBS` lists them (name, interval, what to run); the scheduler and `digicheque jobs
run-once` both read that list.

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
from typing import Any, NamedTuple, cast

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import CursorResult, Executable, delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.failures import describe
from bot.metrics import Metrics
from conversations.after_visit import followup_say, reminder_say
from conversations.engine import Engine
from conversations.step import BookingView, Say, SlotView
from storage import broadcasts, stats
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
from storage.bookings import FOLLOWUP, assume_done
from storage.timers import booking_for, claim_due, unfire

log = logging.getLogger(__name__)

SWEEP_EVERY = timedelta(seconds=30)
CLOSE_EVERY = timedelta(hours=1)
BROADCASTS_EVERY = timedelta(minutes=1)   # a broadcast set for 10:00 goes out by 10:01
PURGE_EVERY = timedelta(hours=6)
ERASED = ""


def sweep_reminders(engine: Engine, limit: int = 500, now: datetime | None = None) -> int:
    """Turn due reminder and follow-up timers into outbox messages, in one transaction;
    returns how many.

    Each message asks something the resident can answer (a reminder: I'll be there, move,
    call it off; the follow-up: did the coach come?). The fired timer row is the record
    that we asked; the engine reads the answer against it (Context.open_question), so
    the sweep touches no conversation. It locks only timer rows (claim_due): never the
    resident nor the booking, which the engine locks in that order before the timers; a
    sweep that waited for them could deadlock with it on PostgreSQL.
    """
    now = engine.clock() if now is None else now
    sent = 0
    with engine.sessions.begin() as session:
        for timer in claim_due(session, now, limit):
            booking = booking_for(session, timer)
            if booking is None or booking.resident.opted_out_at is not None:
                unfire(timer)   # nothing was asked: no answer is read against it
                continue
            view = BookingView(booking.id, SlotView(booking.slot_id, booking.slot.starts_at,
                                                    booking.slot.ends_at),
                               booking.postcode, booking.street, booking.phone,
                               booking.topic, booking.topic_text, booking.cheque_id)
            say: Say = followup_say(view) if timer.kind == FOLLOWUP \
                else reminder_say(timer.kind, view, engine.rules, now)
            engine.write_outbox(session, booking.resident, (say,), now, Priority.REMINDER)
            sent += 1
    if sent:
        log.info("reminders: %d queued", sent)
        if engine.delivery is not None:
            engine.delivery.wake()
    return sent


def close_followups(engine: Engine, now: datetime) -> int:
    """Visits still booked whose follow-up went unanswered for [reminders] followup_wait
    after they ended count as done (`auto`; staff can still say otherwise)."""
    with engine.sessions.begin() as session:
        closed = assume_done(session, now - engine.rules.followup_wait, now)
    if closed:
        log.info("follow-up close: %d visits assumed done", closed)
    return closed


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
    - sent or failed messages (and a cancelled broadcast's unsent ones), handled
      message ids and finished timers older than `keep_messages`; a broadcast keeps
      the counts of its deleted messages, and reminders are counted per day first
      (the funder's figures).
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
        messages = broadcasts.forget_messages(session, messages_before) \
            + stats.keep_reminder_counts(session, messages_before, settings.tz) + count(
            delete(Outbox).where(Outbox.status.in_([OutboxStatus.SENT, OutboxStatus.FAILED]),
                                 Outbox.created_at < messages_before))
        ids = count(delete(Inbound).where(Inbound.received_at < messages_before))
        timers = count(
            delete(Timer).where(Timer.status != TimerStatus.PENDING,
                                Timer.due_at < messages_before))
    result = Purged(erased, conversations, messages, ids, timers)
    log.info("purge: %s", result)
    return result


class Job(NamedTuple):
    """A periodic job: `run(engine, settings, now)` does one turn and says what it did."""

    id: str          # the scheduler's job id
    name: str        # in logs, metrics and `digicheque jobs run-once`
    every: timedelta
    run: Callable[[Engine, Settings, datetime], str]
    first_now: bool  # also run at start-up, not only after the first interval


def _sweep(engine: Engine, settings: Settings, now: datetime) -> str:
    return f"{sweep_reminders(engine, now=now)} queued"


def _close(engine: Engine, settings: Settings, now: datetime) -> str:
    return f"{close_followups(engine, now)} visits assumed done"


def _purge(engine: Engine, settings: Settings, now: datetime) -> str:
    done = purge(engine.sessions, settings, now)
    return (f"{done.addresses_erased} addresses erased, {done.conversations} conversations, "
            f"{done.messages} messages, {done.message_ids} message ids, {done.timers} timers "
            "deleted")


def _broadcasts(engine: Engine, settings: Settings, now: datetime) -> str:
    wake = engine.delivery.wake if engine.delivery is not None else None
    return broadcasts.fire_scheduled(engine.sessions, now, settings.tz, wake)


# Every periodic job, in the order `run-once` runs them. Add a job by adding a line.
JOBS: list[Job] = [
    Job("reminders", "reminder sweep", SWEEP_EVERY, _sweep, True),
    Job("followups", "follow-up close", CLOSE_EVERY, _close, False),
    Job("purge", "privacy purge", PURGE_EVERY, _purge, False),
    Job("broadcasts", "scheduled broadcasts", BROADCASTS_EVERY, _broadcasts, True),
]


def run_once(engine: Engine, settings: Settings, now: datetime,
             jobs: list[Job] | None = None) -> list[tuple[str, str]]:
    """Each job one time, in order: (name, what it did)."""
    return [(job.name, job.run(engine, settings, now)) for job in (jobs or JOBS)]


def schedule_jobs(scheduler: BaseScheduler, engine: Engine, settings: Settings,
                  clock: Clock, metrics: Metrics | None = None) -> None:
    """Register the jobs of JOBS. Jobs run in the scheduler's thread pool, off the event
    loop.

    coalesce + no misfire limit: after downtime a job runs once, not never and not
    once per missed interval; max_instances=1 keeps one run at a time per process.
    """
    counters = metrics or Metrics()
    common: dict[str, Any] = {"coalesce": True, "misfire_grace_time": None,
                              "max_instances": 1}
    for job in JOBS:
        def turn(job: Job = job) -> None:
            job.run(engine, settings, clock())

        first = {"next_run_time": clock()} if job.first_now else {}
        scheduler.add_job(guarded(job.name, turn, counters), "interval", id=job.id,
                          name=job.name, seconds=job.every.total_seconds(), **first,
                          **common)


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
