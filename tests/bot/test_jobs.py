"""Reminders fire once from timer rows, at the right local time; the purge forgets."""

from __future__ import annotations

import logging
import threading
from datetime import date, datetime, time, timedelta, timezone

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from bot.config import Settings
from bot.jobs import JOBS, Purged, purge, schedule_jobs, sweep_reminders
from bot.metrics import Metrics
from bot.wiring import conversation_engine
from storage.clock import SettableClock, system_clock
from storage.db import make_engine, make_sessionmaker
from storage.models import Conversation, Inbound, Outbox, Priority, Resident, Timer
from tests.auxil.threads import at_once
from tests.auxil.world import BRUSSELS, World, local
from tests.auxil.world import rules as world_rules

THU, FRI = date(2026, 12, 3), date(2026, 12, 4)


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
    # The follow-up asks the day after at [reminders] followup_at (10:00).
    assert timers(world) == [("reminder.day_before", local(date(2026, 12, 2), 9), "pending"),
                             ("reminder.soon", local(THU, 8), "pending"),
                             ("followup", local(FRI, 10), "pending")]


def test_sweep_sends_each_reminder_once(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    assert sweep_reminders(world.engine) == 0
    world.clock.set(local(date(2026, 12, 2), 9, 1))
    assert sweep_reminders(world.engine) == 1
    assert sweep_reminders(world.engine) == 0
    [message] = reminders(world)
    assert message.body.startswith("Herinnering: morgen, donderdag 3 december, van 09:00 "
                                   "tot 10:30")
    assert message.address == ann.address and message.channel == "sms"
    world.clock.set(local(THU, 8))
    assert sweep_reminders(world.engine) == 1
    assert "vandaag, donderdag 3 december, van 09:00" in reminders(world)[-1].body


def test_after_downtime_only_the_latest_reminder_goes_out(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    world.clock.set(local(THU, 8, 30))
    assert sweep_reminders(world.engine) == 1
    [message] = reminders(world)
    assert "vandaag" in message.body
    assert [t[2] for t in timers(world)] == ["expired", "fired", "pending"]


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
    assert "van 15:00 tot 16:30" in reminders(world)[0].body


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
                       ("reminder.soon", local(date(2026, 12, 4), 11), "pending"),
                       ("followup", local(date(2026, 12, 5), 10), "pending")]
    world.clock.set(local(date(2026, 12, 2), 9, 1))
    assert sweep_reminders(world.engine) == 0      # the old Thursday reminder is gone
    world.clock.set(local(THU, 8, 30))
    assert sweep_reminders(world.engine) == 0      # nor the old "today" one
    world.clock.set(local(THU, 13, 1))
    assert sweep_reminders(world.engine) == 1      # the new ones do
    assert "morgen, vrijdag 4 december, van 13:00" in reminders(world)[-1].body
    world.clock.set(local(FRI, 11))
    assert sweep_reminders(world.engine) == 1
    assert "vandaag, vrijdag 4 december, van 13:00" in reminders(world)[-1].body
    world.clock.set(local(FRI, 10, 1))
    assert sweep_reminders(world.engine) == 0      # no follow-up for the Thursday visit


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
    world.clock.set(local(date(2026, 12, 7), 12))     # nor a follow-up, days later
    assert sweep_reminders(world.engine) == 0
    assert reminders(world) == []


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
    counts = at_once(lambda _: sweep_reminders(world.engine), 2)
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


def test_purge_deletes_a_broadcasts_old_messages_and_keeps_its_counts(world):
    from storage import broadcasts
    for number in ("+32470000001", "+32470000002", "+32470000003"):
        world.resident(number).say("hallo")
    with world.sessions.begin() as s:
        bid = broadcasts.create(s, texts={"nl": "Gesloten op 24 december."},
                                audience=broadcasts.Audience("all"), now=world.clock()).id
        broadcasts.send(s, bid, world.clock())
        first = s.scalars(select(Outbox).where(Outbox.broadcast_id == bid)).first()
        first.status = "sent"
    with world.sessions.begin() as s:
        broadcasts.cancel(s, bid, world.clock())
    world.clock.advance(days=31)
    assert purge(world.sessions, Settings(), world.clock()).messages >= 3
    with world.sessions() as s:
        assert s.scalars(select(Outbox).where(Outbox.broadcast_id == bid)).all() == []
        progress = broadcasts.status(s, bid)
    assert (progress.sent, progress.cancelled, progress.pending) == (1, 2, 0)


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
        if len(finished) == 3:   # the two that start at once, and the purge made due
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
        "job scheduled broadcasts failed (OperationalError); it runs again at its next turn",
    ]
    assert [r for r in caplog.records if r.exc_info] == []
    assert metrics.job_failures.value(job="reminder sweep") == 1
    assert metrics.job_failures.value(job="privacy purge") == 1


