"""A fake Telegram Bot API server on loopback, and helpers to serve ASGI apps in tests.

FakeTelegram is a real HTTP server (Starlette on uvicorn, in a background thread) that
python-telegram-bot talks to through its base URL setting. It implements getMe,
sendMessage, getUpdates (a queue the test fills), setWebhook and deleteWebhook; records
every sendMessage request with the moment it arrived (time.monotonic, the same clock as
the sender's event loop); can be scripted to answer errors the way Telegram does (429
with retry_after, 403 blocked, 400, 500, 502 with an HTML body), or to deliver a message
and answer late (a timeout for the client); and measures the rates it saw, so tests can
assert the limits were kept.

EchoEngine stands in for conversations.engine.Engine where a test is about the runtime,
not the conversation: the same contract (record the inbound provider id, write the
replies to the outbox, one transaction, False for a duplicate, then tell the delivery).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self
from urllib.parse import parse_qs

import uvicorn
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from conversations.engine import Delivery
from conversations.incoming import Incoming
from storage.models import Inbound, Outbox, OutboxStatus, Priority, Resident

TOKEN = "123456:TEST-token-not-real"


# ---------------------------------------------------------------------------- serving

class ServerThread:
    """Serve an ASGI app with uvicorn on a free loopback port, in a daemon thread."""

    def __init__(self, app: ASGIApp, keep_alive: int = 5) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port: int = self.sock.getsockname()[1]
        config = uvicorn_config(app)
        config.timeout_keep_alive = keep_alive
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


def uvicorn_config(app: ASGIApp) -> uvicorn.Config:
    """uvicorn with nothing optional: plain asyncio, h11, no lifespan, quiet."""
    return uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                          loop="asyncio", http="h11", ws="none", timeout_graceful_shutdown=2)


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


# ---------------------------------------------------------------------------- records

@dataclass(frozen=True)
class SendRecord:
    """One sendMessage request as the fake received it."""

    chat_id: str
    text: str
    reply_markup: dict[str, Any] | None
    at: float            # time.monotonic() on arrival
    status: int          # what the fake answered
    message_id: int | None


@dataclass
class Failure:
    status: int
    description: str
    retry_after: int | None = None
    html: bool = False   # answer an HTML page instead of JSON (a proxy's 502)


def max_in_window(moments: Iterable[float], window: float) -> int:
    """The largest number of moments inside any half-open span [t, t + window)."""
    times = sorted(moments)
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


# ---------------------------------------------------------------------------- the fake

class FakeTelegram:
    """The fake Bot API. Use as a context manager; point the Bot at `base_url`."""

    def __init__(self, token: str = TOKEN, latency: float = 0.0) -> None:
        self.token = token
        self.latency = latency
        self._lock = threading.Lock()
        self.requests: list[SendRecord] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []   # every method call, in order
        self.webhook: dict[str, Any] | None = None
        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1000
        self._next_message_id = 1
        self._failures: dict[str | None, deque[Failure]] = defaultdict(deque)
        self._slow: dict[str, deque[float]] = defaultdict(deque)
        self._blocked: set[str] = set()
        self._stopping = False
        self._revoked = False
        # Idle connections stay open a minute, so that a client that never closes its
        # own shows in open_connections() (uvicorn's default would close them after 5 s).
        self._server = ServerThread(Starlette(routes=[
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]),
            keep_alive=60)

    # -------------------------------------------------------------- lifecycle

    def __enter__(self) -> Self:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping = True
        self._server.stop()

    @property
    def base_url(self) -> str:
        """What goes in [telegram] api_base_url: the token is appended by the client."""
        return f"{self._server.url}/bot"

    # -------------------------------------------------------------- scripting

    def fail_next(self, status: int, description: str, *, chat_id: str | None = None,
                  retry_after: int | None = None, times: int = 1, html: bool = False) -> None:
        """The next `times` sendMessage calls (to `chat_id`, or to anyone) fail so."""
        with self._lock:
            for _ in range(times):
                self._failures[chat_id].append(Failure(status, description, retry_after, html))

    def clear_failures(self) -> None:
        """The outage is over: the failures still scripted by fail_next are dropped."""
        with self._lock:
            self._failures.clear()

    def answer_late(self, chat_id: str, seconds: float, times: int = 1) -> None:
        """The next `times` sendMessage calls to `chat_id` are delivered (recorded with
        status 200, as Telegram would have sent them) but answered only after `seconds`."""
        with self._lock:
            self._slow[str(chat_id)].extend([seconds] * times)

    def throttle_next(self, retry_after: int, chat_id: str | None = None) -> None:
        self.fail_next(429, f"Too Many Requests: retry after {retry_after}", chat_id=chat_id,
                       retry_after=retry_after)

    def block(self, chat_id: str) -> None:
        """The user blocked the bot: every sendMessage to them answers 403."""
        with self._lock:
            self._blocked.add(str(chat_id))

    def revoke_token(self) -> None:
        """The token is revoked (as BotFather does): from now on every call answers 401."""
        with self._lock:
            self._revoked = True

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates; gives it the next update_id unless it has one."""
        with self._lock:
            if "update_id" not in update:
                update = {"update_id": self._next_update_id, **update}
            self._next_update_id = max(self._next_update_id, update["update_id"]) + 1
            self._updates.append(update)
        return update

    # -------------------------------------------------------------- reading

    @property
    def delivered(self) -> list[SendRecord]:
        """The sendMessage requests that succeeded, in arrival order."""
        with self._lock:
            return [r for r in self.requests if r.status == 200]

    def texts_to(self, chat_id: str) -> list[str]:
        return [r.text for r in self.delivered if r.chat_id == str(chat_id)]

    def attempts_to(self, chat_id: str) -> list[SendRecord]:
        with self._lock:
            return [r for r in self.requests if r.chat_id == str(chat_id)]

    def max_per_chat(self, window: float = 1.0) -> int:
        """The most sendMessage requests one chat got within any `window` seconds."""
        with self._lock:
            by_chat: dict[str, list[float]] = defaultdict(list)
            for r in self.requests:
                by_chat[r.chat_id].append(r.at)
        return max((max_in_window(v, window) for v in by_chat.values()), default=0)

    def max_global(self, window: float = 1.0) -> int:
        """The most sendMessage requests the bot made within any `window` seconds."""
        with self._lock:
            return max_in_window([r.at for r in self.requests], window)

    def open_connections(self) -> int:
        """Client connections open now: a Bot that was shut down has closed its own."""
        return len(self._server.server.server_state.connections)

    def requests_seen(self) -> int:
        """HTTP requests received, refused ones included."""
        return self._server.server.server_state.total_requests

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block (a sync test) until predicate() holds; AssertionError after timeout."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            time.sleep(0.01)

    async def until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """As wait_for, inside a test's event loop."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("condition not met in time")
            await asyncio.sleep(0.01)

    # -------------------------------------------------------------- the API

    async def _endpoint(self, request: Request) -> Response:
        at = time.monotonic()
        if request.path_params["token"] != self.token or self._revoked:
            return _error(401, "Unauthorized")
        params = await _params(request)
        method = request.path_params["method"].lower()
        with self._lock:
            self.calls.append((method, params))
        if self.latency:
            await asyncio.sleep(self.latency)
        handler = {
            "getme": self._get_me, "sendmessage": self._send_message,
            "getupdates": self._get_updates, "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
        }.get(method)
        if handler is None:
            return _error(404, "Not Found: method not found")
        return await handler(params, at)

    async def _get_me(self, params: dict[str, Any], at: float) -> Response:
        return _ok({"id": int(self.token.split(":")[0]), "is_bot": True,
                    "first_name": "Digicheque", "username": "digicheque_test_bot",
                    "can_join_groups": False, "can_read_all_group_messages": False,
                    "supports_inline_queries": False})

    async def _send_message(self, params: dict[str, Any], at: float) -> Response:
        chat_id = str(params.get("chat_id", ""))
        text = str(params.get("text", ""))
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        with self._lock:
            failure: Failure | None = None
            if chat_id in self._blocked:
                failure = Failure(403, "Forbidden: bot was blocked by the user")
            elif self._failures[chat_id]:
                failure = self._failures[chat_id].popleft()
            elif self._failures[None]:
                failure = self._failures[None].popleft()
            message_id = None if failure else self._next_message_id
            if failure is None:
                self._next_message_id += 1
            self.requests.append(SendRecord(chat_id, text, markup, at,
                                          failure.status if failure else 200, message_id))
            late = self._slow[chat_id].popleft() if failure is None and self._slow[chat_id] \
                else 0.0
        if late:
            await asyncio.sleep(late)
        if failure is not None:
            if failure.html:
                return Response(f"<html><body><h1>{failure.status} {failure.description}"
                                "</h1></body></html>", status_code=failure.status,
                                media_type="text/html")
            return _error(failure.status, failure.description, failure.retry_after)
        return _ok({"message_id": message_id, "date": int(time.time()),
                    "chat": {"id": int(chat_id) if chat_id.lstrip("-").isdigit() else 0,
                             "type": "private"},
                    "from": {"id": int(self.token.split(":")[0]), "is_bot": True,
                             "first_name": "Digicheque"},
                    "text": text})

    async def _get_updates(self, params: dict[str, Any], at: float) -> Response:
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:  # Telegram forgets what was confirmed by a higher offset
                    while self._updates and self._updates[0]["update_id"] < offset:
                        self._updates.popleft()
                batch = list(self._updates)[:limit]
            if self._revoked:  # a long poll open when the token is revoked ends too
                return _error(401, "Unauthorized")
            if batch or time.monotonic() >= deadline or self._stopping:
                return _ok(batch)
            await asyncio.sleep(0.01)

    async def _set_webhook(self, params: dict[str, Any], at: float) -> Response:
        allowed = params.get("allowed_updates")
        if isinstance(allowed, str):
            allowed = json.loads(allowed)
        with self._lock:
            self.webhook = {"url": params.get("url"), "secret_token": params.get("secret_token"),
                            "allowed_updates": allowed}
        return _ok(True)

    async def _delete_webhook(self, params: dict[str, Any], at: float) -> Response:
        with self._lock:
            self.webhook = None
        return _ok(True)


async def _params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await request.body()
        params.update(json.loads(body) if body else {})
    elif request.method == "POST":  # form-encoded, as python-telegram-bot sends
        form = (await request.body()).decode("utf-8")
        params.update({k: v[-1] for k, v in parse_qs(form, keep_blank_values=True).items()})
    return params


def _ok(result: Any) -> Response:
    return JSONResponse({"ok": True, "result": result})


def _error(status: int, description: str, retry_after: int | None = None) -> Response:
    payload: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        payload["parameters"] = {"retry_after": retry_after}
    return JSONResponse(payload, status_code=status)


# ---------------------------------------------------------------------------- updates

def text_update(chat_id: int, text: str, *, update_id: int | None = None,
                language_code: str = "nl") -> dict[str, Any]:
    """A private text message Update, as Telegram sends it."""
    update: dict[str, Any] = {"message": {
        "message_id": 1, "date": 1764576000,
        "chat": {"id": chat_id, "type": "private", "first_name": "Resident"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Resident",
                 "language_code": language_code},
        "text": text}}
    if update_id is not None:
        update["update_id"] = update_id
    return update


# ---------------------------------------------------------------------------- engine

class EchoEngine:
    """Stand-in for the conversation engine: same contract, one echo reply per message."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime],
                 choices: list[str] | None = None, delivery: Delivery | None = None) -> None:
        self.sessions = sessions
        self.clock = clock
        self.choices = choices
        self.delivery = delivery  # woken after each commit, as the engine does

    def handle(self, msg: Incoming) -> bool:
        now = self.clock()
        try:
            with self.sessions.begin() as session:
                session.add(Inbound(channel=msg.channel, provider_id=msg.provider_id,
                                    received_at=now))
                session.flush()  # a duplicate provider id fails here, before anything else
                resident = session.scalars(select(Resident).where(
                    Resident.channel == msg.channel, Resident.address == msg.address)
                ).one_or_none()
                if resident is None:
                    resident = Resident(channel=msg.channel, address=msg.address,
                                        language=msg.language_hint or "nl", created_at=now)
                    session.add(resident)
                    session.flush()
                session.add(Outbox(resident_id=resident.id, channel=msg.channel,
                                   address=msg.address, body=f"echo: {msg.text or msg.kind}",
                                   choices=self.choices, priority=Priority.REPLY,
                                   status=OutboxStatus.PENDING, next_attempt_at=now,
                                   created_at=now))
        except IntegrityError:
            return False
        if self.delivery is not None:
            self.delivery.wake()
        return True
