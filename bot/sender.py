"""The outbox sender (G6): delivers committed messages within each provider's limits.

How it works, in one process:
- Replies to the messages this process handles skip the outbox claim: the engine
  writes them already claimed by us (`claim()`) and hands them over after its commit
  (`take()`), so a reply costs no transaction of ours before it is sent.
- A claim loop takes the other due rows from the outbox (storage.outbox: lease per
  row, several processes may share one PostgreSQL outbox). It runs when woken (`wake()`
  after a commit of unclaimed rows, e.g. reminders) and otherwise every
  `poll_interval` seconds, which also picks up other processes' rows, scheduled
  retries and expired leases.
- Claimed messages wait in memory in one lane per recipient (channel + address), in
  (priority, id) order: one message at a time per lane, so a resident's messages arrive
  in order, and a retry holds back the ones behind it.
- One dispatcher per channel starts sends: it takes a token from the channel's global
  bucket and from the lane's bucket, and always picks the best (priority, id) lane that
  is ready, so a reply overtakes the bulk even when thousands of broadcasts are held;
  and bulk leaves the channel's `reply_reserve` tokens to replies, so a reply does not
  even wait for the bulk's next token.
- The adapter raises one of bot.errors; only this module decides what follows:
  THROTTLED waits retry_after (lane or whole channel) and is not counted as an attempt;
  TEMPORARY retries with capped exponential backoff (RetryPolicy) until the message is
  `give_up_after` old, then fails the row visibly (ERROR log, messages_given_up);
  RECIPIENT_GONE marks the resident opted out and fails what is queued for them;
  PERMANENT fails the row. Every failure keeps its reason in outbox.last_error.
- A send that got no answer in time (bot.errors.Unanswered) may have been delivered all
  the same, and Telegram has no idempotency key: when such a message is later sent
  successfully, the resident may have it twice. That is counted (sent_after_timeout) and
  logged; the read timeout is long enough to make it rare (bot.channels.telegram_http).
- Leases of held messages are renewed while the process lives; `stop()` finishes the
  sends in flight, starts none, and hands the rest back to the outbox.

Database calls are synchronous SQLAlchemy, run on an executor so the event loop (which
also serves the webhooks) never blocks on them: for SQLite the one writer thread that
the webhook uses too, else the loop's default thread pool. Rates, pauses and backoff use
a monotonic time (the loop's, or one a test injects); database timestamps and the give-up
deadline use the injected clock, so the deadline, like the attempt count, is in the row
and holds across restarts.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import logging
import os
import random
import socket
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, Self, TypeVar

from sqlalchemy.exc import DBAPIError

from bot.config import format_duration
from bot.errors import SendError, SendOutcome, Temporary, Throttled, ThrottleScope, Unanswered
from bot.metrics import Metrics
from storage.models import Priority
from storage.outbox import Claim, OutboxMessage, OutboxStore

log = logging.getLogger(__name__)
T = TypeVar("T")


def mask_address(address: str) -> str:
    """Phone numbers and chat ids in logs: only the last 3 characters (G9)."""
    return "…" + address[-3:] if len(address) > 3 else "…"


class ChannelSender(Protocol):
    """One channel's way out. Returns the provider's message id; raises bot.errors.

    A sender may also have `cost(message) -> float`: how many of the channel's rate
    tokens the message uses (SMS counts segments); without it, each message costs one.
    """

    async def send(self, message: OutboxMessage) -> str: ...


def _cost(sender: ChannelSender, message: OutboxMessage) -> float:
    cost = getattr(sender, "cost", None)
    return float(cost(message)) if cost is not None else 1.0


@dataclass(frozen=True)
class RateLimits:
    """A token bucket for the whole channel and one per recipient (rate/s, burst).

    `reply_reserve` tokens of the channel's bucket are kept for replies: reminders and
    broadcasts take a token only while more than that many are left. Draining bulk then
    still goes at the full rate, but keeps the bucket nearly full instead of empty, so a
    resident's reply goes out at once instead of after the next token.
    """

    global_rate: float
    global_burst: float
    chat_rate: float
    chat_burst: float
    reply_reserve: float = 0.0
    # A group chat's bucket, when the channel has one (Telegram: about 20 messages a
    # minute into one group); a group's address starts with "-" (its negative chat id).
    group_rate: float | None = None
    group_burst: float | None = None

    def for_chat(self, address: str) -> tuple[float, float]:
        """The (rate, burst) of one recipient's bucket: a group's, or a chat's."""
        if self.group_rate is not None and address.startswith("-"):
            return self.group_rate, self.group_burst or 1.0
        return self.chat_rate, self.chat_burst