# ---------------------------------------------------------------------------- issue 11

UTC = timezone.utc


@pytest.mark.parametrize("first, visit_words, visit_day, expected", [
    # Summer time starts Sunday 28 March 2027 at 02:00: the reminder the day before a
    # Sunday 09:00 visit is at 09:00 on Saturday, still winter time (08:00 UTC, not
    # 07:00 as 24 hours back would give); the follow-up Monday 10:00 is summer time.
    (date(2027, 3, 22), "zondag 28 maart om 9u", date(2027, 3, 28),
     {"reminder.day_before": datetime(2027, 3, 27, 8, 0, tzinfo=UTC),
      "reminder.soon": datetime(2027, 3, 28, 6, 0, tzinfo=UTC),      # 08:00, after quiet
      "followup": datetime(2027, 3, 29, 8, 0, tzinfo=UTC)}),
    # Winter time comes back Sunday 31 October 2027 at 03:00.
    (date(2027, 10, 25), "zondag 31 oktober om 9u", date(2027, 10, 31),
     {"reminder.day_before": datetime(2027, 10, 30, 7, 0, tzinfo=UTC),
      "reminder.soon": datetime(2027, 10, 31, 7, 0, tzinfo=UTC),
      "followup": datetime(2027, 11, 1, 9, 0, tzinfo=UTC)}),
])
def test_reminders_across_the_daylight_saving_weekends(sessions, first, visit_words,
                                                       visit_day, expected):
    world = World(sessions, clock=SettableClock(local(first, 9)))
    world.coach(weekly="mon-sun 09:00-12:00", first=first + timedelta(days=1),
                last=first + timedelta(days=14))
    ann = world.resident()
    ann.up_to_topic(world.cheque(), "9100 Kerkstraat 12")
    ann.say("2")
    ann.say(visit_words)
    assert "Gelukt" in ann.say("ja")
    assert {kind: due for kind, due, _ in timers(world)} == expected
    for kind, due in expected.items():
        local_due = due.astimezone(BRUSSELS)
        assert (local_due.hour, local_due.minute) == \
            {"reminder.day_before": (9, 0), "reminder.soon": (8, 0), "followup": (10, 0)}[kind]
    day_before = expected["reminder.day_before"]
    world.clock.set(day_before - timedelta(minutes=1))
    assert sweep_reminders(world.engine) == 0
    world.clock.set(day_before)
    assert sweep_reminders(world.engine) == 1
    words = "28 maart" if visit_day.month == 3 else "31 oktober"
    assert reminders(world)[-1].body.startswith(
        f"Herinnering: morgen, zondag {words}, van 09:00 tot 10:30")


def test_the_follow_up_waits_for_the_end_of_quiet_hours(sessions):
    world = World(sessions, rules=world_rules(followup_at=time(6, 30)))
    world.coach()
    book_thursday_nine(world, world.resident())
    assert [due for kind, due, _ in timers(world) if kind == "followup"] == [local(FRI, 8)]


def test_after_downtime_past_the_visit_only_the_follow_up_goes_out(world):
    ann = world.resident()
    book_thursday_nine(world, ann)
    world.clock.set(local(FRI, 11))      # down from Tuesday until Friday late morning
    assert sweep_reminders(world.engine) == 1
    [message] = reminders(world)
    assert message.body.startswith("Is de coach bij u geweest op donderdag 3 december?")
    assert [(kind, status) for kind, _, status in timers(world)] == [
        ("reminder.day_before", "expired"), ("reminder.soon", "expired"),
        ("followup", "fired")]


