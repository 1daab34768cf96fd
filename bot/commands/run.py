"""`digicheque run`: the webhook server, Telegram and SMS, the outbox sender and the jobs.

Start order: database checked, Telegram bot checked (getMe), sender started, then the
inputs (uvicorn, and the webhook registration or long polling). Stop order on SIGTERM or
SIGINT is the reverse, so nothing is half done: the inputs stop first (uvicorn finishes
the requests it has, the poller the update in hand), then the sender finishes the sends
in flight, starts none, and hands what it still held back to the outbox for the next
start. A second signal while stopping does not interrupt that.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import os
import signal
import socket
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Protocol

import click
import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.app import App, pass_app
from bot.channels import sms
from bot.channels.telegram import LIMITS, TelegramPoller, TelegramSender, make_bot, register_webhook
from bot.config import Settings
from bot.handoffs import StaffDesk
from bot.failures import describe
from bot.jobs import JOBS, schedule_jobs
from bot.logs import configure_logging
from bot.metrics import Metrics
from bot.sender import ChannelSender, RateLimits, Sender
from bot.server import create_app
from bot.wiring import conversation_engine, retry_policy
from conversations.engine import Engine as ConversationEngine
from conversations.incoming import Incoming
from conversations.understand import warm_up
from storage.clock import Clock
from storage.db import safe_url
from storage.outbox import OutboxStore

log = logging.getLogger("digicheque.run")


class _Handles(Protocol):
    def handle(self, msg: Incoming) -> bool: ...


EngineFactory = Callable[..., _Handles]


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: this command owns the shutdown order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(settings: Settings, db_engine: Engine, sessions: sessionmaker[Session],
                clock: Clock, *, sock: socket.socket | None = None,
                stop: asyncio.Event | None = None,
                telegram_limits: RateLimits = LIMITS,
                engine_factory: EngineFactory = conversation_engine) -> None:
    """Run until `stop` is set (or SIGTERM/SIGINT when stop is None).

    Raises click.ClickException (one line; `run` exits 1) when a part that should run
    until stopped ends by itself: the web server, Telegram polling (a revoked token) or
    the outbox sender. A process without them would look alive and do nothing, so it
    stops, after the same orderly shutdown, for its supervisor to start it again.
    Whatever fails during start-up is raised too, after everything started so far was
    stopped and closed again (each part registers its clean-up as soon as it exists).

    `telegram_limits` is Telegram's (bot.channels.telegram.LIMITS) except in benchmarks
    against a fake Bot API, which measure our own cost, not Telegram's rules; and
    `engine_factory` is bot.wiring's except in benchmarks that isolate the runtime.
    """
    stop = stop or _stop_on_signals()
    metrics = Metrics()
    async with contextlib.AsyncExitStack() as cleanup:
        cleanup.callback(log.info, "stopped")  # the last line of an orderly stop
        cleanup.callback(gc.unfreeze)
        executor = database_executor(db_engine)
        cleanup.callback(executor.shutdown, wait=True)
        channels: dict[str, ChannelSender] = {}
        limits: dict[str, RateLimits] = {}
        bot: Bot | None = None
        if settings.telegram.token:
            bot = make_bot(settings.telegram)
            cleanup.push_async_callback(bot.shutdown)  # also after a refused getMe
            await _check_bot(bot)
            channels["telegram"], limits["telegram"] = TelegramSender(bot), telegram_limits
        if settings.twilio.enabled:
            texts = sms.sms_sender(settings.twilio)
            cleanup.push_async_callback(texts.close)
            channels[sms.CHANNEL], limits[sms.CHANNEL] = texts, sms.limits(settings.twilio)

        sender = Sender(OutboxStore(sessions, clock), channels, limits, metrics=metrics,
                        executor=executor, retry=retry_policy(settings))
        engine = engine_factory(settings, sessions, clock, delivery=sender)
        handle = engine.handle
        if (settings.staff.group_chat_id or settings.staff.telegram_ids) \
                and isinstance(engine, ConversationEngine):
            # the staff group's replies to hand-offs and staff's /broadcast
            # (bot/handoffs.py); everything else as before
            handle = StaffDesk(engine, settings.staff.group_chat_id,
                               settings.staff.telegram_ids).handle
        app = create_app(settings, handle, sender, db_engine, clock=clock,
                         metrics=metrics, executor=executor)
        server = _Server(uvicorn.Config(app, host=settings.server.host,
                                        port=settings.server.port, log_level="warning",
                                        access_log=False, lifespan="off",
                                        timeout_graceful_shutdown=10))
        log.info("database %s", safe_url(db_engine))
        cleanup.push_async_callback(_stop_sender, sender)
        sender_tasks = _started(sender)
        scheduler = AsyncIOScheduler(timezone=settings.tz)
        cleanup.callback(_stop_scheduler, scheduler)
        if isinstance(engine, ConversationEngine):  # benchmarks may isolate the runtime
            warm_up()  # dateparser's languages load now, not on a resident's first date
            schedule_jobs(scheduler, engine, settings, clock, metrics)
            scheduler.start()
            log.info("jobs scheduled: %s", ", ".join(job.name for job in JOBS))

        serving = asyncio.create_task(server.serve(sockets=[sock] if sock else None),
                                      name="the web server")
        polling: asyncio.Task[None] | None = None
        poller: TelegramPoller | None = None

        async def stop_inputs() -> None:
            log.info("stopping: inputs first")
            server.should_exit = True
            if poller is not None:
                poller.stop()
            await asyncio.gather(serving, *([polling] if polling else []),
                                 return_exceptions=True)

        cleanup.push_async_callback(stop_inputs)
        # What exists now lives as long as the server: libraries, dateparser's language
        # data, SQLAlchemy's caches. Frozen, the collector's full passes stop walking it
        # again and again; each such pass stalled every request for ~85 ms (BENCHMARKS.md).
        gc.freeze()
        while not server.started:
            if serving.done():
                serving.result()  # e.g. the port is taken: raise that
                raise click.ClickException("the web server stopped at start")
            await asyncio.sleep(0.01)
        host, port = (sock.getsockname()[:2] if sock else
                      (settings.server.host, settings.server.port))
        log.info("serving http://%s:%s (%s)", host, port, ", ".join(_routes(settings)))
        if settings.twilio.enabled:
            log.info("SMS: Twilio webhooks at %s%s, delivery reports at %s%s",
                     settings.twilio.public_base_url.rstrip("/"), sms.INBOUND_PATH,
                     settings.twilio.public_base_url.rstrip("/"), sms.STATUS_PATH)
        if bot is None:
            log.info("Telegram: off (no [telegram] token)")
        elif settings.telegram.webhook_url:
            await register_webhook(bot, settings.telegram.webhook_url,
                                   settings.telegram.secret_token)
        else:
            poller = TelegramPoller(bot, handle, metrics=metrics, executor=executor,
                                    database_up=functools.partial(database_answers, db_engine))
            polling = asyncio.create_task(poller.run(), name="Telegram polling")
            log.info("Telegram: long polling (no [telegram] webhook_url)")
        log.info("running; SIGTERM or Ctrl-C stops gracefully")
        parts = {serving: "the web server", **{task: "the outbox sender" for task in sender_tasks}}
        if polling is not None:
            parts[polling] = "Telegram polling"
        ended = await _first_to_end(stop, parts)
        if ended is not None:
            raise click.ClickException(
                f"{parts[ended]} ended unexpectedly ({_why(ended)}); stopping so that a "
                "supervisor can start digicheque again")


def _routes(settings: Settings) -> list[str]:
    routes = ["POST /telegram"] if settings.telegram.token else []
    if settings.twilio.enabled:
        routes += [f"POST {sms.INBOUND_PATH}", f"POST {sms.STATUS_PATH}"]
    return routes + ["GET /healthz", "GET /metrics"]


def check_channels(settings: Settings) -> None:
    """One line when no channel is set up, or [twilio] only half."""
    missing = sms.missing_settings(settings.twilio)
    if missing:
        raise click.ClickException(
            f"[twilio] is incomplete: set {', '.join(missing)} "
            "(or DIGICHEQUE_TWILIO_<KEY>), or leave the section empty")
    if not settings.telegram.token and not settings.twilio.enabled:
        raise click.ClickException(
            "no channel to serve: set [telegram] token (DIGICHEQUE_TELEGRAM_TOKEN) and/or "
            "[twilio] (README: Running the bot)")


async def _check_bot(bot: Bot) -> None:
    try:
        await bot.initialize()  # getMe: a wrong token stops us here, not at 3 a.m.
    except InvalidToken:
        raise click.ClickException("Telegram refused the bot token "
                                   "([telegram] token / DIGICHEQUE_TELEGRAM_TOKEN)") from None
    except TelegramError as exc:
        raise click.ClickException(f"Telegram Bot API unreachable: {exc}") from None


def _started(sender: Sender) -> set[asyncio.Task[object]]:
    """Start the sender; the tasks its start() created, which run until it is stopped.

    Taken as the tasks that exist after start() and not before, so that we can notice
    one ending without reaching into the sender.
    """
    before = asyncio.all_tasks()
    sender.start()
    return asyncio.all_tasks() - before


async def _stop_sender(sender: Sender) -> None:
    log.info("stopping: outbox sender")
    await sender.stop()


def _stop_scheduler(scheduler: AsyncIOScheduler) -> None:
    if scheduler.running:
        scheduler.shutdown(wait=True)  # a sweep in progress finishes its transaction


async def _first_to_end(stop: asyncio.Event,
                        parts: Mapping[asyncio.Task[Any], str]) -> asyncio.Task[Any] | None:
    """Wait for the stop signal or for one of `parts` to end; that part, or None."""
    stopped = asyncio.ensure_future(stop.wait())
    try:
        done, _ = await asyncio.wait({stopped, *parts}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped.cancel()
    return next((task for task in done if task in parts), None)


def _why(task: asyncio.Task[Any]) -> str:
    if task.cancelled():
        return "cancelled"
    error = task.exception()
    return "without an error" if error is None else describe(error)


def database_answers(db_engine: Engine) -> bool:
    """Whether the database answers a trivial query (blocking)."""
    try:
        with db_engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError:
        return False
    return True


def database_executor(db_engine: Engine) -> ThreadPoolExecutor:
    """Where blocking database work runs.

    SQLite takes one writer at a time: many threads each waiting in its busy handler
    (which sleeps and retries) cost far more than one thread working through a queue, so
    SQLite gets exactly one. PostgreSQL gets a pool as large as the connection pool.
    """
    if db_engine.dialect.name == "sqlite":
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")
    return ThreadPoolExecutor(max_workers=10, thread_name_prefix="database")


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


@click.command()
@click.option("--host", help="Listen address (default: [server] host).")
@click.option("--port", type=click.IntRange(1, 65535),
              help="Listen port (default: [server] port).")
@pass_app
def run(app: App, host: str | None, port: int | None) -> None:
    """Serve the webhooks, talk to Telegram and Twilio, deliver the outbox, until stopped.

    With [telegram] webhook_url set, the webhook is registered (with the secret token);
    without it, the bot long-polls Telegram. Health: GET /healthz; metrics: GET /metrics.
    """
    settings = app.settings
    configure_logging(settings)  # secrets scrubbed from every record (bot.logs)
    if host or port:
        server_settings = replace(settings.server, host=host or settings.server.host,
                                  port=port if port is not None else settings.server.port)
        settings = replace(settings, server=server_settings)
    if settings.telegram.webhook_url and not settings.telegram.secret_token:
        raise click.ClickException("[telegram] webhook_url needs a secret_token "
                                   "(DIGICHEQUE_TELEGRAM_SECRET_TOKEN)")
    db_engine = app.engine()
    sock = listen(settings.server.host, settings.server.port)
    try:
        check_channels(settings)
        asyncio.run(serve(settings, db_engine, app.sessions(), app.clock, sock=sock))
    finally:
        sock.close()
        db_engine.dispose()


def listen(host: str, port: int) -> socket.socket:
    """The web server's socket, bound before anything starts, so that a port in use stops
    `run` with one line naming it (uvicorn would log it amid other lines and exit 3)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from None
