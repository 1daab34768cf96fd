"""Benchmark: a broadcast's enqueue against a plain bulk insert; its send rate.

    python -m bench.broadcast [--recipients 100000] [--repeat 3] [--only sqlite|postgresql]
                              [--messages 500] [--rate 24] [--burst 4]

1. Enqueue. For each database (SQLite in a temporary file; PostgreSQL in a throw-away
   database created and dropped here, server from DIGICHEQUE_TEST_POSTGRES_URL or the
   local default) with `--recipients` residents (nl/fr/en, Telegram and SMS), on a
   freshly emptied outbox each time:
     broadcast  storage.broadcasts.create + send, as `digicheque broadcast create --yes`
                runs them: the audience ('all') selected in SQL, one INSERT ... SELECT of
                an outbox row per resident with their language's text, the count, commit;
     baseline   one executemany of the same outbox rows (ready-made dicts, the selection
                already done) into the same table, in one transaction, commit.
   The two alternate within each repeat. Figures: median seconds of each, their ratio;
   goal in the issue: 100,000 recipients in under 5 s on PostgreSQL.
2. Send rate. A broadcast to `--messages` Telegram residents goes out through the real
   sender and python-telegram-bot to a fake Bot API on loopback that answers 429 (with
   retry_after) to any message above `--rate` a second (network jitter forgiven, as
   bench/sms.py's fake Twilio), the sender configured with Telegram's limits at that
   rate. Figures: the achieved rate, as a share of the configured rate (goal >= 97%),
   and the 429s (goal 0). For comparison in the same run, the same rows at reply
   priority, which do not keep the channel's reply reserve in the bucket.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import statistics
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs

import uvicorn
from sqlalchemy import Engine, Table, func, insert, select, text, update
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.pg import throwaway_database
from storage import broadcasts
from storage.broadcasts import Audience
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Outbox, OutboxStatus, Priority, Resident

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
TEXTS = {"nl": "Het stadhuis is dicht op 24 en 25 december. Uw bezoek gaat gewoon door.",
         "fr": "L'hotel de ville est ferme les 24 et 25 decembre. Votre visite a lieu.",
         "en": "City hall is closed on 24 and 25 December. Your visit goes ahead."}
LANGS = ("nl", "nl", "fr", "en")
UVICORN: dict[str, Any] = {"log_level": "warning", "access_log": False, "lifespan": "off",
                           "loop": "asyncio", "http": "h11", "ws": "none"}
JITTER = 0.1
TOKEN = "123456:bench-broadcast"


# ---------------------------------------------------------------------------- 1. enqueue

def residents(count: int) -> list[dict[str, Any]]:
    return [{"channel": "telegram" if n % 3 else "sms",
             "address": f"+3247{n:07d}" if n % 3 == 0 else str(10_000_000 + n),
             "language": LANGS[n % 4], "created_at": NOW} for n in range(count)]


def outbox_rows(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows the broadcast writes, ready-made (ids are 1.. in insertion order)."""
    return [{"resident_id": n + 1, "channel": p["channel"], "address": p["address"],
             "body": TEXTS[p["language"]], "priority": Priority.BROADCAST,
             "status": OutboxStatus.PENDING.value, "attempts": 0, "next_attempt_at": NOW,
             "created_at": NOW, "broadcast_id": None} for n, p in enumerate(people)]


def empty_outbox(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM outbox"))
        conn.execute(text("DELETE FROM broadcasts"))
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE outbox")


def run_broadcast(engine: Engine) -> tuple[float, int]:
    sessions = make_sessionmaker(engine)
    start = time.perf_counter()
    with sessions.begin() as session:
        created = broadcasts.create(session, texts=TEXTS, audience=Audience("all"), now=NOW)
        queued = broadcasts.send(session, created.id, NOW)
    return time.perf_counter() - start, queued or 0


def run_baseline(engine: Engine, rows: list[dict[str, Any]]) -> tuple[float, int]:
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(cast(Table, Outbox.__table__)), rows)
    return time.perf_counter() - start, len(rows)


def count_outbox(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Outbox)).scalar_one())


