"""The load side of the webhook benchmarks: residents, a raw HTTP client, a fake Bot API.

All of it runs on one asyncio loop in the benchmark's own process, apart from the
server under test. The HTTP client and the fake Bot API are written on bare asyncio
streams and protocols, not httpx/Starlette, so that the load side costs little and the
floor (a bare endpoint) is not capped by the load generator.

A resident is a closed loop: it posts one Update, waits for the HTTP answer and for the
first reply message to reach the fake Bot API, and only then sends its next message
(choosing a button from the last keyboard it got where the script says so). Latency is
measured from just before the POST to that first reply (or to the HTTP answer, for the
floor, which does not reply).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs

SECRET = "bench-secret-0123456789abcdef"
TOKEN = "424242:BENCH-token"


@dataclass(frozen=True)
class Button:
    """In a script: press the button at this position of the last keyboard."""

    index: int


Script = Sequence[str | Button]


# ---------------------------------------------------------------------------- fake API

class FakeBotAPI(asyncio.Protocol):
    """A minimal Bot API over HTTP/1.1 keep-alive: getMe, sendMessage, the webhook calls.

    Each sendMessage is reported to `on_message(chat_id, arrival, labels)`.
    """

    on_message: Callable[[int, float, list[str] | None], None] = staticmethod(
        lambda chat, at, labels: None)
    sent = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            end = head_end + 4 + length
            if len(self.buffer) < end:
                return
            body, self.buffer = self.buffer[head_end + 4:end], self.buffer[end:]
            path = head.split(" ", 2)[1]
            self.respond(path.rsplit("/", 1)[-1].lower(), body)

    def respond(self, method: str, body: bytes) -> None:
        arrival = time.monotonic()
        result: object = True
        if method == "sendmessage":
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            chat = int(form["chat_id"])
            labels = None
            if "reply_markup" in form:
                keyboard = json.loads(form["reply_markup"]).get("keyboard")
                if keyboard:
                    labels = [b["text"] if isinstance(b, dict) else b
                              for row in keyboard for b in row]
            FakeBotAPI.sent += 1
            result = {"message_id": FakeBotAPI.sent, "date": 0,
                      "chat": {"id": chat, "type": "private"}}
            FakeBotAPI.on_message(chat, arrival, labels)
        elif method == "getme":
            result = {"id": 424242, "is_bot": True, "first_name": "Bench",
                      "username": "bench_bot"}
        elif method == "getupdates":
            result = []
        payload = json.dumps({"ok": True, "result": result}).encode()
        self.transport.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n"
                             + payload)


async def start_fake_api() -> tuple[asyncio.Server, str]:
    """The fake Bot API on a free loopback port; returns (server, base_url for the bot)."""
    server = await asyncio.get_running_loop().create_server(FakeBotAPI, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/bot"


# ---------------------------------------------------------------------------- client

class Connection:
    """One keep-alive HTTP/1.1 connection that POSTs Updates to /telegram.

    uvicorn closes a connection idle for 5 s (its keep-alive timeout); one idle longer
    than IDLE_LIMIT is replaced before the next POST rather than found closed after it.
    """

    IDLE_LIMIT = 4.0

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0

    async def post(self, body: bytes) -> int:
        if self.writer is not None and time.monotonic() - self.last_used > self.IDLE_LIMIT:
            self.close()
            self.writer = None
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(b"POST /telegram HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          b"Content-Type: application/json\r\n"
                          b"X-Telegram-Bot-Api-Secret-Token: " + SECRET.encode() + b"\r\n"
                          b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if length:
            await self.reader.readexactly(length)
        self.last_used = time.monotonic()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


# ---------------------------------------------------------------------------- residents

_update_ids = itertools.count(1)


def update_json(chat: int, text: str) -> bytes:
    message: dict[str, object] = {
        "message_id": 1, "date": 1764576000,
        "chat": {"id": chat, "type": "private", "first_name": "Bench"},
        "from": {"id": chat, "is_bot": False, "first_name": "Bench", "language_code": "nl"},
        "text": text}
    if text.startswith("/"):  # as Telegram marks a command
        message["entities"] = [{"type": "bot_command", "offset": 0,
                                "length": len(text.split(" ", 1)[0])}]
    return json.dumps({"update_id": next(_update_ids), "message": message}).encode()


@dataclass
class Stats:
    """What one run measured."""

    latencies: list[float] = field(default_factory=list)   # seconds
    settling: list[float] = field(default_factory=list)    # rate mode: the first wave
    errors: int = 0
    timeouts: int = 0
    missed_ticks: int = 0          # rate mode: no idle resident when a message was due
    conversations: int = 0
    started: float = 0.0
    ended: float = 0.0

    @property
    def updates(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.updates / max(1e-9, self.ended - self.started)

    def percentile(self, p: float, of: list[float] | None = None) -> float:
        values = self.latencies if of is None else of
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def line(self, label: str) -> str:
        text = (f"{label:<34} {self.rate:8.0f} upd/s   p50 {self.percentile(50) * 1000:7.1f} ms"
                f"   p99 {self.percentile(99) * 1000:7.1f} ms   ({self.updates} updates, "
                f"{self.conversations} conversations, {self.errors} errors, "
                f"{self.timeouts} timeouts, {self.missed_ticks} missed)")
        if self.settling:
            text += (f"\n{'':34} first wave (all residents in step): p50 "
                     f"{self.percentile(50, self.settling) * 1000:.1f} ms, p99 "
                     f"{self.percentile(99, self.settling) * 1000:.1f} ms, "
                     f"max {max(self.settling) * 1000:.1f} ms ({len(self.settling)} updates)")
        return text


class Crowd:
    """Residents with their scripts, fed by the fake Bot API's arrivals."""

    def __init__(self, port: int, scripts: Iterator[tuple[int, Script]], wait_reply: bool,
                 timeout: float = 10.0) -> None:
        self.port = port
        self.scripts = scripts
        self.wait_reply = wait_reply
        self.timeout = timeout
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.keyboards: dict[int, tuple[int, list[str]]] = {}
        self.turns: dict[int, int] = {}
        self.keyboard_arrived: dict[int, asyncio.Event] = {}
        self.stats = Stats()
        self.settle_until = 0.0  # messages posted before this go to stats.settling
        FakeBotAPI.on_message = self.on_message

    def on_message(self, chat: int, arrival: float, labels: list[str] | None) -> None:
        future = self.waiting.pop(chat, None)
        if future is not None and not future.done():
            future.set_result(arrival)
        if labels:
            self.keyboards[chat] = (self.turns.get(chat, 0), labels)
            event = self.keyboard_arrived.get(chat)
            if event is not None:
                event.set()

    async def _text(self, chat: int, step: str | Button) -> str:
        if isinstance(step, str):
            return step
        turn = self.turns.get(chat, 0)
        event = self.keyboard_arrived.setdefault(chat, asyncio.Event())
        while self.keyboards.get(chat, (-1, []))[0] != turn:
            event.clear()
            await asyncio.wait_for(event.wait(), self.timeout)
        labels = self.keyboards[chat][1]
        return labels[min(step.index, len(labels) - 1)]

    async def say(self, conn: Connection, chat: int, step: str | Button) -> None:
        """One message: post it, wait for the answer (and the reply), record the latency."""
        text = await self._text(chat, step)
        loop = asyncio.get_running_loop()
        future: asyncio.Future[float] = loop.create_future()
        if self.wait_reply:
            self.waiting[chat] = future
        self.turns[chat] = self.turns.get(chat, 0) + 1
        body = update_json(chat, text)
        start = time.monotonic()
        status = await conn.post(body)
        if status != 200:
            self.stats.errors += 1
            self.waiting.pop(chat, None)
            return
        record = self.stats.latencies if start >= self.settle_until else self.stats.settling
        if not self.wait_reply:
            record.append(time.monotonic() - start)
            return
        try:
            arrival = await asyncio.wait_for(future, self.timeout)
        except TimeoutError:
            self.stats.timeouts += 1
            raise
        record.append(arrival - start)

    async def resident(self, deadline: float, ticket: asyncio.Queue[None] | None) -> None:
        """Conversations back to back until the deadline (rate mode: one step per ticket)."""
        conn = Connection(self.port)
        try:
            while time.monotonic() < deadline:
                chat, script = next(self.scripts)
                try:
                    for step in script:
                        if ticket is not None:
                            await ticket.get()
                        if time.monotonic() >= deadline:
                            return
                        await self.say(conn, chat, step)
                except TimeoutError:
                    continue  # give this conversation up, start another
                self.stats.conversations += 1
        finally:
            conn.close()

    async def run_closed(self, residents: int, duration: float) -> Stats:
        """As fast as it goes: every resident sends again as soon as answered."""
        self.stats.started = time.monotonic()
        deadline = self.stats.started + duration
        await asyncio.gather(*[self.resident(deadline, None) for _ in range(residents)])
        self.stats.ended = time.monotonic()
        return self.stats

    async def run_rate(self, residents: int, duration: float, rate: float,
                       settle: float = 0.0) -> Stats:
        """Open loop: one message every 1/rate s, from whichever resident is ready.

        All residents start their first conversation together, so for one conversation's
        length they move in step: one second every first message, later every
        confirmation at once. The first `settle` seconds (at the same rate) are kept
        apart, in stats.settling; the figures are of the steady state after them.
        """
        tickets: asyncio.Queue[None] = asyncio.Queue()
        begin = time.monotonic()
        self.settle_until = begin + settle
        deadline = self.settle_until + duration
        tasks = [asyncio.create_task(self.resident(deadline, tickets)) for _ in range(residents)]
        interval = 1.0 / rate
        due = begin
        while due < deadline:
            due += interval
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            if due >= self.settle_until and tickets.qsize() > 0:
                self.stats.missed_ticks += 1  # nobody took the last one: all were busy
            else:
                tickets.put_nowait(None)
        for _ in tasks:
            tickets.put_nowait(None)
        await asyncio.gather(*tasks)
        self.stats.started = self.settle_until
        self.stats.ended = time.monotonic()
        return self.stats


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.0f}" if values else "-"
