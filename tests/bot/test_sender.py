"""The outbox store and the sender (G6), against the fake Bot API over real HTTP.

Every test runs on SQLite and PostgreSQL (the `sessions` fixture) except the long rate
test, whose subject (the limiter) does not touch the database's behaviour.
No test measures time: where waiting is the subject, the sender's monotonic time is a
`Moment` the test moves by hand, and the give-up deadline follows the injected clock.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot

from bot.channels.telegram import LIMITS, TelegramSender, make_bot
from bot.channels.telegram_http import AiohttpRequest
from bot.config import ConfigError, Settings, TelegramSettings, load_settings
from bot.sender import (
    RateLimits,
    RetryPolicy,
    Sender,
    TokenBucket,
    dead_local_worker,
    mask_address,
)
from bot.wiring import retry_policy
from storage.clock import SettableClock
from storage.db import make_engine, make_sessionmaker
from storage.models import Outbox, OutboxStatus, Priority, Resident
from storage.outbox import Claim, OutboxMessage, OutboxStore, enqueue
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, max_in_window

# Retries a few hundredths of a second apart: a test sees dozens of attempts at once,
# while the give-up deadline keeps its default 6 hours on the injected clock.
QUICK_RETRY = RetryPolicy(first_wait=0.02, max_wait=0.05, jitter=0.0)
FAST = {"poll_interval": 0.05, "retry": QUICK_RETRY}
LOOSE = RateLimits(global_rate=200, global_burst=20, chat_rate=100, chat_burst=10)


class Moment:
    """A monotonic time that only the test moves: the sender's rates and pauses follow it,
    so what a wait allows is decided by the test, not by how fast the machine is."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def store(sessions, clock):
    return OutboxStore(sessions, clock, lease=timedelta(seconds=30))


@pytest.fixture
def patient_store(sessions, clock):
    """For tests that move the clock hours ahead: leases are renewed every few seconds of
    real time, so a 30 s lease would lapse at each jump and the claim loop would hand our
    own messages back to us (harmless, Sender._forget says why, but not these tests'
    subject)."""
    return OutboxStore(sessions, clock, lease=timedelta(days=1))


@pytest.fixture
def fake():
    with FakeTelegram() as server:
        yield server


def queue(sessions: sessionmaker[Session], clock: SettableClock, address: str, body: str, *,
          priority: int = Priority.REPLY, channel: str = "telegram", choices=None,
          delay: float = 0) -> int:
    """Commit one outbox row (and its resident) the way the engine would."""
    now = clock()
    with sessions.begin() as s:
        resident = s.scalars(select(Resident).where(Resident.channel == channel,
                                                    Resident.address == address)).one_or_none()
        if resident is None:
            resident = Resident(channel=channel, address=address, language="nl", created_at=now)
            s.add(resident)
            s.flush()
        row = Outbox(resident_id=resident.id, channel=channel, address=address, body=body,
                     choices=choices, priority=priority, status=OutboxStatus.PENDING,
                     next_attempt_at=now + timedelta(seconds=delay), created_at=now)
        s.add(row)
        s.flush()
        return row.id


def rows(sessions: sessionmaker[Session]) -> dict[int, Outbox]:
    with sessions() as s:
        return {r.id: r for r in s.scalars(select(Outbox))}


@asynccontextmanager
async def telegram_sender(fake: FakeTelegram, store: OutboxStore,
                          limits: RateLimits = LOOSE, *, read_timeout: float | None = None,
                          **options: Any) -> AsyncIterator[Sender]:
    bot = make_bot(TelegramSettings(token=TOKEN, api_base_url=fake.base_url))
    if read_timeout is not None:  # the Bot API client of make_bot, waiting less
        bot = Bot(TOKEN, base_url=fake.base_url,
                  request=AiohttpRequest(read_timeout=read_timeout, write_timeout=None))
    await bot.initialize()
    sender = Sender(store, {"telegram": TelegramSender(bot)}, {"telegram": limits},
                    **{**FAST, **options})
    sender.start()
    try:
        yield sender
    finally:
        await sender.stop()
        await bot.shutdown()


# ---------------------------------------------------------------------------- the store