# Sends one channel has started and not finished, at most. A crash can deliver exactly
# these a second time (nothing tells whether the provider got them): RELIABILITY.md.
MAX_IN_FLIGHT = 16

UNLIMITED = RateLimits(global_rate=1e9, global_burst=1e9, chat_rate=1e9, chat_burst=1e9)


@dataclass(frozen=True)
class RetryPolicy:
    """How long and how often a message that fails temporarily is tried again (G6).

    The waits double from `first_wait` up to `max_wait` seconds, each shortened at random
    by up to `jitter` of itself, so that after an outage the waiting messages do not all
    come back in the same second. A message is given up at the first temporary failure
    once it is `give_up_after` old (from when it was queued, on the injected clock; the
    last wait is cut short to fall on that moment). Telegram's own outages last minutes,
    so the default gives hours ([sender] in the config).
    """

    first_wait: float = 1.0
    max_wait: float = 300.0
    give_up_after: timedelta = timedelta(hours=6)
    jitter: float = 0.25

    def wait(self, attempts: int, draw: float) -> float:
        """Seconds to wait after the `attempts`-th failed attempt; `draw` in [0, 1)."""
        doublings = min(max(0, attempts - 1), 60)  # 2**60 s is past any cap
        nominal = min(self.max_wait, self.first_wait * 2.0 ** doublings)
        return nominal * (1.0 - self.jitter * draw)


class TokenBucket:
    """At most `burst + rate * t` takes in any span of t seconds."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self.tokens = self.burst
        self.stamp = now

    def _refill(self, now: float) -> None:
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now

    def ready_at(self, now: float, keep: float = 0.0) -> float:
        """When a token can be taken leaving `keep` (at most burst - 1) in the bucket."""
        self._refill(now)
        need = 1 + min(keep, self.burst - 1)
        return now if self.tokens >= need else now + (need - self.tokens) / self.rate

    def take(self, now: float, amount: float = 1.0) -> None:
        """Take `amount` tokens; more than are left puts the bucket in debt, so the next
        take waits until the whole amount is paid back at `rate` (a 2-segment SMS)."""
        self._refill(now)
        self.tokens -= amount

    def full(self, now: float) -> bool:
        self._refill(now)
        return self.tokens >= self.burst


@dataclass
class _Held:
    message: OutboxMessage
    attempts: int
    queued_at: datetime              # the give-up deadline counts from here
    unanswered: bool = False         # an attempt got no answer: it may have arrived

    @property
    def order(self) -> tuple[int, int]:
        return (self.message.priority, self.message.id)

    def __lt__(self, other: _Held) -> bool:
        return self.order < other.order


@dataclass
class _Lane:
    """The held messages of one recipient."""

    address: str
    bucket: TokenBucket
    queue: list[_Held] = field(default_factory=list)   # a heap
    busy: bool = False
    paused_until: float = 0.0


@dataclass
class _Channel:
    name: str
    sender: ChannelSender
    limits: RateLimits
    bucket: TokenBucket
    lanes: dict[str, _Lane] = field(default_factory=dict)
    in_flight: set[asyncio.Task[None]] = field(default_factory=set)
    paused_until: float = 0.0
    changed: asyncio.Event = field(default_factory=asyncio.Event)


def _host() -> str:
    return socket.gethostname()[:30]


def default_worker_id() -> str:
    """host-pid-random: unique per process, readable in the outbox's claimed_by."""
    return f"{_host()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def dead_local_worker(worker: str) -> bool:
    """True for a worker id of this host whose process no longer exists.

    Its claims can be taken back at once instead of after the lease: the usual case of a
    single process restarted after a crash. Unknown formats, other hosts and live (or
    unknowable) processes are left to the lease.
    """
    parts = worker.rsplit("-", 2)
    if len(parts) != 3 or parts[0] != _host() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


