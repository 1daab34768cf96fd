"""Benchmark: the SMS channel. Inbound webhook load against the floors; the send rate.

    python -m bench.sms [--duration 8] [--residents 32] [--rate 20] [--messages 200]

1. Inbound: `--residents` basic phones each text "hallo" (a new MessageSid every time,
   signed as Twilio signs) as fast as the server answers, for `--duration` s, on
   keep-alive loopback connections. Servers, each its own process on one uvicorn worker,
   all in this run:
     telegram-floor  bench.webhook_servers' bare endpoint that parses an Update (JSON);
     sms-floor       a bare endpoint that parses Twilio's form and answers empty TwiML;
     sms-floor+sig   the same, plus the X-Twilio-Signature check (RequestValidator);
     ours            `digicheque run`'s serve() on SQLite: signature, the engine's
                     transaction (inbound id, conversation, outbox), then the empty
                     TwiML; replies go out through the sender to a fake Twilio REST
                     server in this process.
   Figures: answered requests/s, and the latency from POST to the HTTP answer.
2. Send rate: `--messages` replies (one and two segments, mixed) wait in the outbox; the
   real sender with the twilio client sends them at `[twilio] send_rate = --rate`
   segments/s to a fake Twilio REST server that answers 429 above that rate (with
   network jitter forgiven, as the tests' fake). Figures: the achieved rate in segments
   per second, as a share of the configured rate (goal >= 97%), and the 429s (goal 0).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import signal
import socket
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "AC" + "0" * 32
TOKEN = "bench-twilio-token"
PUBLIC = "https://sms.example.org"
OUR_NUMBER = "+32460200300"
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
UVICORN: dict[str, Any] = {"log_level": "warning", "access_log": False, "lifespan": "off",
                           "loop": "asyncio", "http": "h11", "ws": "none"}
JITTER = 0.1
_sids = itertools.count(1)


# ---------------------------------------------------------------------------- servers

def sms_floor_app(check_signature: bool) -> Starlette:
    validator = RequestValidator(TOKEN)

    async def webhook(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        if check_signature and not validator.validate(
                PUBLIC + request.url.path, form, request.headers.get("x-twilio-signature", "")):
            return Response(status_code=403)
        return Response(TWIML, media_type="text/xml")

    return Starlette(routes=[Route("/twilio/sms", webhook, methods=["POST"])])


def serve_process(mode: str, port: int, db: str, api: str) -> None:
    if mode == "telegram-floor":
        from bench.webhook_servers import floor_app
        app = floor_app()
    elif mode in ("sms-floor", "sms-floor+sig"):
        app = sms_floor_app(mode == "sms-floor+sig")
    else:
        asyncio.run(_serve_ours(port, db, api))
        return
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **UVICORN))
    server.run()


async def _serve_ours(port: int, db: str, api: str) -> None:
    from bot.commands.run import serve
    from bot.config import Settings, TwilioSettings
    from storage.clock import system_clock
    from storage.db import make_engine, make_sessionmaker

    settings = Settings(twilio=TwilioSettings(
        account_sid=ACCOUNT, auth_token=TOKEN, from_number=OUR_NUMBER, public_base_url=PUBLIC,
        api_base_url=api, send_rate=1000.0))
    engine = make_engine(db)
    sock = socket.create_server(("127.0.0.1", port))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await serve(settings, engine, make_sessionmaker(engine), system_clock, sock=sock, stop=stop)


def server(mode: str, db: str = "", api: str = "") -> Any:
    """One server under test in its own process (bench.webhook_e2e starts and stops it)."""
    from bench.webhook_e2e import server as subprocess_server
    return subprocess_server(mode, "--db", db, "--api", api, command=("bench.sms", "--serve"))


# ---------------------------------------------------------------------------- fake Twilio

class FakeTwilio:
    """Messages.json on loopback: counts segments, refuses above `rate` (429)."""

    def __init__(self, rate: float | None = None) -> None:
        from conversations.gsm7 import segments
        self.segments = segments
        self.rate = rate
        self.accepted: list[tuple[float, int]] = []   # (arrival, segments)
        self.refused = 0
        auth = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        self.expected_auth = f"Basic {auth}"
        self.app = Starlette(routes=[Route("/2010-04-01/Accounts/{account}/Messages.json",
                                           self.create, methods=["POST"])])

    async def create(self, request: Request) -> Response:
        at = time.monotonic()
        if request.headers.get("authorization") != self.expected_auth:
            return JSONResponse({"code": 20003, "message": "Authenticate"}, status_code=401)
        form = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
        count = self.segments(form.get("Body", ""))
        if self.rate is not None:
            recent = sum(n for t, n in self.accepted if at - t < 1.0 - JITTER)
            if recent + count > self.rate + count - 1:
                self.refused += 1
                return JSONResponse({"code": 20429, "message": "Too Many Requests"},
                                    status_code=429)
        self.accepted.append((at, count))
        sid = f"SM{next(_sids):032x}"
        return JSONResponse({"sid": sid, "status": "queued", "to": form.get("To"),
                             "body": form.get("Body"), "num_segments": str(count)},
                            status_code=201)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[str]:
        sock = socket.create_server(("127.0.0.1", 0))
        srv = uvicorn.Server(uvicorn.Config(self.app, **UVICORN))
        task = asyncio.create_task(srv.serve(sockets=[sock]))
        while not srv.started:
            await asyncio.sleep(0.01)
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            srv.should_exit = True
            await task
            sock.close()


# ---------------------------------------------------------------------------- load

class Phone:
    """One keep-alive connection posting one resident's texts."""

    def __init__(self, port: int, number: str, mode: str) -> None:
        self.port, self.number, self.mode = port, number, mode
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.validator = RequestValidator(TOKEN)

    def request(self) -> bytes:
        sid = f"SM{next(_sids):032d}"
        if self.mode == "telegram-floor":
            body = (b'{"update_id":%d,"message":{"message_id":1,"date":0,"chat":{"id":%s,'
                    b'"type":"private"},"text":"hallo"}}' % (next(_sids), self.number[1:].encode()))
            return (b"POST /telegram HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"Content-Length: %d\r\n\r\n" % len(body)) + body
        form = {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT, "From": self.number,
                "To": OUR_NUMBER, "Body": "hallo", "NumMedia": "0"}
        signature = self.validator.compute_signature(PUBLIC + "/twilio/sms", form)
        body = urlencode(form).encode()
        return (b"POST /twilio/sms HTTP/1.1\r\nHost: x\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\n"
                b"X-Twilio-Signature: " + signature.encode() + b"\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body)) + body

    async def post(self) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(self.request())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = next((int(v) for n, _, v in (line.partition(":") for line in lines[1:])
                       if n.strip().lower() == "content-length"), 0)
        if length:
            await self.reader.readexactly(length)
        return int(lines[0].split(" ", 2)[1])

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def load(port: int, mode: str, residents: int, duration: float) -> tuple[float, list[float]]:
    phones = [Phone(port, f"+3247{i:07d}", mode) for i in range(residents)]
    latencies: list[float] = []
    bad: list[int] = []
    deadline = time.monotonic() + duration

    async def resident(phone: Phone) -> None:
        while time.monotonic() < deadline:
            start = time.monotonic()
            status = await phone.post()
            latencies.append(time.monotonic() - start)
            if status != 200:
                bad.append(status)

    started = time.monotonic()
    await asyncio.gather(*(resident(p) for p in phones))
    elapsed = time.monotonic() - started
    for p in phones:
        p.close()
    if bad:
        raise SystemExit(f"{mode}: {len(bad)} answers were not 200 (e.g. {bad[0]})")
    return len(latencies) / elapsed, latencies


def pct(values: list[float], p: float) -> float:
    """The p-th percentile in milliseconds (NaN for fewer than two values)."""
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] * 1000


async def inbound(args: argparse.Namespace, folder: Path) -> None:
    from storage.db import make_engine, upgrade
    db = f"sqlite:///{folder / 'sms-bench.db'}"
    engine = make_engine(db)
    upgrade(engine)
    engine.dispose()
    print(f"1. inbound webhooks: {args.residents} phones, {args.duration:.0f} s each")
    print(f"   {'server':16} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'of floor':>9}")
    fake = FakeTwilio()
    rates: dict[str, float] = {}
    async with fake.running() as api:
        for mode in ("telegram-floor", "sms-floor", "sms-floor+sig", "ours"):
            async with server(mode, db, api) as port:
                await load(port, mode, 4, 1.0)   # warm-up: imports, connections, caches
                rate, lat = await load(port, mode, args.residents, args.duration)
            rates[mode] = rate
            share = rate / rates["telegram-floor"]
            print(f"   {mode:16} {rate:8.0f} {pct(lat, 50):8.1f} {pct(lat, 99):8.1f} "
                  f"{share:8.0%}")
    print(f"   replies accepted by the fake Twilio: {len(fake.accepted)}")


async def send_rate(args: argparse.Namespace, folder: Path) -> None:
    from bot.channels import sms
    from bot.config import TwilioSettings
    from bot.sender import Sender
    from storage.clock import system_clock
    from storage.db import make_engine, make_sessionmaker, upgrade
    from storage.models import Priority
    from storage.outbox import OutboxStore, enqueue

    engine = make_engine(f"sqlite:///{folder / 'sms-rate.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    short = "Dank u, uw code is goed. Wat is uw postcode?"
    long = ("Klopt dit? Bezoek op donderdag 3 december van 13:00 tot 14:30, Kerkstraat 12, "
            "9100. Hulp met: itsme. Tel. 0470 11 12 22.\n1 Ja, boek het\n2 Ander moment\n"
            "3 Adres, nummer of hulp wijzigen")
    now = datetime.now(timezone.utc)
    with sessions.begin() as s:
        for i in range(args.messages):
            enqueue(s, channel="sms", address=f"+3247{i:07d}", body=long if i % 3 else short,
                    choices=None, now=now, resident_id=None, priority=Priority.REPLY)
    fake = FakeTwilio(rate=args.rate)
    async with fake.running() as api:
        settings = TwilioSettings(account_sid=ACCOUNT, auth_token=TOKEN,
                                  from_number=OUR_NUMBER, api_base_url=api,
                                  send_rate=args.rate)
        texts = sms.sms_sender(settings)
        sender = Sender(OutboxStore(sessions, system_clock), {"sms": texts},
                        {"sms": sms.limits(settings)})
        sender.start()
        while len(fake.accepted) < args.messages:
            await asyncio.sleep(0.05)
        await sender.stop()
        await texts.close()
    engine.dispose()
    times = [t for t, _ in fake.accepted]
    total = sum(n for _, n in fake.accepted)
    span = max(times) - min(times)
    achieved = (total - fake.accepted[-1][1]) / span   # segments sent before the last one
    print(f"2. send rate: {args.messages} replies, {total} segments, configured "
          f"{args.rate:g} segments/s")
    print(f"   achieved {achieved:.2f} segments/s = {achieved / args.rate:.1%} of the "
          f"configured rate; 429s from the fake: {fake.refused}")


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await inbound(args, Path(tmp))
        await send_rate(args, Path(tmp))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sms", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per server")
    parser.add_argument("--residents", type=int, default=32, help="concurrent phones")
    parser.add_argument("--rate", type=float, default=20.0, help="send rate, segments/s")
    parser.add_argument("--messages", type=int, default=200, help="replies to send")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--db", default="", help=argparse.SUPPRESS)
    parser.add_argument("--api", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_process(args.serve, args.port, args.db, args.api)
        return
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