def test_claim_takes_due_rows_best_first(sessions, clock, store):
    broadcast = queue(sessions, clock, "1", "b", priority=Priority.BROADCAST)
    reminder = queue(sessions, clock, "2", "r", priority=Priority.REMINDER)
    reply = queue(sessions, clock, "3", "a")
    queue(sessions, clock, "4", "later", delay=60)
    queue(sessions, clock, "+32470000001", "sms", channel="sms")

    claimed = store.claim_due("w1", 10, channels=["telegram"])

    assert [m.id for m in claimed] == [reply, reminder, broadcast]
    assert store.claim_due("w2", 10, channels=["telegram"]) == []  # all held by w1
    held = rows(sessions)
    assert {held[i].status for i in (reply, reminder, broadcast)} == {OutboxStatus.SENDING}
    assert held[reply].claimed_by == "w1"
    assert held[reply].claimed_until == clock() + timedelta(seconds=30)


def test_claim_respects_limit_and_max_priority(sessions, clock, store):
    for n in range(3):
        queue(sessions, clock, str(n), "bulk", priority=Priority.BROADCAST)
    reply = queue(sessions, clock, "9", "reply")
    assert store.claim_due("w", 5, max_priority=Priority.REPLY)[0].id == reply
    assert len(store.claim_due("w", 2)) == 2
    assert len(store.claim_due("w", 2)) == 1


def test_expired_lease_is_taken_over_and_fences_the_old_worker(sessions, clock, store):
    message_id = queue(sessions, clock, "1", "hello")
    assert [m.id for m in store.claim_due("crashed", 1)] == [message_id]
    clock.advance(seconds=29)
    assert store.claim_due("rescuer", 1) == []
    clock.advance(seconds=2)
    assert [m.id for m in store.claim_due("rescuer", 1)] == [message_id]

    assert store.mark_failed(message_id, "crashed", "stale") is False
    assert store.record_failed_attempt(message_id, "crashed", "stale") is False
    assert rows(sessions)[message_id].status == OutboxStatus.SENDING
    assert rows(sessions)[message_id].claimed_by == "rescuer"


def test_renewed_lease_is_not_taken_over(sessions, clock, store):
    queue(sessions, clock, "1", "hello")
    store.claim_due("alive", 1)
    clock.advance(seconds=20)
    assert store.renew_leases("alive") == 1
    clock.advance(seconds=20)
    assert store.claim_due("other", 1) == []


def test_schedule_retry_and_release(sessions, clock, store):
    first = queue(sessions, clock, "1", "one")
    second = queue(sessions, clock, "2", "two")
    store.claim_due("w", 2)
    assert store.schedule_retry(first, "w", clock() + timedelta(seconds=10), "HTTP 500")
    assert store.release_claims("w") == 1
    after = rows(sessions)
    assert (after[first].status, after[first].attempts, after[first].last_error) == \
        (OutboxStatus.PENDING, 1, "HTTP 500")
    assert (after[second].status, after[second].claimed_by) == (OutboxStatus.PENDING, None)
    assert [m.id for m in store.claim_due("w", 5)] == [second]
    clock.advance(seconds=10)
    assert [m.id for m in store.claim_due("w", 5)] == [first]


def test_recipient_gone_opts_out_and_fails_everything_queued(sessions, clock, store):
    a1 = queue(sessions, clock, "111", "one")
    a2 = queue(sessions, clock, "111", "two", priority=Priority.BROADCAST)
    b = queue(sessions, clock, "222", "other")
    store.claim_due("w", 1)
    with sessions() as s:
        resident_id = s.scalars(select(Resident.id).where(Resident.address == "111")).one()
    assert store.mark_resident_opted_out(resident_id, "blocked") == 2
    after = rows(sessions)
    assert [after[i].status for i in (a1, a2, b)] == \
        [OutboxStatus.FAILED, OutboxStatus.FAILED, OutboxStatus.PENDING]
    assert after[a1].last_error == "blocked"
    with sessions() as s:
        assert s.get(Resident, resident_id).opted_out_at == clock()


def test_backlog_counts_and_oldest_age(sessions, clock, store):
    assert store.backlog().pending == 0 and store.backlog().oldest_pending_seconds == 0
    queue(sessions, clock, "1", "old")
    clock.advance(seconds=90)
    queue(sessions, clock, "2", "new")
    store.claim_due("w", 1)
    backlog = store.backlog()
    assert (backlog.pending, backlog.sending, backlog.failed) == (1, 1, 0)
    assert backlog.oldest_pending_seconds == 90


