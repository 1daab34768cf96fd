"""A broadcast through the real sender to the fake Bot API over real HTTP, on SQLite and
PostgreSQL: 10,000 messages within the configured rate, none twice, none refused, a reply
written in the middle overtaking the bulk queued before it; and a cancel that stops even
the messages a sender already holds. Assertions are on what the fake received and in
which order, never on how long it took."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot

from bot.channels.telegram import TelegramSender, make_bot
from bot.config import TelegramSettings
from bot.sender import RateLimits, RetryPolicy, Sender
from storage import broadcasts
from storage.broadcasts import Audience
from storage.clock import SettableClock
from storage.models import Outbox, OutboxStatus, Priority, Resident
from storage.outbox import OutboxMessage, OutboxStore, enqueue
from tests.auxil.fake_telegram import TOKEN, FakeTelegram

BULK = 10_000
# Far above Telegram's own 30/s, so the test takes seconds, but a limit all the same:
# the fake must never see more than rate + burst in any second.
FAST_LIMITS = RateLimits(global_rate=2000.0, global_burst=40.0, chat_rate=1.0,
                         chat_burst=1.0, reply_reserve=5.0)


def populate(sessions: sessionmaker[Session], clock: SettableClock, count: int) -> None:
    """`count` Telegram residents with chat ids 100000.., half Dutch, half French."""
    rows = [{"channel": "telegram", "address": str(100_000 + n),
             "language": "nl" if n % 2 else "fr", "created_at": clock()}
            for n in range(count)]
    with sessions.begin() as s:
        s.execute(insert(Resident), rows)


def fire(sessions: sessionmaker[Session], clock: SettableClock, audience: Audience) -> int:
    with sessions.begin() as s:
        created = broadcasts.create(s, texts={"nl": "Nieuws", "fr": "Nouvelles"},
                                    audience=audience, now=clock())
        queued = broadcasts.send(s, created.id, clock())
        assert queued is not None
        return created.id


def reply_row(sessions: sessionmaker[Session], clock: SettableClock, sender: Sender,
              address: str, body: str) -> OutboxMessage:
    """A reply committed the way the engine writes it for this process's sender."""
    claim = sender.claim("telegram", clock())
    assert claim is not None
    with sessions.begin() as s:
        return enqueue(s, channel="telegram", address=address, body=body, choices=None,
                       now=clock(), claim=claim)


async def started(fake: FakeTelegram, store: OutboxStore, limits: RateLimits,
                  **options: object) -> tuple[Sender, Bot]:
    bot = make_bot(TelegramSettings(token=TOKEN, api_base_url=fake.base_url))
    await bot.initialize()
    sender = Sender(store, {"telegram": TelegramSender(bot)}, {"telegram": limits},
                    poll_interval=0.05, retry=RetryPolicy(first_wait=0.02, max_wait=0.05),
                    **options)  # type: ignore[arg-type]
    sender.start()
    return sender, bot


