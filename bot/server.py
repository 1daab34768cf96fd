"""The ASGI app: the Telegram and Twilio webhooks, health and metrics (Starlette on uvicorn).

The webhook only verifies, reads, converts and hands over (STYLE.md); the engine commits
the update and its replies in one transaction (G1) and only then do we answer 200, so a
non-2xx answer makes Telegram deliver the update again and a 2xx means it is safe:
- the secret token header is compared in constant time before the body is read (G9);
  with no secret configured the webhook refuses everything;
- the body is read up to MAX_BODY bytes, no further (413 beyond);
- a database that cannot be reached (a transient error, bot.failures) gives 503, so
  Telegram retries later;
- an update we cannot read (not JSON, the wrong shape, ids beyond 64 bits), or one whose
  handling fails for a reason of its own, is logged with its id, counted and answered
  200: Telegram would redeliver anything else for hours, and it fails every time (G6);
- a redelivered update is recognised by the engine (its update_id is recorded) and
  answered 200 without a second reply.
Each refusal is counted in webhook_rejected by reason (bot.metrics).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from bot.channels import sms
from bot.channels.sms import CHANNEL as SMS
from bot.channels.sms import Form, Unreadable, form_to_incoming, parse_form
from bot.channels.telegram import CHANNEL as TELEGRAM
from bot.channels.telegram import UnreadableUpdate, read_update
from bot.config import Settings
from bot.failures import describe, transient
from bot.metrics import CONTENT_TYPE, Family, Metrics, gauge, render
from conversations.incoming import Incoming
from storage.clock import Clock, system_clock
from storage.deliveries import record_delivery
from storage.models import Conversation
from storage.outbox import Backlog, backlog

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_BODY = 64 * 1024  # a Telegram text update is a few kB; 4096 characters of text at most
SECRET_HEADER = "x-telegram-bot-api-secret-token"
_NOUN = {TELEGRAM: "Telegram update", SMS: "SMS"}   # what a message is called in logs


class SenderHandle(Protocol):
    """What the app needs of the outbox sender (the engine hands it the replies)."""

    @property
    def alive(self) -> bool: ...


class _TooLarge(Exception):
    pass


async def _read_bounded(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def _secret_ok(given: str | None, expected: str) -> bool:
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"),
                               expected.encode("utf-8"))


def _database_away() -> Response:
    """503 with Retry-After: the provider sends the request again later."""
    return PlainTextResponse("database unavailable, retry later\n", status_code=503,
                             headers={"Retry-After": "5"})


def _stats(db_engine: Engine, clock: Clock) -> tuple[Backlog, dict[str, int]]:
    with Session(db_engine) as session:
        session.execute(text("SELECT 1"))
        queued = backlog(session, clock())
        states = dict(session.execute(
            select(Conversation.state, func.count()).group_by(Conversation.state)
        ).tuples().all())
    return queued, states


def create_app(settings: Settings, engine_handle: Callable[[Incoming], bool],
               sender: SenderHandle, db_engine: Engine, *, clock: Clock = system_clock,
               metrics: Metrics | None = None, max_body: int = MAX_BODY,
               executor: Executor | None = None) -> Starlette:
    """The app. `engine_handle` is the engine's synchronous handle.

    Blocking database work runs on `executor` (for SQLite: one writer thread, shared
    with the sender, so transactions queue in Python instead of fighting over the file
    lock) or, when None, on Starlette's thread pool.
    """
    counters = metrics or getattr(sender, "metrics", None) or Metrics()

    async def blocking(fn: Callable[..., T], *args: Any) -> T:
        if executor is None:
            return await run_in_threadpool(fn, *args)
        return await asyncio.get_running_loop().run_in_executor(executor, fn, *args)

    secret = settings.telegram.secret_token
    if settings.telegram.token and not secret:
        log.warning("no [telegram] secret_token: POST /telegram refuses every request")

    def refused(reason: str) -> None:
        counters.webhook_rejected.inc(channel=TELEGRAM, reason=reason)

    async def telegram_webhook(request: Request) -> Response:
        if not _secret_ok(request.headers.get(SECRET_HEADER), secret):
            refused("bad_secret")
            return PlainTextResponse("forbidden\n", status_code=403)
        try:
            body = await _read_bounded(request, max_body)
        except _TooLarge:
            refused("too_large")
            return PlainTextResponse("update too large\n", status_code=413)
        try:
            incoming = read_update(body)
        except UnreadableUpdate as exc:
            refused("unreadable")
            counters.updates_skipped.inc(channel=TELEGRAM, reason="unreadable")
            log.warning("unreadable Telegram update %s acknowledged and skipped: %s",
                        exc.update_id if exc.update_id is not None else "(no id)", exc)
            return PlainTextResponse("not an update we can read; skipped\n")
        if incoming is None:
            return Response(status_code=200)
        return await hand_over(TELEGRAM, incoming, Response(status_code=200))

    async def hand_over(channel: str, incoming: Incoming, done: Response) -> Response:
        """The engine commits the message and its replies; then `done` is the answer."""
        try:
            fresh = await blocking(engine_handle, incoming)
        except Exception as exc:  # noqa: BLE001 - judged below: retry later, or give up
            if transient(exc):
                counters.webhook_rejected.inc(channel=channel, reason="database_unavailable")
                log.warning("database unavailable (%s): %s %s refused with 503",
                            describe(exc), _NOUN[channel], incoming.provider_id)
                return _database_away()
            counters.updates_skipped.inc(channel=channel, reason="failed")
            log.error("%s %s failed (%s) and is skipped; the resident got no answer to it",
                      _NOUN[channel], incoming.provider_id, describe(exc))
            return done
        if fresh:
            counters.messages_in.inc(channel=channel)
        else:
            counters.duplicates_in.inc(channel=channel)
        return done

    routes = [Route("/telegram", telegram_webhook, methods=["POST"])]
    if settings.twilio.enabled:
        routes += twilio_routes(settings, hand_over, blocking, counters,
                                min(max_body, sms.MAX_BODY), db_engine)

    async def healthz(request: Request) -> Response:
        report: dict[str, Any] = {}
        try:
            queued, _states = await blocking(_stats, db_engine, clock)
        except DBAPIError as exc:
            report["database"] = f"unreachable ({exc.__class__.__name__})"
            db_ok = False
        else:
            report["database"] = "ok"
            report["outbox"] = {"pending": queued.pending, "sending": queued.sending,
                                "failed": queued.failed,
                                "oldest_pending_seconds": round(queued.oldest_pending_seconds, 3)}
            db_ok = True
        alive = sender.alive
        report["sender"] = "alive" if alive else "not running"
        healthy = db_ok and alive
        report["status"] = "ok" if healthy else "unhealthy"
        return JSONResponse(report, status_code=200 if healthy else 503)

    async def metrics_route(request: Request) -> Response:
        gauges: list[Family] = []
        try:
            queued, states = await blocking(_stats, db_engine, clock)
        except DBAPIError:
            gauges.append(gauge("digicheque_database_up", "1 if the database answered.", 0))
        else:
            gauges += [
                gauge("digicheque_database_up", "1 if the database answered.", 1),
                gauge("digicheque_outbox_messages", "Outbox messages by status.",
                      {(("status", "pending"),): queued.pending,
                       (("status", "sending"),): queued.sending,
                       (("status", "failed"),): queued.failed}),
                gauge("digicheque_outbox_oldest_pending_seconds",
                      "Age of the oldest undelivered outbox message.",
                      queued.oldest_pending_seconds),
                gauge("digicheque_conversations", "Conversations by state.",
                      {(("state", state),): count for state, count in states.items()}),
            ]
        gauges.append(gauge("digicheque_sender_up", "1 if the outbox sender runs.",
                            1 if sender.alive else 0))
        return Response(render(counters.counters(), gauges), media_type=CONTENT_TYPE)

    return Starlette(routes=[
        *routes,
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics_route, methods=["GET"]),
    ])


HandOver = Callable[[str, Incoming, Response], Awaitable[Response]]
Blocking = Callable[..., Awaitable[Any]]
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def twilio_routes(settings: Settings, hand_over: HandOver, blocking: Blocking,
                  counters: Metrics, max_body: int, db_engine: Engine) -> list[Route]:
    """POST /twilio/sms (incoming SMS) and POST /twilio/status (delivery reports).

    Both check X-Twilio-Signature against the public URL before using anything in the
    request (403, nothing stored, counted as bad_signature). An incoming SMS is answered
    with empty TwiML once the engine committed it: replies go through the outbox, so
    they keep the send rate and are retried like any other.
    """
    twilio = settings.twilio
    validator = RequestValidator(twilio.auth_token)
    region = settings.city.country
    twiml = Response(EMPTY_TWIML, media_type="text/xml")

    async def signed_form(request: Request) -> Form | Response:
        """The request's form if Twilio signed it, else the response that refuses it."""
        try:
            body = await _read_bounded(request, max_body)
        except _TooLarge:
            counters.webhook_rejected.inc(channel=SMS, reason="too_large")
            return PlainTextResponse("request too large\n", status_code=413)
        url = sms.public_url(twilio.public_base_url, request.url.path, request.url.query)
        try:
            form = parse_form(body)
        except Unreadable:
            form = None
        if form is None or not sms.signature_ok(
                validator, url, form, request.headers.get(sms.SIGNATURE_HEADER)):
            counters.webhook_rejected.inc(channel=SMS, reason="bad_signature")
            return PlainTextResponse("forbidden\n", status_code=403)
        return form

    async def incoming_sms(request: Request) -> Response:
        form = await signed_form(request)
        if isinstance(form, Response):
            return form
        try:
            incoming = form_to_incoming(form, region)
        except Unreadable as exc:
            counters.webhook_rejected.inc(channel=SMS, reason="unreadable")
            counters.updates_skipped.inc(channel=SMS, reason="unreadable")
            log.warning("unreadable SMS webhook acknowledged and skipped: %s", exc)
            return twiml
        return await hand_over(SMS, incoming, twiml)

    async def delivery_status(request: Request) -> Response:
        form = await signed_form(request)
        if isinstance(form, Response):
            return form
        status = (form.get("MessageStatus") or form.get("SmsStatus") or "").lower()
        sid = sms.message_sid(form)
        try:
            moved = await blocking(record_status, sid, status, form.get("ErrorCode"))
        except Exception as exc:  # noqa: BLE001 - Twilio retries a 5xx; nothing else to do
            if transient(exc):
                counters.webhook_rejected.inc(channel=SMS, reason="database_unavailable")
                return _database_away()
            log.error("status callback for %s failed (%s)", sid, describe(exc))
            return Response(status_code=200)
        counters.delivery_reports.inc(channel=SMS, status=status if moved else "ignored")
        return Response(status_code=200)

    def record_status(sid: str, status: str, error: str | None) -> bool:
        with Session(db_engine) as session, session.begin():
            return record_delivery(session, SMS, sid, status, error)

    return [Route(sms.INBOUND_PATH, incoming_sms, methods=["POST"]),
            Route(sms.STATUS_PATH, delivery_status, methods=["POST"])]