class Sender:
    """Drains the outbox. `start()` in a running loop, `wake()` after commits, `stop()`."""

    def __init__(self, store: OutboxStore, channels: Mapping[str, ChannelSender],
                 limits: Mapping[str, RateLimits] | None = None, *,
                 metrics: Metrics | None = None, worker_id: str | None = None,
                 poll_interval: float = 1.0, max_held: int = 200, reply_reserve: int = 20,
                 max_in_flight: int = MAX_IN_FLIGHT, retry: RetryPolicy = RetryPolicy(),
                 max_throttle_hold: float = 60.0, executor: Executor | None = None,
                 monotonic: Callable[[], float] | None = None,
                 draw: Callable[[], float] = random.random) -> None:
        """`monotonic` (seconds; default the event loop's time) paces rates and pauses;
        `draw` gives the backoff's jitter. Both are for tests to pin down."""
        self.store = store
        self.metrics = metrics or Metrics()
        self.worker_id = worker_id or default_worker_id()
        self.poll_interval = poll_interval
        self.max_held = max_held
        self.reply_reserve = reply_reserve
        self.max_in_flight = max_in_flight
        self.retry = retry
        self.max_throttle_hold = max_throttle_hold
        self.executor = executor
        self._monotonic = monotonic
        self._draw = draw
        self._senders = dict(channels)
        self._limits = dict(limits or {})
        self._channels: dict[str, _Channel] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._heartbeat = 0.0
        self._held_ids: set[int] = set()
        self._sent_batch: list[tuple[int, str | None]] = []
        self._recorder: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------ public

    def start(self) -> None:
        """Begin draining; call from inside the running event loop."""
        if self._loop is not None:
            raise RuntimeError("Sender already started")
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        now = self._now()
        self._heartbeat = now
        for name, channel_sender in self._senders.items():
            limits = self._limits.get(name, UNLIMITED)
            channel = _Channel(name, channel_sender, limits,
                               TokenBucket(limits.global_rate, limits.global_burst, now))
            self._channels[name] = channel
            self._tasks.append(asyncio.create_task(self._dispatch(channel),
                                                   name=f"sender-{name}"))
        self._tasks.append(asyncio.create_task(self._claim_loop(), name="sender-claim"))
        self._tasks.append(asyncio.create_task(self._renew_loop(), name="sender-renew"))
        log.info("outbox sender %s started for channels %s", self.worker_id,
                 ", ".join(self._senders) or "(none)")

    def wake(self) -> None:
        """New rows were committed: claim now. Safe to call from any thread."""
        event = self._wake
        if event is not None:
            self._on_loop(event.set)

    def claim(self, channel: str, now: datetime) -> Claim | None:
        """For the engine: write this channel's replies already claimed by us (our lease),
        then `take()` them after the commit; None when we do not send on this channel
        or are not running, and the rows wait in the outbox as usual."""
        if self._loop is None or self._stopping or channel not in self._senders:
            return None
        return Claim(self.worker_id, now + self.store.lease)

    def take(self, messages: Sequence[OutboxMessage]) -> None:
        """Committed messages written under our claim: queue them. Safe from any thread;
        when we are not running, the lease hands the rows on."""
        self._on_loop(self._adopt, messages)

    def _now(self) -> float:
        """Monotonic seconds for rates and pauses."""
        if self._monotonic is not None:
            return self._monotonic()
        assert self._loop is not None
        return self._loop.time()

    def _on_loop(self, fn: Callable[..., None], *args: Any) -> None:
        """Run fn on our event loop: now if called on it, else soon; not if it is gone."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            fn(*args)
        else:
            loop.call_soon_threadsafe(fn, *args)

    def _adopt(self, messages: Sequence[OutboxMessage]) -> None:
        if self._stopping:
            return  # stop() hands our claims back to the outbox
        for message in messages:
            self._enqueue(message)

    @property
    def alive(self) -> bool:
        """Started, not stopped, and the claim loop turned recently."""
        if self._loop is None or self._stopping or not self._tasks:
            return False
        if any(t.done() for t in self._tasks):
            return False
        return self._now() - self._heartbeat < max(10.0, 5 * self.poll_interval)

    @property
    def held(self) -> int:
        """Messages claimed by this process and not finished yet."""
        return len(self._held_ids)

    async def stop(self) -> None:
        """Finish the sends in flight, start no new one, give the rest back."""
        if self._loop is None or self._stopping:
            return
        self._stopping = True
        for channel in self._channels.values():
            channel.changed.set()
        if self._wake is not None:
            self._wake.set()
        in_flight = [t for c in self._channels.values() for t in c.in_flight]
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)
        if self._recorder is not None:  # what was sent is recorded before the rest goes back
            await asyncio.gather(self._recorder, return_exceptions=True)
        # The claim loop is let finish its current claim (cancelling would leave a claim
        # committing behind our back); the others only wait, so they are cancelled.
        for task in self._tasks:
            if task.get_name() != "sender-claim":
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        try:
            released = await self._blocking(self.store.release_claims, self.worker_id)
        except DBAPIError as exc:
            log.warning("outbox sender %s could not release its claims (%s); they are "
                        "taken over when their lease ends", self.worker_id,
                        exc.__class__.__name__)
        else:
            log.info("outbox sender %s stopped; %d held messages handed back",
                     self.worker_id, released)

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ claiming

    async def _take_back_dead_claims(self) -> None:
        try:
            workers = await self._blocking(self.store.claimants)
            for worker in filter(dead_local_worker, workers):
                released = await self._blocking(self.store.release_claims, worker)
                log.info("took back %d messages held by %s, which is gone", released, worker)
        except DBAPIError as exc:
            log.warning("could not look for a crashed sender's claims: %s",
                        exc.__class__.__name__)

    async def _claim_loop(self) -> None:
        assert self._wake is not None and self._loop is not None
        channels = list(self._senders)
        await self._take_back_dead_claims()
        while not self._stopping:
            self._wake.clear()
            self._heartbeat = self._now()
            room = self.max_held - len(self._held_ids)
            try:
                if room > 0:
                    batch = await self._blocking(self.store.claim_due, self.worker_id, room,
                                                 channels=channels)
                else:  # hands full of bulk: still take the replies
                    batch = await self._blocking(self.store.claim_due, self.worker_id,
                                                 self.reply_reserve, channels=channels,
                                                 max_priority=Priority.REPLY)
            except DBAPIError as exc:
                log.warning("outbox claim failed: %s; retrying", exc.__class__.__name__)
                batch = []
            if self._stopping:  # claimed while stopping: stop() hands them back
                break
            for message in batch:
                self._enqueue(message)
            await self._drop_cancelled()
            if room > 0 and len(batch) == room:
                continue  # more may be due
            try:
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)
            except TimeoutError:
                pass

    async def _renew_loop(self) -> None:
        interval = max(0.05, self.store.lease.total_seconds() / 3)
        while not self._stopping:
            await asyncio.sleep(interval)
            try:
                await self._blocking(self.store.renew_leases, self.worker_id)
            except DBAPIError as exc:
                log.warning("lease renewal failed: %s", exc.__class__.__name__)

    async def _drop_cancelled(self) -> None:
        """Held broadcast messages whose broadcast staff cancelled since we claimed them
        (their rows now say 'cancelled'): drop them unsent. Checked at every turn of the
        claim loop (at least every poll_interval), one query for all held broadcast rows;
        a send already started is not stopped and is recorded sent."""
        held = [h.message.id for c in self._channels.values() for lane in c.lanes.values()
                for h in lane.queue if h.message.broadcast_id is not None]
        if not held:
            return
        try:
            cancelled = await self._blocking(self.store.cancelled_among, held)
        except DBAPIError as exc:
            log.warning("could not check for cancelled broadcasts: %s",
                        exc.__class__.__name__)
            return
        if not cancelled:
            return
        for channel in self._channels.values():
            for lane in channel.lanes.values():
                kept = [h for h in lane.queue if h.message.id not in cancelled]
                if len(kept) != len(lane.queue):
                    heapq.heapify(kept)
                    lane.queue[:] = kept
            channel.changed.set()
        self._held_ids.difference_update(cancelled)
        log.info("dropped %d held messages of cancelled broadcasts", len(cancelled))

    def _enqueue(self, message: OutboxMessage) -> None:
        channel = self._channels[message.channel]
        lane = channel.lanes.get(message.address)
        if lane is None:
            assert self._loop is not None
            rate, burst = channel.limits.for_chat(message.address)
            lane = _Lane(message.address, TokenBucket(rate, burst, self._now()))
            channel.lanes[message.address] = lane
        if message.id in self._held_ids:
            return  # ours already: our lease lapsed (database away) and we re-claimed it
        queued_at = message.created_at or self.store.clock()
        heapq.heappush(lane.queue, _Held(message, message.attempts, queued_at))
        self._held_ids.add(message.id)
        channel.changed.set()

    # ------------------------------------------------------------------ dispatching

    def _pick(self, channel: _Channel, now: float) -> tuple[_Lane | None, float | None]:
        """The ready lane with the best head message, and else when the next one is ready."""
        best: _Lane | None = None
        next_ready: float | None = None
        idle: list[str] = []
        for address, lane in channel.lanes.items():
            if lane.busy:
                continue
            if not lane.queue:
                if lane.paused_until <= now and lane.bucket.full(now):
                    idle.append(address)
                continue
            ready = max(lane.paused_until, lane.bucket.ready_at(now))
            if ready <= now:
                if best is None or lane.queue[0].order < best.queue[0].order:
                    best = lane
            elif next_ready is None or ready < next_ready:
                next_ready = ready
        for address in idle:  # forget lanes whose limits no longer matter
            del channel.lanes[address]
        return best, next_ready

    async def _dispatch(self, channel: _Channel) -> None:
        while not self._stopping:
            channel.changed.clear()
            now = self._now()
            wait_until: float | None = None
            if channel.paused_until > now:
                wait_until = channel.paused_until
            elif len(channel.in_flight) < self.max_in_flight:
                lane, wait_until = self._pick(channel, now)
                if lane is not None:
                    bulk = lane.queue[0].message.priority > Priority.REPLY
                    global_ready = channel.bucket.ready_at(
                        now, channel.limits.reply_reserve if bulk else 0.0)
                    if global_ready <= now:
                        held = heapq.heappop(lane.queue)
                        lane.busy = True
                        cost = _cost(channel.sender, held.message)
                        channel.bucket.take(now, cost)
                        lane.bucket.take(now, cost)
                        task = asyncio.create_task(self._deliver(channel, lane, held))
                        channel.in_flight.add(task)
                        continue
                    wait_until = global_ready if wait_until is None \
                        else min(wait_until, global_ready)
            timeout = None if wait_until is None else max(0.0, wait_until - now)
            try:
                await asyncio.wait_for(channel.changed.wait(), timeout)
            except TimeoutError:
                pass

    # ------------------------------------------------------------------ outcomes

    async def _deliver(self, channel: _Channel, lane: _Lane, held: _Held) -> None:
        message = held.message
        try:
            try:
                provider_id = await channel.sender.send(message)
            except SendError as exc:
                self.metrics.send_errors.inc(channel=channel.name, kind=exc.outcome.value)
                await self._outcomes[exc.outcome](channel, lane, held, exc)
            except Exception as exc:
                log.exception("channel %s raised an unexpected error", channel.name)
                error = Temporary(f"unexpected {exc.__class__.__name__}")
                self.metrics.send_errors.inc(channel=channel.name, kind=error.outcome.value)
                await self._temporary(channel, lane, held, error)
            else:
                self.metrics.messages_out.inc(channel=channel.name)
                if held.unanswered:
                    self.metrics.sent_after_timeout.inc(channel=channel.name)
                    log.warning("%s sent after an earlier attempt got no answer: the "
                                "resident may have it twice", self._where(message))
                self._held_ids.discard(message.id)
                self._record_sent(message.id, provider_id)
        finally:
            lane.busy = False
            task = asyncio.current_task()
            if task is not None:
                channel.in_flight.discard(task)
            channel.changed.set()

    @property
    def _outcomes(self) -> dict[SendOutcome, Callable[..., Awaitable[None]]]:
        return {SendOutcome.THROTTLED: self._throttled, SendOutcome.TEMPORARY: self._temporary,
                SendOutcome.RECIPIENT_GONE: self._recipient_gone,
                SendOutcome.PERMANENT: self._permanent}

    @staticmethod
    def _where(message: OutboxMessage) -> str:
        return f"message {message.id} to {message.channel} {mask_address(message.address)}"

    async def _throttled(self, channel: _Channel, lane: _Lane, held: _Held,
                         exc: Throttled) -> None:
        """Wait retry_after (this recipient, or the whole channel); not an attempt."""
        until = self._now() + exc.retry_after
        if exc.scope == ThrottleScope.CHANNEL:
            channel.paused_until = max(channel.paused_until, until)
        else:
            lane.paused_until = max(lane.paused_until, until)
        log.info("%s throttled, retrying in %.1fs", self._where(held.message), exc.retry_after)
        if exc.retry_after > self.max_throttle_hold:
            await self._release_lane(lane, held, exc)
        else:
            heapq.heappush(lane.queue, held)

    async def _temporary(self, channel: _Channel, lane: _Lane, held: _Held,
                         exc: SendError) -> None:
        """Retry with capped exponential backoff, holding back the recipient's later
        messages, until the message is `give_up_after` old; then fail it visibly.

        The attempt count is kept in the row and the deadline counts from the row's
        created_at, so a restart continues the same schedule rather than starting anew.
        """
        message = held.message
        held.attempts += 1
        held.unanswered = held.unanswered or isinstance(exc, Unanswered)
        deadline = held.queued_at + self.retry.give_up_after
        left = (deadline - self.store.clock()).total_seconds()
        if left <= 0:
            await self._give_up(channel, held, exc)
            return
        delay = min(left, self.retry.wait(held.attempts, self._draw()))
        lane.paused_until = max(lane.paused_until, self._now() + delay)
        log.info("%s failed temporarily (%s); attempt %d, next in %.1fs",
                 self._where(message), exc.reason, held.attempts, delay)
        await self._db(self.store.record_failed_attempt, message.id, self.worker_id,
                       exc.reason)
        heapq.heappush(lane.queue, held)

    async def _give_up(self, channel: _Channel, held: _Held, exc: SendError) -> None:
        """The provider kept failing for give_up_after: an ERROR line, a count, the row
        failed with the reason (the recipient's later messages get their own tries)."""
        message = held.message
        reason = (f"gave up after {held.attempts} attempts in "
                  f"{format_duration(self.retry.give_up_after)}: {exc.reason}")
        log.error("%s not delivered: %s", self._where(message), reason)
        self.metrics.messages_given_up.inc(channel=channel.name)
        await self._db(self.store.mark_failed, message.id, self.worker_id, reason)
        self._forget(channel, message.id)

    async def _recipient_gone(self, channel: _Channel, lane: _Lane, held: _Held,
                              exc: SendError) -> None:
        """Mark the resident opted out; fail everything queued for them."""
        message = held.message
        log.info("%s: recipient gone (%s); no more messages to them",
                 self._where(message), exc.reason)
        items = [held, *lane.queue]
        lane.queue.clear()
        await self._db(self.store.mark_recipient_gone, message.channel, message.address,
                       f"{SendOutcome.RECIPIENT_GONE.value}: {exc.reason}")
        for item in items:
            self._forget(channel, item.message.id)

    async def _permanent(self, channel: _Channel, lane: _Lane, held: _Held,
                         exc: SendError) -> None:
        """The provider refuses this message: record why and move on."""
        log.warning("%s failed permanently: %s", self._where(held.message), exc.reason)
        await self._db(self.store.mark_failed, held.message.id, self.worker_id,
                       f"{SendOutcome.PERMANENT.value}: {exc.reason}")
        self._forget(channel, held.message.id)

    def _record_sent(self, message_id: int, provider_id: str) -> None:
        """Mark sent in batches: sends that finish while one batch is being written join
        the next, so under load one transaction records many messages."""
        self._sent_batch.append((message_id, provider_id))
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_batches(), name="sender-record")

    async def _record_batches(self) -> None:
        while self._sent_batch:
            batch, self._sent_batch = self._sent_batch, []
            await self._db(self.store.mark_sent_many, batch)

    def _forget(self, channel: _Channel, message_id: int) -> None:
        """A failed message is no longer ours. Called after the row says so: until then a
        claim that finds its lease lapsed hands it back to us, and we must still know
        that we hold it (_enqueue) rather than send it again."""
        self._held_ids.discard(message_id)
        self.metrics.messages_failed.inc(channel=channel.name)

    async def _release_lane(self, lane: _Lane, held: _Held, exc: Throttled) -> None:
        """A long wait: give the lane's messages back to the outbox, due after it."""
        at = self.store.clock() + timedelta(seconds=exc.retry_after)
        items = [held, *lane.queue]
        lane.queue.clear()
        for item in items:
            self._held_ids.discard(item.message.id)
            await self._db(self.store.schedule_retry, item.message.id, self.worker_id, at,
                           exc.reason, False)

    async def _blocking(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        call = functools.partial(fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self.executor, call)

    async def _db(self, fn: Callable[..., T], *args: Any) -> T | None:
        """Run a store call off the loop; keep trying a while if the database is away."""
        delay = 0.2
        for attempt in range(8):
            try:
                return await self._blocking(fn, *args)
            except DBAPIError as exc:
                log.warning("outbox update failed (%s), attempt %d", exc.__class__.__name__,
                            attempt + 1)
                await asyncio.sleep(delay)
                delay = min(5.0, delay * 2)
        log.error("outbox update abandoned; the lease expiry will hand the message on")
        return None