@contextmanager
def sqlite_database(folder: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{folder / 'broadcast.db'}")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def postgres_database(folder: Path) -> Iterator[Engine]:
    with throwaway_database() as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()


def enqueue(label: str, database: Callable[[Path], Any], count: int, repeat: int) -> None:
    people = residents(count)
    rows = outbox_rows(people)
    timings: dict[str, list[float]] = {"broadcast": [], "baseline": []}
    with tempfile.TemporaryDirectory() as tmp, database(Path(tmp)) as engine:
        with engine.begin() as conn:
            conn.execute(insert(cast(Table, Resident.__table__)), people)
        for round_ in range(repeat):
            order = ("broadcast", "baseline") if round_ % 2 == 0 else ("baseline", "broadcast")
            for what in order:
                empty_outbox(engine)
                took, queued = run_broadcast(engine) if what == "broadcast" \
                    else run_baseline(engine, rows)
                if queued != count or count_outbox(engine) != count:
                    raise SystemExit(f"{label} {what}: {queued} queued, expected {count}")
                timings[what].append(took)
    ours, base = (statistics.median(timings[k]) for k in ("broadcast", "baseline"))
    print(f"{label:<11} broadcast {ours:6.2f} s   baseline {base:6.2f} s   "
          f"ratio {ours / base:4.2f}x   (runs: broadcast "
          f"{' '.join(f'{t:.2f}' for t in timings['broadcast'])}; baseline "
          f"{' '.join(f'{t:.2f}' for t in timings['baseline'])})")


# ---------------------------------------------------------------------------- 2. send rate

class RateKeepingBotApi:
    """sendMessage on loopback that refuses (429, retry_after 1) above `rate` a second."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.accepted: list[float] = []
        self.refused = 0
        self.chats: set[str] = set()
        self.duplicates = 0
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self.endpoint,
                                           methods=["GET", "POST"])])

    async def endpoint(self, request: Request) -> Response:
        at = time.monotonic()
        method = request.path_params["method"]
        if method == "getMe":
            return self.ok({"id": 123456, "is_bot": True, "first_name": "Bench",
                            "username": "bench_bot"})
        body = (await request.body()).decode()   # form-encoded, as python-telegram-bot sends
        form = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
        recent = sum(1 for t in self.accepted[-int(self.rate) - 2:] if at - t < 1.0 - JITTER)
        if recent >= self.rate:
            self.refused += 1
            return JSONResponse({"ok": False, "error_code": 429,
                                 "description": "Too Many Requests: retry after 1",
                                 "parameters": {"retry_after": 1}}, status_code=429)
        self.accepted.append(at)
        chat = str(form.get("chat_id"))
        self.duplicates += chat in self.chats
        self.chats.add(chat)
        return self.ok({"message_id": len(self.accepted), "date": int(time.time()),
                        "chat": {"id": int(chat), "type": "private"},
                        "text": str(form.get("text", ""))})

    @staticmethod
    def ok(result: Any) -> Response:
        return JSONResponse({"ok": True, "result": result})

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        sock = socket.create_server(("127.0.0.1", 0))
        server = uvicorn.Server(uvicorn.Config(self.app, **UVICORN))
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}/bot"
        finally:
            server.should_exit = True
            await task


async def send_rate(args: argparse.Namespace, folder: Path, as_replies: bool = False) -> None:
    from bot.channels.telegram import LIMITS, TelegramSender, make_bot
    from bot.config import TelegramSettings
    from bot.sender import Sender
    from storage.clock import system_clock
    from storage.outbox import OutboxStore

    engine = make_engine(f"sqlite:///{folder / f'rate{int(as_replies)}.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    now = system_clock()
    with sessions.begin() as s:
        s.execute(insert(Resident), [{"channel": "telegram", "address": str(50_000_000 + n),
                                      "language": LANGS[n % 4], "created_at": now}
                                     for n in range(args.messages)])
        created = broadcasts.create(s, texts=TEXTS, audience=Audience("all"), now=now)
        broadcasts.send(s, created.id, now)
        if as_replies:   # the same rows at reply priority: no token kept back for replies
            s.execute(update(Outbox).values(priority=Priority.REPLY))
    fake = RateKeepingBotApi(args.rate)
    limits = replace(LIMITS, global_rate=args.rate,
                     global_burst=args.burst if args.burst else LIMITS.global_burst)
    async with fake.running() as api:
        bot = make_bot(TelegramSettings(token=TOKEN, api_base_url=api))
        await bot.initialize()
        sender = Sender(OutboxStore(sessions, system_clock),
                        {"telegram": TelegramSender(bot)}, {"telegram": limits})
        sender.start()
        while len(fake.accepted) < args.messages:
            await asyncio.sleep(0.05)
        await sender.stop()
        await bot.shutdown()
    engine.dispose()
    skip = int(limits.global_burst)   # the opening burst is not the rate
    times = fake.accepted[skip:]
    achieved = (len(times) - 1) / (times[-1] - times[0])
    what = "the same rows as replies" if as_replies else "broadcast"
    print(f"   {what:<25} {achieved:6.2f} messages/s = {achieved / args.rate:6.1%} of the "
          f"configured rate; 429s: {fake.refused}; duplicates: {fake.duplicates}")


def main(argv: list[str] | None = None) -> None:
    from bot.channels.telegram import LIMITS
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipients", type=int, default=100_000, help="residents")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, median reported")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--messages", type=int, default=500, help="broadcast to send")
    parser.add_argument("--rate", type=float, default=LIMITS.global_rate,
                        help="messages/s configured (default: Telegram's)")
    parser.add_argument("--burst", type=float, default=None,
                        help="the channel's burst instead of Telegram's (reply reserve kept)")
    args = parser.parse_args(argv)
    if args.recipients:
        print(f"1. enqueue: {args.recipients} recipients; median of {args.repeat} runs")
    for label, database in (("SQLite", sqlite_database), ("PostgreSQL", postgres_database)):
        if args.recipients and args.only in (None, label.lower()):
            enqueue(label, database, args.recipients, args.repeat)
    if args.messages:
        burst = args.burst or LIMITS.global_burst
        print(f"2. send rate: {args.messages} Telegram residents, configured {args.rate:g} "
              f"messages/s (burst {burst:g}, {LIMITS.reply_reserve:g} kept for replies)")
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(send_rate(args, Path(tmp)))
            asyncio.run(send_rate(args, Path(tmp), as_replies=True))


if __name__ == "__main__":
    main()