@pytest.mark.parametrize("language, text, options", [
    ("nl", "Herinnering: morgen, donderdag 3 december, van 09:00 tot 10:30 komt de digitale "
           "coach bij u: Kerkstraat 12, 9100. Bent u er?",
     "1 Ik ben er\n2 Verzetten\n3 Annuleren"),
    ("fr", "Rappel: demain, jeudi 3 décembre, de 09:00 à 10:30, le coach numérique vient "
           "chez vous: Kerkstraat 12, 9100. Serez-vous là?",
     "1 Je serai là\n2 Changer la date\n3 Annuler"),
    ("en", "Reminder: tomorrow, Thursday 3 December, from 09:00 to 10:30, the digital coach "
           "visits you: Kerkstraat 12, 9100. Will you be there?",
     "1 I'll be there\n2 Move it\n3 Call it off"),
])
def test_the_reminder_names_day_window_address_and_what_to_answer(world, language, text,
                                                                  options):
    ann = world.resident()
    book_thursday_nine(world, ann)
    with world.sessions.begin() as s:
        s.scalars(select(Resident).where(Resident.address == ann.address)).one() \
            .language = language
    world.clock.set(local(date(2026, 12, 2), 9, 1))
    assert sweep_reminders(world.engine) == 1
    [message] = reminders(world)
    assert message.body == f"{text}\n{options}"
    assert "CANCEL" not in message.body.upper() and "STOP" not in message.body.upper()


def test_on_telegram_the_reminder_has_buttons(world):
    bea = world.resident("7001", channel="telegram")
    for text in ("hallo", world.cheque(), "9100 Kerkstraat 12", "0470 12 34 56", "2",
                 "donderdag om 9u"):
        bea.say(text)
    assert "Gelukt" in bea.say("Ja, boek het")
    world.clock.set(local(date(2026, 12, 2), 9, 1))
    assert sweep_reminders(world.engine) == 1
    [message] = reminders(world)
    assert message.choices == ["Ik ben er", "Verzetten", "Annuleren"]
    assert message.body.endswith("Bent u er?")
    assert bea.say("Ik ben er").startswith("Dank u!")
    [booking] = world.bookings()
    assert booking.confirmed_at == local(date(2026, 12, 2), 9, 1)


def test_the_scheduler_runs_the_jobs_of_the_registry(world):
    scheduler = BackgroundScheduler(timezone=timezone.utc)
    schedule_jobs(scheduler, world.engine, Settings(), world.clock)
    assert sorted((j.id, j.name, j.trigger.interval) for j in scheduler.get_jobs()) == \
        sorted((j.id, j.name, j.every) for j in JOBS)
    assert [j.name for j in JOBS][:3] == ["reminder sweep", "follow-up close", "privacy purge"]


def test_run_once_through_the_command_line(world, run):
    ann = world.resident()
    book_thursday_nine(world, ann)

    def run_once(moment: str) -> dict[str, str]:
        result = run("jobs", "run-once", "--now", moment)
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert [line.split(": ", 1)[0] for line in lines] == [j.name for j in JOBS]
        return dict(line.split(": ", 1) for line in lines)   # type: ignore[misc]

    done = run_once("2026-12-02T09:01")
    assert done["reminder sweep"] == "1 queued"
    assert done["follow-up close"] == "0 visits assumed done"
    assert done["privacy purge"] == ("0 addresses erased, 0 conversations, 0 messages, "
                                     "0 message ids, 0 timers deleted")
    assert run_once("2026-12-02T09:02")["reminder sweep"] == "0 queued"
    # Sunday 11:00: the follow-up went unanswered (the sweep was down): it goes out now,
    # and the visit, ended more than three days ago, counts as done.
    done = run_once("2026-12-06T11:00")
    assert (done["reminder sweep"], done["follow-up close"]) == \
        ("1 queued", "1 visits assumed done")
    [booking] = world.bookings()
    assert (booking.status, booking.outcome_by) == ("done", "auto")
    bodies = [m.body for m in reminders(world)]
    assert bodies[0].startswith("Herinnering: morgen") and \
        bodies[1].startswith("Is de coach bij u geweest")


def test_run_once_help(run):
    result = run("jobs", "run-once", "--help")
    assert result.exit_code == 0
    assert "reminder sweep" in result.output and "--now" in result.output
