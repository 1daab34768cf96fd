"""Four workers sweep the same due reminders at the same moment: each goes out once (G5).

Each worker has its own database engine, connection pool, session maker and conversation
engine, like four `digicheque run` processes against one database. On PostgreSQL the
claim is `FOR UPDATE SKIP LOCKED`; on SQLite the sweep's write transaction excludes the
others. In the last test each worker also runs the real outbox sender against the fake
Bot API, and the fake counts what arrived.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.telegram import TelegramSender, make_bot
from bot.config import TelegramSettings
from bot.jobs import sweep_reminders
from bot.sender import RateLimits, RetryPolicy, Sender
from conversations.engine import Engine
from storage.clock import SettableClock
from storage.db import make_engine, make_sessionmaker
from storage.models import (
    Booking,
    BookingStatus,
    Cheque,
    Coach,
    Outbox,
    OutboxStatus,
    Priority,
    Resident,
    Slot,
    Timer,
    TimerStatus,
)
from storage.outbox import OutboxStore
from tests.auxil.fake_telegram import TOKEN, FakeTelegram
from tests.auxil.threads import at_once
from tests.auxil.world import local, rules

WORKERS = 4
RESIDENTS = 300
WED, THU = date(2026, 12, 2), date(2026, 12, 3)
NOW = local(WED, 13, 1)
LOOSE = RateLimits(global_rate=1000, global_burst=100, chat_rate=100, chat_burst=10)


def due_reminders(sessions: sessionmaker[Session], channel: str = "sms") -> None:
    """RESIDENTS visits on Thursday 13:00, each with its day-before reminder due."""
    start = local(THU, 13)
    with sessions.begin() as s:
        coach = Coach(name="An", postcodes="", active=True)
        s.add(coach)
        s.flush()
        slot = Slot(coach_id=coach.id, starts_at=start, ends_at=start + timedelta(minutes=90),
                    capacity=RESIDENTS, booked=RESIDENTS)
        s.add(slot)
        s.flush()
        for i in range(RESIDENTS):
            address = f"+3247{i:07d}" if channel == "sms" else str(50_000 + i)
            resident = Resident(channel=channel, address=address, language="nl",
                                created_at=NOW - timedelta(days=2))
            cheque = Cheque(code=f"T{i:08d}", visits=1, visits_used=1, status="used",
                            created_at=NOW - timedelta(days=2))
            s.add_all([resident, cheque])
            s.flush()
            booking = Booking(resident_id=resident.id, cheque_id=cheque.id, slot_id=slot.id,
                              postcode="9100", street=f"Markt {i + 1}", phone="+32470111222",
                              topic="email", topic_text=None, status=BookingStatus.BOOKED,
                              created_at=NOW - timedelta(days=2),
                              updated_at=NOW - timedelta(days=2))
            s.add(booking)
            s.flush()
            s.add(Timer(kind="reminder.day_before", booking_id=booking.id,
                        resident_id=resident.id, due_at=local(WED, 13) - timedelta(seconds=i),
                        not_after=local(THU, 0), status=TimerStatus.PENDING))


def in_threads(work) -> list[object]:
    """Run work(i) in WORKERS threads that start together; their results, or raise."""
    return at_once(work, WORKERS)


def assert_each_reminder_queued_once(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        per_resident = s.execute(
            select(Outbox.resident_id, func.count()).where(Outbox.priority == Priority.REMINDER)
            .group_by(Outbox.resident_id)).all()
        assert len(per_resident) == RESIDENTS
        assert {count for _, count in per_resident} == {1}
        statuses = s.scalars(select(Timer.status)).all()
        assert statuses.count(TimerStatus.FIRED) == RESIDENTS


@pytest.mark.parametrize("batch", [500, 20])
def test_four_sweepers_queue_each_reminder_exactly_once(db_url, sessions, batch):
    due_reminders(sessions)
    clock = SettableClock(NOW)

    def sweep(_: int) -> int:
        db = make_engine(db_url)
        try:
            engine = Engine(make_sessionmaker(db), rules(), clock)
            total = 0
            while (queued := sweep_reminders(engine, limit=batch)) > 0:
                total += queued
            return total
        finally:
            db.dispose()

    counts = in_threads(sweep)
    assert sum(counts) == RESIDENTS   # type: ignore[arg-type]
    assert_each_reminder_queued_once(sessions)
    with sessions() as s:
        bodies = s.scalars(select(Outbox.body).where(Outbox.address == "+32470000007")).all()
    assert len(bodies) == 1 and "Markt 8, 9100" in bodies[0]


def test_four_workers_sweeping_and_sending_deliver_each_reminder_once(db_url, sessions):
    """Each worker sweeps and runs its own sender, as four `run` processes would; the
    fake Bot API counts every message it got, per chat."""
    due_reminders(sessions, channel="telegram")
    clock = SettableClock(NOW)
    with FakeTelegram() as fake:
        def worker(i: int) -> int:
            db = make_engine(db_url)
            own = make_sessionmaker(db)

            async def run() -> int:
                bot = make_bot(TelegramSettings(token=TOKEN, api_base_url=fake.base_url))
                await bot.initialize()
                sender = Sender(OutboxStore(own, clock, lease=timedelta(days=1)),
                                {"telegram": TelegramSender(bot)}, {"telegram": LOOSE},
                                worker_id=f"worker-{i}", poll_interval=0.05,
                                retry=RetryPolicy(first_wait=0.02, max_wait=0.05, jitter=0.0))
                sender.start()
                engine = Engine(own, rules(), clock, delivery=sender)
                try:
                    loop = asyncio.get_running_loop()
                    queued = await loop.run_in_executor(None, sweep_reminders, engine, 50)
                    while (more := await loop.run_in_executor(
                            None, sweep_reminders, engine, 50)) > 0:
                        queued += more
                    await fake.until(lambda: len(fake.delivered) >= RESIDENTS, timeout=60)
                    await fake.until(lambda: _all_sent(own), timeout=30)
                    return queued
                finally:
                    await sender.stop()
                    await bot.shutdown()

            try:
                return asyncio.run(run())
            finally:
                db.dispose()

        counts = in_threads(worker)
        delivered = list(fake.delivered)
    assert sum(counts) == RESIDENTS   # type: ignore[arg-type]
    assert_each_reminder_queued_once(sessions)
    per_chat: dict[str, int] = {}
    for record in delivered:
        per_chat[record.chat_id] = per_chat.get(record.chat_id, 0) + 1
    assert len(per_chat) == RESIDENTS and set(per_chat.values()) == {1}
    first = next(r for r in delivered if r.chat_id == "50000")
    assert first.text.startswith("Herinnering: morgen, donderdag 3 december, van 13:00")
    assert [b["text"] for row in first.reply_markup["keyboard"] for b in row] == \
        ["Ik ben er", "Verzetten", "Annuleren"]


def _all_sent(sessions: sessionmaker[Session]) -> bool:
    with sessions() as s:
        return not s.scalars(select(Outbox.id).where(
            Outbox.status != OutboxStatus.SENT).limit(1)).first()


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)   # SQLite: one writer
def test_the_sweep_never_waits_for_a_resident_or_a_booking(db_url, sessions):
    """The engine locks resident, then booking, then timers; a sweep that waited for the
    first two while holding timer locks could deadlock with it. While another transaction
    holds a resident and their booking locked (and has changed the booking), the sweep
    does not wait: it queues everyone else's reminder and commits, and that resident's
    goes out at the next sweep."""
    assert db_url.startswith("postgresql")   # row locks are PostgreSQL's
    due_reminders(sessions)
    clock = SettableClock(NOW)
    engine = Engine(sessions, rules(), clock)
    other = make_engine(db_url)
    try:
        with make_sessionmaker(other).begin() as holding:
            resident = holding.scalars(select(Resident).order_by(Resident.id)
                                       .with_for_update().limit(1)).one()
            booking = holding.scalars(select(Booking).where(
                Booking.resident_id == resident.id).with_for_update()).one()
            booking.phone = "+32470999999"
            holding.flush()
            done = threading.Event()
            swept: list[int] = []

            def sweep() -> None:
                swept.append(sweep_reminders(engine))
                done.set()

            threading.Thread(target=sweep).start()
            assert done.wait(timeout=60), "the sweep waited for the locked rows"
            assert swept == [RESIDENTS - 1]
    finally:
        other.dispose()
    assert sweep_reminders(engine) == 1
    assert_each_reminder_queued_once(sessions)
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Outbox).where(
            Outbox.resident_id == resident.id)) == 1
