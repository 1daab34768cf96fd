"""Reminders fire once from timer rows, at the right local time; the purge forgets."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from bot.config import Settings
from bot.jobs import Purged, purge, schedule_jobs, sweep_reminders
from bot.metrics import Metrics
from bot.wiring import conversation_engine
from storage.clock import system_clock
from storage.db import make_engine, make_sessionmaker
from storage.models import Conversation, Inbound, Outbox, Priority, Timer
from tests.auxil.world import World, local

THU = date(2026, 12, 3)


@pytest.fixture
def world(sessions):
    w = World(sessions)
    w.coach()
    return w


def book_thursday_nine(world, person):
    person.up_to_topic(world.cheque(), "9100 Kerkstraat 12")
    person.say("2")
    assert "donderdag 3 december van 09:00" in person.say("donderdag om 9u")
    assert "Gelukt" in person.say("ja")


def reminders(world):
    with world.sessions() as s:
        return list(s.scalars(select(Outbox).where(Outbox.priority == Priority.REMINDER)
                              .order_by(Outbox.id)))


def timers(world):
    with world.sessions() as s:
        return [(t.kind, t.due_at, t.status) for t in s.scalars(select(Timer).order_by(Timer.id))]


def test_reminders_are_due_a_day_before_and_after_quiet_hours(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    # 2 h before 09:00 is 07:00, inside quiet hours (21:00-08:00): moved to 08:00.
    assert timers(world) == [("reminder.day_before", local(date(2026, 12, 2), 9), "pending"),
                             ("reminder.soon", local(THU, 8), "pending")]


def test_sweep_sends_each_reminder_once(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    assert sweep_reminders(world.engine) == 0
    world.clock.set(local(date(2026, 12, 2), 9, 1))
    assert sweep_reminders(world.engine) == 1
    assert sweep_reminders(world.engine) == 0
    [message] = reminders(world)
    assert message.body.startswith("Herinnering: morgen, donderdag 3 december om 09:00")
    assert message.address == ann.address and message.channel == "sms"
    world.clock.set(local(THU, 8))
    assert sweep_reminders(world.engine) == 1
    assert "vandaag om 09:00" in reminders(world)[-1].body


def test_after_downtime_only_the_latest_reminder_goes_out(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    world.clock.set(local(THU, 8, 30))
    assert sweep_reminders(world.engine) == 1
    [message] = reminders(world)
    assert "vandaag" in message.body
    assert [t[2] for t in timers(world)] == ["expired", "fired"]


def test_a_day_before_reminder_is_not_sent_on_the_day_itself(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque(), "9100 Kerkstraat 12")
    ann.say("2")
    ann.say("donderdag 15u")
    assert "Gelukt" in ann.say("ja")
    world.clock.set(local(THU, 0, 30))     # down from Wednesday 14:00 until after midnight
    assert sweep_reminders(world.engine) == 0
    world.clock.set(local(THU, 13, 0))
    assert sweep_reminders(world.engine) == 1
    assert "vandaag om 15:00" in reminders(world)[0].body


def test_never_after_the_visit(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    world.clock.set(local(THU, 9, 5))
    assert sweep_reminders(world.engine) == 0
    assert reminders(world) == []


def test_moving_replaces_the_reminders(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    ann.say("menu")
    ann.say("2")
    ann.say("vrijdag 13u")
    ann.say("1")
    [booking] = world.bookings()
    assert world.slot_at(local(date(2026, 12, 4), 13)).id == booking.slot_id
    pending = [t for t in timers(world) if t[2] == "pending"]
    assert pending == [("reminder.day_before", local(THU, 13), "pending"),
                       ("reminder.soon", local(date(2026, 12, 4), 11), "pending")]
    world.clock.set(local(date(2026, 12, 2), 9, 1))
    assert sweep_reminders(world.engine) == 0      # the old Thursday reminder is gone


def test_cancelled_or_opted_out_get_no_reminder(world):
    ann, bob = world.resident("+32470000001"), world.resident("+32470000002")
    book_thursday_nine(world, ann)
    bob.up_to_topic(world.cheque(seed=2), "9100 Markt 1")
    bob.say("1")
    bob.say("donderdag 13u")
    bob.say("1")
    bob.say("stop")
    bob.say("1")
    ann.say("menu")
    ann.say("3")
    ann.say("1")
    world.clock.set(local(date(2026, 12, 2), 13, 1))
    assert sweep_reminders(world.engine) == 0


def test_two_sweepers_fire_each_timer_once(sessions):
    world = World(sessions)
    world.coach(capacity=6)
    for i in range(6):
        person = world.resident(f"+3247000000{i}")
        person.up_to_topic(world.cheque(seed=i + 1), "9100 Markt 1")
        person.say("1")
        person.say("donderdag 13u")
        assert "Gelukt" in person.say("1")
    assert len(world.bookings()) == 6
    world.clock.set(local(date(2026, 12, 2), 13, 1))
    counts = []
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        counts.append(sweep_reminders(world.engine))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == len(reminders(world)) == 6


def test_purge_erases_old_addresses_and_messages(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    with world.sessions.begin() as s:
        first = s.scalars(select(Outbox).order_by(Outbox.id)).first()
        first.status = "sent"
    world.clock.set(local(THU, 9) + timedelta(days=20))
    assert purge(world.sessions, Settings(), world.clock()) == Purged(0, 0, 0, 0, 0)
    world.clock.set(local(THU, 9) + timedelta(days=91))
    result = purge(world.sessions, Settings(), world.clock())
    [booking] = world.bookings()
    assert (booking.street, booking.phone, booking.postcode, booking.topic) == \
        ("", "", "9100", "computer")
    assert (result.addresses_erased, result.conversations, result.messages) == (1, 1, 1)
    with world.sessions() as s:
        remaining = s.scalars(select(Outbox)).all()
        assert remaining and all(m.status == "pending" for m in remaining)  # unsent stay
        assert s.scalars(select(Inbound)).all() == []
        assert s.scalars(select(Conversation)).all() == []
    assert purge(world.sessions, Settings(), world.clock()).addresses_erased == 0


def test_a_failing_job_is_one_log_line_with_its_name(caplog):
    """A sweep fails every 30 seconds while the database is away: one line each time,
    naming the job, not APScheduler's traceback (run through APScheduler itself)."""
    caplog.set_level(logging.INFO)
    away = make_engine("sqlite:////nonexistent-dir/for/sure/digicheque.db")
    settings = Settings()
    engine = conversation_engine(settings, make_sessionmaker(away), system_clock)
    metrics = Metrics()
    scheduler = BackgroundScheduler(timezone=timezone.utc)
    schedule_jobs(scheduler, engine, settings, system_clock, metrics)
    finished: list[str] = []
    both = threading.Event()

    def count(event) -> None:
        finished.append(event.job_id)
        if len(finished) == 2:
            both.set()

    scheduler.add_listener(count, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    try:
        scheduler.modify_job("purge", next_run_time=datetime.now(timezone.utc))
        assert both.wait(timeout=20), finished
    finally:
        scheduler.shutdown(wait=True)
        away.dispose()

    errors = sorted(r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR)
    assert errors == [
        "job privacy purge failed (OperationalError); it runs again at its next turn",
        "job reminder sweep failed (OperationalError); it runs again at its next turn",
    ]
    assert [r for r in caplog.records if r.exc_info] == []
    assert metrics.job_failures.value(job="reminder sweep") == 1
    assert metrics.job_failures.value(job="privacy purge") == 1