@pytest.mark.slow
def test_ten_thousand_within_the_rate_once_each_and_a_reply_overtakes_them(sessions, now):
    clock = SettableClock(now)
    populate(sessions, clock, BULK)
    with sessions.begin() as s:   # the resident who writes in the middle of it
        s.add(Resident(channel="telegram", address="777", language="nl", created_at=now,
                       opted_out_at=now))   # opted out of broadcasts: gets only the reply
    bid = fire(sessions, clock, Audience("all"))
    store = OutboxStore(sessions, clock)
    positions: dict[str, int] = {}

    with FakeTelegram() as fake:
        async def scenario() -> None:
            # Progress is read as len(fake.requests) (every answer is checked to be a 200
            # afterwards): `delivered` copies the whole list, too much to poll at 10k.
            sender, bot = await started(fake, store, FAST_LIMITS)
            try:
                await fake.until(lambda: len(fake.requests) >= BULK // 3, timeout=120)
                # The engine's way (this process's sender): written claimed, handed over.
                reply = await asyncio.to_thread(reply_row, sessions, clock, sender, "777",
                                                "reply 1")
                positions["before 1"] = len(fake.requests)
                sender.take([reply])
                # Another process's way: a pending row in the outbox, then a wake.
                await fake.until(lambda: len(fake.requests) >= BULK // 2, timeout=120)
                second = await asyncio.to_thread(_pending_reply, sessions, clock)
                positions["before 2"] = len(fake.requests)
                sender.wake()
                await fake.until(lambda: len(fake.requests) == BULK + 2, timeout=240)
            finally:
                await sender.stop()
                await bot.shutdown()
            positions["row 2"] = second

        asyncio.run(scenario())
        records = list(fake.requests)

    assert all(r.status == 200 for r in records)            # not one 429 (or other error)
    texts = [r.text for r in records]
    chats = Counter(r.chat_id for r in records if r.chat_id != "777")
    assert len(chats) == BULK and set(chats.values()) == {1}   # everyone once, no duplicate
    assert fake.max_global(window=1.0) <= FAST_LIMITS.global_rate + FAST_LIMITS.global_burst
    # Each reply overtook the thousands of broadcast messages queued before it. The one
    # handed over: only the sends already started (max_in_flight) went before it. The one
    # the claim loop finds: what went out while that claim ran went before it too (how
    # many depends on the machine), but not the thousands still queued.
    first_at, second_at = texts.index("reply 1"), texts.index("reply 2")
    assert first_at <= positions["before 1"] + 16
    assert len(records) - second_at > BULK // 4
    assert [r.chat_id for r in records if r.chat_id == "777"] == ["777", "777"]
    by_language = Counter(t for t in texts if not t.startswith("reply"))
    assert by_language == {"Nieuws": BULK // 2, "Nouvelles": BULK // 2}
    with sessions() as s:
        statuses = dict(s.execute(select(Outbox.status, func.count())
                                  .where(Outbox.broadcast_id == bid)
                                  .group_by(Outbox.status)).tuples().all())
        progress = broadcasts.status(s, bid)
    assert statuses == {OutboxStatus.SENT: BULK}
    assert (progress.recipients, progress.sent, progress.pending) == (BULK, BULK, 0)


def _pending_reply(sessions: sessionmaker[Session], clock: SettableClock) -> int:
    with sessions.begin() as s:
        return enqueue(s, channel="telegram", address="777", body="reply 2", choices=None,
                       now=clock(), priority=Priority.REPLY).id


class Moment:
    """The sender's monotonic time, moved only by the test: no token comes back unless
    the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cancel_stops_the_rest_even_what_a_sender_already_holds(sessions, now):
    clock = SettableClock(now)
    populate(sessions, clock, 300)
    bid = fire(sessions, clock, Audience("all"))
    store = OutboxStore(sessions, clock, lease=timedelta(minutes=5))
    # A burst of 5 and time standing still: 5 go out, then the sender waits, holding 50.
    # (Without the sender's check for cancelled rows it would hold them for ever, and
    # send them once time moves on.)
    limits = RateLimits(global_rate=10.0, global_burst=5.0, chat_rate=1.0, chat_burst=1.0)
    moment = Moment()

    with FakeTelegram() as fake:
        async def scenario() -> None:
            sender, bot = await started(fake, store, limits, max_held=50, monotonic=moment)
            try:
                # 5 sent and recorded; their places in its hands taken by 5 more
                await fake.until(lambda: len(fake.delivered) == 5 and sender.held == 50
                                 and counts(sessions) == {OutboxStatus.SENT: 5,
                                                          OutboxStatus.SENDING: 50,
                                                          OutboxStatus.PENDING: 245})
                stopped = await asyncio.to_thread(_cancel, sessions, clock, bid)
                assert stopped == 295
                await fake.until(lambda: sender.held == 0)   # dropped from its hands
                moment.now += 3600   # tokens for everything; only a reply may use them
                reply = await asyncio.to_thread(reply_row, sessions, clock, sender, "777",
                                                "reply")
                sender.take([reply])
                await fake.until(lambda: fake.texts_to("777") == ["reply"])
            finally:
                await sender.stop()
                await bot.shutdown()

        asyncio.run(scenario())
        delivered = [r.text for r in fake.delivered]

    assert delivered.count("reply") == 1 and len(delivered) == 6   # 5 broadcast, 1 reply
    with sessions() as s:
        progress = broadcasts.status(s, bid)
    assert (progress.sent, progress.cancelled, progress.pending) == (5, 295, 0)


def counts(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as s:
        return dict(s.execute(select(Outbox.status, func.count())
                              .group_by(Outbox.status)).tuples().all())


def _cancel(sessions: sessionmaker[Session], clock: SettableClock, bid: int) -> int:
    with sessions.begin() as s:
        return broadcasts.cancel(s, bid, clock()).stopped