def test_concurrent_claims_are_disjoint(sessions, clock, store, db_url):
    for n in range(60):
        queue(sessions, clock, str(n), f"m{n}")
    got: dict[str, list[int]] = {"a": [], "b": [], "c": []}
    start = threading.Barrier(3)

    def drain(worker: str) -> None:
        own_engine = make_engine(db_url)
        own = OutboxStore(make_sessionmaker(own_engine), clock)
        start.wait()
        while batch := own.claim_due(worker, 4):
            got[worker] += [m.id for m in batch]
        own_engine.dispose()

    threads = [threading.Thread(target=drain, args=(w,)) for w in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = got["a"] + got["b"] + got["c"]
    assert len(everything) == 60 and len(set(everything)) == 60


# ---------------------------------------------------------------------------- the sender

def test_delivers_on_wake_not_only_by_polling(sessions, clock, store, fake):
    async def scenario() -> None:
        async with telegram_sender(fake, store, poll_interval=30) as sender:
            await asyncio.sleep(0.1)  # the first claim found nothing
            message_id = queue(sessions, clock, "101", "Goeiedag!", choices=["Ja", "Nee"])
            sender.wake()
            await fake.until(lambda: len(fake.delivered) == 1, timeout=5)
            await fake.until(lambda: rows(sessions)[message_id].status == OutboxStatus.SENT)
        [sent] = fake.delivered
        assert (sent.chat_id, sent.text) == ("101", "Goeiedag!")
        assert sent.reply_markup == {"keyboard": [[{"text": "Ja"}, {"text": "Nee"}]],
                                     "resize_keyboard": True, "one_time_keyboard": True}
        row = rows(sessions)[message_id]
        assert row.provider_message_id == str(sent.message_id)
        assert row.sent_at == clock()

    asyncio.run(scenario())


def claimed_reply(sessions: sessionmaker[Session], clock: SettableClock, sender: Sender,
                  address: str, body: str) -> OutboxMessage:
    """Commit a reply the way the engine does with this process's sender: claimed."""
    claim = sender.claim("telegram", clock())
    assert claim is not None
    with sessions.begin() as s:
        return enqueue(s, channel="telegram", address=address, body=body, choices=None,
                       now=clock(), claim=claim)


def test_claim_is_offered_only_for_a_running_senders_own_channels(sessions, clock, store,
                                                                   fake):
    async def scenario() -> None:
        bot = make_bot(TelegramSettings(token=TOKEN, api_base_url=fake.base_url))
        sender = Sender(store, {"telegram": TelegramSender(bot)}, {"telegram": LOOSE})
        assert sender.claim("telegram", clock()) is None  # not started
        async with bot:
            sender.start()
            claim = sender.claim("telegram", clock())
            assert claim == Claim(sender.worker_id, clock() + timedelta(seconds=30))
            assert sender.claim("sms", clock()) is None  # no SMS sender here
            await sender.stop()
        assert sender.claim("telegram", clock()) is None  # stopped

    asyncio.run(scenario())


def test_a_reply_handed_over_is_sent_without_being_claimed_again(sessions, clock, store,
                                                                  fake):
    async def scenario() -> None:
        async with telegram_sender(fake, store, poll_interval=30) as sender:
            await asyncio.sleep(0.1)  # the first claim found nothing
            reply = claimed_reply(sessions, clock, sender, "101", "Goeiedag!")
            held = rows(sessions)[reply.id]
            assert (held.status, held.claimed_by) == (OutboxStatus.SENDING, sender.worker_id)
            assert store.claim_due("other-worker", 10) == []  # under our lease
            # From the writer thread, as the engine does after its commit; no wake.
            await asyncio.to_thread(sender.take, [reply])
            await fake.until(lambda: len(fake.delivered) == 1, timeout=5)
            await fake.until(lambda: rows(sessions)[reply.id].status == OutboxStatus.SENT)
        assert [(m.chat_id, m.text) for m in fake.delivered] == [("101", "Goeiedag!")]

    asyncio.run(scenario())


def test_replies_handed_over_but_not_sent_go_back_at_stop(sessions, clock, store, fake):
    fake.throttle_next(retry_after=5, chat_id="101")

    async def scenario() -> OutboxMessage:
        async with telegram_sender(fake, store, poll_interval=30) as sender:
            reply = claimed_reply(sessions, clock, sender, "101", "Goeiedag!")
            sender.take([reply])
            await fake.until(lambda: len(fake.attempts_to("101")) == 1, timeout=5)
            await asyncio.sleep(0.1)  # the 429 is taken in: now waiting 5 s
        return reply

    reply = asyncio.run(scenario())
    row = rows(sessions)[reply.id]
    assert (row.status, row.claimed_by) == (OutboxStatus.PENDING, None)
    assert [m.id for m in store.claim_due("next-start", 10)] == [reply.id]


def test_throttled_message_is_sent_after_retry_after_not_before(sessions, clock, store, fake):
    fake.throttle_next(retry_after=1, chat_id="101")
    throttled = queue(sessions, clock, "101", "first")
    moment = Moment()

    async def scenario() -> None:
        async with telegram_sender(fake, store, monotonic=moment) as sender:
            await fake.until(lambda: sender.metrics.send_errors.value(
                channel="telegram", kind="throttled") == 1)
            # Queued after the 429 and behind it in (priority, id) order, so it can only go
            # first if the throttled chat is waiting: another chat does not wait.
            other = queue(sessions, clock, "202", "unaffected")
            sender.wake()
            await fake.until(lambda: fake.texts_to("202") == ["unaffected"])
            assert fake.texts_to("101") == []
            moment.advance(1.0)  # retry_after has passed
            await fake.until(lambda: fake.texts_to("101") == ["first"])
            await fake.until(lambda: rows(sessions)[other].status == OutboxStatus.SENT)

    asyncio.run(scenario())
    refused, accepted = fake.attempts_to("101")
    assert (refused.status, accepted.status) == (429, 200)
    after = rows(sessions)
    assert after[throttled].status == OutboxStatus.SENT
    assert after[throttled].attempts == 0  # a throttle is not a failed attempt


def test_server_errors_are_retried_and_delivered_once(sessions, clock, store, fake):
    fake.fail_next(500, "Internal Server Error", chat_id="101")
    fake.fail_next(502, "Bad Gateway", chat_id="101", html=True)
    first = queue(sessions, clock, "101", "one")
    second = queue(sessions, clock, "101", "two")

    async def scenario() -> None:
        async with telegram_sender(fake, store):
            await fake.until(lambda: len(fake.delivered) == 2, timeout=10)
            await asyncio.sleep(0.2)  # nothing more arrives

    asyncio.run(scenario())
    assert [r.status for r in fake.attempts_to("101")] == [500, 502, 200, 200]
    assert fake.texts_to("101") == ["one", "two"]  # the retry held the second back
    after = rows(sessions)
    assert (after[first].status, after[first].attempts) == (OutboxStatus.SENT, 2)
    assert "Bad Gateway" in after[first].last_error
    assert (after[second].status, after[second].attempts) == (OutboxStatus.SENT, 0)


def test_a_bad_gateway_outage_longer_than_half_a_minute_is_ridden_out(sessions, clock,
                                                                      patient_store, fake):
    """Eight 502s in a row used to mean attempts at 0, 1, 3, 7, 15 and 31 s, then 'failed'
    for good. Now the Bot API answers 502 for an hour (of the injected clock) and a dozen
    attempts, and the reply still goes out, once, when it recovers."""
    fake.fail_next(502, "Bad Gateway", chat_id="101", html=True, times=10_000)
    message_id = queue(sessions, clock, "101", "Uw afspraak is geboekt.")

    async def scenario() -> None:
        async with telegram_sender(fake, patient_store) as sender:
            await fake.until(lambda: len(fake.attempts_to("101")) >= 8)
            clock.advance(hours=1)
            await fake.until(lambda: len(fake.attempts_to("101")) >= 12)
            assert rows(sessions)[message_id].status == OutboxStatus.SENDING  # still ours
            fake.clear_failures()
            await fake.until(lambda: rows(sessions)[message_id].status == OutboxStatus.SENT)
            assert sender.metrics.messages_given_up.value(channel="telegram") == 0
            assert sender.metrics.messages_failed.value(channel="telegram") == 0

    asyncio.run(scenario())
    *refused, accepted = fake.attempts_to("101")
    assert {r.status for r in refused} == {502} and accepted.status == 200
    assert fake.texts_to("101") == ["Uw afspraak is geboekt."]
    row = rows(sessions)[message_id]
    assert row.attempts == len(refused) >= 12
    assert "Bad Gateway" in row.last_error


def test_gives_up_after_give_up_after_and_says_so(sessions, clock, patient_store, fake,
                                                  caplog):
    """At the first failure once the message is give_up_after (6 h) old: failed with the
    reason, counted, one ERROR line without the chat id. The resident's next message is
    as old, so it is given up at its first failure, not after six more hours."""
    fake.fail_next(502, "Bad Gateway", chat_id="4711", html=True, times=10_000)
    doomed = queue(sessions, clock, "4711", "doomed")
    behind = queue(sessions, clock, "4711", "behind it")

    async def scenario() -> Sender:
        async with telegram_sender(fake, patient_store) as sender:
            await fake.until(lambda: len(fake.attempts_to("4711")) >= 3)
            clock.advance(hours=5, minutes=59)
            seen = len(fake.attempts_to("4711"))
            await fake.until(lambda: len(fake.attempts_to("4711")) >= seen + 3)
            assert rows(sessions)[doomed].status == OutboxStatus.SENDING  # not yet
            clock.advance(minutes=1)
            await fake.until(lambda: rows(sessions)[behind].status == OutboxStatus.FAILED)
        return sender

    with caplog.at_level(logging.INFO, logger="bot.sender"):
        sender = asyncio.run(scenario())
    after = rows(sessions)
    assert after[doomed].status == OutboxStatus.FAILED
    assert after[doomed].last_error.startswith(
        f"gave up after {after[doomed].attempts} attempts in 6h: telegram NetworkError")
    assert "Bad Gateway" in after[doomed].last_error
    assert after[behind].attempts == 1
    assert {r.text for r in fake.attempts_to("4711")} == {"doomed", "behind it"}
    assert fake.delivered == []
    assert sender.metrics.messages_given_up.value(channel="telegram") == 2
    assert sender.metrics.messages_failed.value(channel="telegram") == 2
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 2 and all("…711" in e and "4711" not in e for e in errors)
    assert all("gave up after" in e for e in errors)


def test_a_restart_goes_on_with_the_attempts_and_the_deadline(sessions, clock, patient_store,
                                                               fake):
    """The attempt count and the deadline are in the row: a process stopped during an
    outage hands the message back, the next one goes on trying, and gives up 6 h after
    the message was queued, not 6 h after its own start."""
    fake.fail_next(502, "Bad Gateway", chat_id="101", html=True, times=10_000)
    message_id = queue(sessions, clock, "101", "through a restart")

    async def first_run() -> None:
        async with telegram_sender(fake, patient_store):
            await fake.until(lambda: len(fake.attempts_to("101")) >= 3)

    asyncio.run(first_run())
    row = rows(sessions)[message_id]
    assert (row.status, row.claimed_by) == (OutboxStatus.PENDING, None)
    tried = row.attempts
    assert tried == len(fake.attempts_to("101")) >= 3
    clock.advance(hours=5)

    async def second_run() -> Sender:
        async with telegram_sender(fake, patient_store) as sender:
            await fake.until(lambda: len(fake.attempts_to("101")) >= tried + 6)
            assert rows(sessions)[message_id].status == OutboxStatus.SENDING
            clock.advance(hours=1)
            await fake.until(lambda: rows(sessions)[message_id].status == OutboxStatus.FAILED)
        return sender

    sender = asyncio.run(second_run())
    assert sender.metrics.messages_given_up.value(channel="telegram") == 1
    assert rows(sessions)[message_id].attempts == len(fake.attempts_to("101")) >= tried + 6


def test_a_slow_answer_is_sent_again_and_counted(sessions, clock, store, fake):
    """Telegram delivers the message but answers after the read timeout: the retry
    delivers it a second time (the Bot API has no idempotency key). That is rare with the
    real timeout (bot.channels.telegram_http) and, when it happens, counted."""
    fake.answer_late("101", seconds=1.0)
    slow = queue(sessions, clock, "101", "Uw afspraak is geboekt.")
    prompt = queue(sessions, clock, "202", "Tot dan.")

    async def scenario() -> Sender:
        async with telegram_sender(fake, store, read_timeout=0.3) as sender:
            await fake.until(lambda: all(rows(sessions)[i].status == OutboxStatus.SENT
                                         for i in (slow, prompt)))
        return sender

    sender = asyncio.run(scenario())
    assert fake.texts_to("101") == ["Uw afspraak is geboekt."] * 2  # the known duplicate
    assert fake.texts_to("202") == ["Tot dan."]
    assert sender.metrics.sent_after_timeout.value(channel="telegram") == 1
    assert sender.metrics.messages_out.value(channel="telegram") == 2
    row = rows(sessions)[slow]
    assert row.attempts == 1 and "TimedOut" in row.last_error
    second = [r for r in fake.delivered if r.chat_id == "101"][1]
    assert row.provider_message_id == str(second.message_id)


def test_waits_double_up_to_the_cap_and_jitter_only_shortens_them():
    policy = RetryPolicy()  # 1 s doubling up to 5 min, for 6 h
    assert [policy.wait(n, 0.0) for n in range(1, 12)] == \
        [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert policy.wait(10_000, 0.0) == 300
    assert 0.75 * 8 < policy.wait(4, 0.999) < 8
    assert policy.give_up_after == timedelta(hours=6)


def test_the_sender_section_sets_the_retry_policy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert retry_policy(Settings()) == RetryPolicy(max_wait=300.0,
                                                   give_up_after=timedelta(hours=6))
    settings = load_settings(None, env={"DIGICHEQUE_SENDER_GIVE_UP_AFTER": "2h",
                                        "DIGICHEQUE_SENDER_MAX_BACKOFF": "1m"})
    assert retry_policy(settings) == RetryPolicy(max_wait=60.0,
                                                 give_up_after=timedelta(hours=2))
    with pytest.raises(ConfigError, match="DIGICHEQUE_SENDER_MAX_BACKOFF: expected at least"):
        load_settings(None, env={"DIGICHEQUE_SENDER_MAX_BACKOFF": "0s"})


def test_bad_request_fails_at_once(sessions, clock, store, fake):
    fake.fail_next(400, "Bad Request: message text is empty", chat_id="101")
    message_id = queue(sessions, clock, "101", "x")

    async def scenario() -> None:
        async with telegram_sender(fake, store) as sender:
            await fake.until(lambda: rows(sessions)[message_id].status == OutboxStatus.FAILED)
            assert sender.metrics.send_errors.value(channel="telegram", kind="permanent") == 1

    asyncio.run(scenario())
    assert len(fake.attempts_to("101")) == 1
    assert "message text is empty" in rows(sessions)[message_id].last_error.lower()


def test_blocked_resident_is_opted_out_and_gets_nothing_more(sessions, clock, store, fake):
    fake.block("101")
    blocked = [queue(sessions, clock, "101", f"m{n}") for n in range(3)]
    blocked.append(queue(sessions, clock, "101", "news", priority=Priority.BROADCAST))
    other = queue(sessions, clock, "202", "hello")

    async def scenario() -> None:
        async with telegram_sender(fake, store):
            await fake.until(lambda: all(rows(sessions)[i].status == OutboxStatus.FAILED
                                         for i in blocked))
            await fake.until(lambda: fake.texts_to("202") == ["hello"])
            await asyncio.sleep(0.2)

    asyncio.run(scenario())
    assert len(fake.attempts_to("101")) == 1
    after = rows(sessions)
    assert after[other].status == OutboxStatus.SENT
    assert all("recipient_gone" in after[i].last_error for i in blocked)
    with sessions() as s:
        resident = s.scalars(select(Resident).where(Resident.address == "101")).one()
        assert resident.opted_out_at == clock()


def test_replies_go_before_reminders_before_broadcasts(sessions, clock, store, fake):
    broadcasts = [queue(sessions, clock, f"3{n:02}", "b", priority=Priority.BROADCAST)
                  for n in range(20)]
    reminders = [queue(sessions, clock, f"2{n:02}", "r", priority=Priority.REMINDER)
                 for n in range(5)]
    replies = [queue(sessions, clock, f"1{n:02}", "a") for n in range(5)]
    slow = RateLimits(global_rate=40, global_burst=1, chat_rate=100, chat_burst=10)

    async def scenario() -> None:
        async with telegram_sender(fake, store, slow, max_in_flight=1):
            await fake.until(lambda: len(fake.delivered) == 30, timeout=20)

    asyncio.run(scenario())
    assert [r.text for r in fake.delivered] == ["a"] * 5 + ["r"] * 5 + ["b"] * 20
    # and each row is recorded with the message Telegram got for it, in that order
    after = rows(sessions)
    assert {after[i].status for i in after} == {OutboxStatus.SENT}
    sent_as = [int(after[i].provider_message_id) for i in replies + reminders + broadcasts]
    assert sent_as == sorted(sent_as)
    assert [r.chat_id for r in fake.delivered] == \
        [after[i].address for i in replies + reminders + broadcasts]


def test_a_reply_overtakes_a_draining_broadcast(sessions, clock, store, fake):
    for n in range(60):
        queue(sessions, clock, f"3{n:02}", "bulk", priority=Priority.BROADCAST)
    # 10/s: a broadcast every 100 ms, so "within 3 sends" leaves the claim 300 ms
    slow = RateLimits(global_rate=10, global_burst=1, chat_rate=100, chat_burst=10)

    async def scenario() -> None:
        # max_held below the backlog: the sender's hands are full of bulk when it comes
        async with telegram_sender(fake, store, slow, max_in_flight=1, max_held=10,
                                   poll_interval=30) as sender:
            await fake.until(lambda: len(fake.delivered) >= 5)
            before = len(fake.delivered)
            queue(sessions, clock, "999", "reply")
            sender.wake()
            await fake.until(lambda: fake.texts_to("999") == ["reply"])
            position = [r.text for r in fake.delivered].index("reply")
            assert position <= before + 3

    asyncio.run(scenario())


def test_bulk_leaves_the_reply_reserve_so_a_reply_goes_at_once(sessions, clock, store, fake):
    """10/s with a burst of 3, two of them kept for replies. The sender's time stands
    still, so no token comes back: bulk may take one token and no more, and a reply handed
    over then still finds one. (Without the reserve, bulk takes all three and the reply
    waits for time to pass: here it would never go.)"""
    for n in range(40):
        queue(sessions, clock, f"3{n:02}", "bulk", priority=Priority.BROADCAST)
    limits = RateLimits(global_rate=10, global_burst=3, chat_rate=100, chat_burst=10,
                        reply_reserve=2.0)
    moment = Moment()

    async def scenario() -> None:
        async with telegram_sender(fake, store, limits, poll_interval=30,
                                   monotonic=moment) as sender:
            # The dispatcher starts every send the tokens allow in one go, before any
            # arrives: once one has arrived, bulk has taken all it will take.
            await fake.until(lambda: len(fake.delivered) >= 1)
            reply = claimed_reply(sessions, clock, sender, "999", "reply")
            sender.take([reply])
            await fake.until(lambda: fake.texts_to("999") == ["reply"])
            moment.advance(0.25)  # 2.5 tokens back: bulk takes one, keeping the reserve
            await fake.until(lambda: len(fake.delivered) == 3)

    asyncio.run(scenario())
    assert [r.text for r in fake.delivered] == ["bulk", "reply", "bulk"]


def test_a_token_can_be_kept_in_the_bucket():
    bucket = TokenBucket(rate=10, burst=3, now=0.0)
    bucket.take(0.0)
    assert bucket.ready_at(0.0) == 0.0              # 2 left: one may go
    assert bucket.ready_at(0.0, keep=2) == pytest.approx(0.1)  # but not leaving 2
    assert bucket.ready_at(0.0, keep=9) == pytest.approx(0.1)  # keep is capped at burst - 1
    bucket.take(0.0)
    bucket.take(0.0)
    assert bucket.ready_at(0.0) == pytest.approx(0.1)
    assert bucket.ready_at(0.0, keep=2) == pytest.approx(0.3)


def test_a_crashed_workers_claim_is_taken_over(sessions, clock, store, fake):
    message_id = queue(sessions, clock, "101", "still here")
    store.claim_due("crashed-worker", 10)

    async def scenario() -> None:
        async with telegram_sender(fake, store) as sender:
            await asyncio.sleep(0.3)
            assert fake.delivered == []  # the lease still holds
            clock.advance(seconds=31)
            sender.wake()
            await fake.until(lambda: rows(sessions)[message_id].status == OutboxStatus.SENT)
            assert rows(sessions)[message_id].claimed_by == sender.worker_id

    asyncio.run(scenario())
    assert fake.texts_to("101") == ["still here"]


def test_claims_of_a_dead_process_on_this_host_are_taken_back_at_once(sessions, clock, store,
                                                                      fake):
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    dead = f"{socket.gethostname()[:30]}-{gone.pid}-abc123"
    alive = f"{socket.gethostname()[:30]}-{os.getppid()}-abc123"
    assert dead_local_worker(dead) and not dead_local_worker(alive)
    assert not dead_local_worker(f"elsewhere-{gone.pid}-abc123")
    assert not dead_local_worker("not-a-worker-id")
    mine = queue(sessions, clock, "101", "was claimed by a crashed process")
    theirs = queue(sessions, clock, "202", "claimed by a live one")
    store.claim_due(dead, 1)
    store.claim_due(alive, 1)

    async def scenario() -> None:
        async with telegram_sender(fake, store):  # no lease expiry needed
            await fake.until(lambda: fake.texts_to("101") != [])
            await asyncio.sleep(0.2)

    asyncio.run(scenario())
    assert rows(sessions)[mine].status == OutboxStatus.SENT
    assert (rows(sessions)[theirs].status, rows(sessions)[theirs].claimed_by) == \
        (OutboxStatus.SENDING, alive)
    assert fake.texts_to("202") == []


def test_stop_finishes_in_flight_and_hands_back_the_rest(sessions, clock, store, fake):
    fake.latency = 0.3
    ids = [queue(sessions, clock, "101", f"m{n}") for n in range(4)]
    one_a_second = RateLimits(global_rate=100, global_burst=10, chat_rate=1, chat_burst=1)

    async def scenario() -> None:
        async with telegram_sender(fake, store, one_a_second) as sender:
            await fake.until(lambda: len(fake.requests) == 1)  # first send in flight
            assert sender.alive
        assert not sender.alive

    asyncio.run(scenario())
    after = rows(sessions)
    assert after[ids[0]].status == OutboxStatus.SENT
    assert [(after[i].status, after[i].claimed_by) for i in ids[1:]] == \
        [(OutboxStatus.PENDING, None)] * 3
    assert fake.texts_to("101") == ["m0"]

    async def resume() -> None:
        async with telegram_sender(fake, store, LOOSE):
            await fake.until(lambda: len(fake.delivered) == 4)

    fake.latency = 0
    asyncio.run(resume())
    assert fake.texts_to("101") == ["m0", "m1", "m2", "m3"]


# ---------------------------------------------------------------------------- rates

@pytest.fixture
def sqlite_sessions(sqlite_template: Path, tmp_path: Path):
    path = tmp_path / "rates.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.mark.slow
def test_telegram_rate_limits_are_never_exceeded(sqlite_sessions, now, fake):
    """200 messages to 10 chats and 100 single messages: ~18 s at Telegram's limits."""
    clock = SettableClock(now)
    store = OutboxStore(sqlite_sessions, clock)
    for n in range(200):
        queue(sqlite_sessions, clock, f"10{n % 10}", f"m{n}")
    for n in range(100):
        queue(sqlite_sessions, clock, f"5{n:03}", "single", priority=Priority.BROADCAST)

    async def scenario() -> None:
        async with telegram_sender(fake, store, LIMITS, max_held=400):
            await fake.until(lambda: len(fake.delivered) == 300, timeout=60)

    asyncio.run(scenario())
    assert fake.max_per_chat(window=1.0) <= LIMITS.chat_burst + 1
    assert fake.max_global(window=1.0) <= 30
    for chat in range(10):  # and each chat got its messages in order
        assert fake.texts_to(f"10{chat}") == [f"m{n}" for n in range(chat, 200, 10)]


def test_a_group_chat_has_its_own_slower_bucket(sqlite_sessions, now, fake):
    """A group's messages (the staff group, a negative chat id) go at the group rate,
    a private chat's at the chat rate, side by side (scaled up from Telegram's 20 a
    minute so the test takes seconds)."""
    clock = SettableClock(now)
    store = OutboxStore(sqlite_sessions, clock)
    limits = RateLimits(global_rate=100, global_burst=10, chat_rate=100, chat_burst=10,
                        group_rate=4.0, group_burst=2.0)
    for n in range(12):
        queue(sqlite_sessions, clock, "-100777", f"g{n}")
        queue(sqlite_sessions, clock, "101", f"p{n}")

    async def scenario() -> None:
        async with telegram_sender(fake, store, limits):
            await fake.until(lambda: len(fake.delivered) == 24, timeout=20)

    asyncio.run(scenario())
    group = [r.at for r in fake.requests if r.chat_id == "-100777"]
    private = [r.at for r in fake.requests if r.chat_id == "101"]
    assert max_in_window(group, 1.0) <= 2 + 4           # burst + one second of rate
    assert max(group) - min(group) >= (12 - 2) / 4 - 0.3
    assert max(private) - min(private) < 1.0             # not held back by the group
    assert fake.texts_to("-100777") == [f"g{n}" for n in range(12)]


def test_token_bucket_bounds_any_window():
    bucket = TokenBucket(rate=2, burst=3, now=0.0)
    moments: list[float] = []
    t = 0.0
    while t < 10:
        ready = bucket.ready_at(t)
        if ready <= t:
            bucket.take(t)
            moments.append(t)
        else:
            t = ready
    assert max_in_window(moments, 1.0) <= 3 + 2
    assert len(moments) <= 3 + 2 * 10


def test_addresses_are_masked_in_logs():
    assert mask_address("+32470123456") == "…456"
    assert mask_address("12") == "…"
