"""`digicheque run`: webhook, long polling and sender together, and a graceful stop.

These use the real conversation engine (bot.wiring), so they also check that the
pieces fit: a Telegram message in, the engine's replies out through the fake Bot API.
"""

from __future__ import annotations

import asyncio
import gc
import signal
import subprocess
import threading
from pathlib import Path

import click
import httpx
import pytest
from sqlalchemy import select, text

from bot.commands.run import serve
from bot.config import Settings, TelegramSettings
from storage.clock import SettableClock
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Inbound, Outbox, OutboxStatus
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, free_socket, text_update
from tests.auxil.process import free_port, run_env, start_run, wait_until

SECRET = "run-secret-abcdef0123456789"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def test_run_serves_webhook_and_polling_and_stops_cleanly(engine, sessions, now):
    clock = SettableClock(now)
    with FakeTelegram() as fake:
        settings = Settings(telegram=TelegramSettings(token=TOKEN, secret_token=SECRET,
                                                      api_base_url=fake.base_url))
        fake.push_update(text_update(4001, "/start", update_id=50))

        async def scenario() -> None:
            stop = asyncio.Event()
            sock = free_socket()
            running = asyncio.create_task(serve(settings, engine, sessions, clock, sock=sock,
                                                stop=stop))
            url = f"http://127.0.0.1:{sock.getsockname()[1]}"
            async with httpx.AsyncClient() as http:
                await fake.until(lambda: fake.texts_to("4001") != [])  # by polling
                answer = await http.post(f"{url}/telegram", headers={HEADER: SECRET},
                                         json=text_update(4002, "/start", update_id=51))
                assert answer.status_code == 200
                await fake.until(lambda: fake.texts_to("4002") != [])  # by webhook
                health = await http.get(f"{url}/healthz")
                assert health.status_code == 200, health.text
                # The start-up objects are out of the collector's way while serving...
                assert gc.get_freeze_count() > 0
            stop.set()
            await asyncio.wait_for(running, timeout=15)
            sock.close()
            assert gc.get_freeze_count() == 0  # ...and back in its care afterwards

        asyncio.run(scenario())

    assert fake.texts_to("4001") == fake.texts_to("4002")  # same engine, same answer
    with sessions() as s:
        assert set(s.scalars(select(Inbound.provider_id))) == {"50", "51"}
        assert set(s.scalars(select(Outbox.status))) == {OutboxStatus.SENT}


def _start_run(tmp_path: Path, fake: FakeTelegram) -> tuple[subprocess.Popen[str], int]:
    """`digicheque db upgrade`, then `digicheque run` in a process of its own, healthy."""
    port = free_port()
    process = start_run(tmp_path, run_env(tmp_path, fake, port, SECRET))

    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
        except httpx.HTTPError:
            return process.poll() is not None  # died: stop waiting, fail below

    try:
        wait_until(healthy)
    except BaseException:
        process.kill()
        process.communicate()
        raise
    return process, port


def test_sigterm_stops_the_process_gracefully(tmp_path: Path):
    with FakeTelegram() as fake:
        process, port = _start_run(tmp_path, fake)
        try:
            assert process.poll() is None
            answer = httpx.post(f"http://127.0.0.1:{port}/telegram", headers={HEADER: SECRET},
                                json=text_update(32470123456, "hallo", update_id=7))
            assert answer.status_code == 200
            wait_until(lambda: fake.texts_to("32470123456") != [])
            process.send_signal(signal.SIGTERM)
            _, logs = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 0, logs
    assert "serving http://127.0.0.1:" in logs and "long polling" in logs
    assert logs.rstrip().endswith("stopped"), logs
    assert TOKEN.split(":")[1] not in logs and SECRET not in logs
    assert "32470123456" not in logs  # no full chat ids / phone numbers in the logs


def test_a_part_that_ends_by_itself_stops_run_with_one_line_and_status_1(tmp_path: Path):
    """Polling ends when Telegram no longer takes the token; a process without it would
    look alive and do nothing. Before, `run` stopped and exited 0: no supervisor restarts
    a clean exit."""
    with FakeTelegram() as fake:
        process, _port = _start_run(tmp_path, fake)
        try:
            wait_until(lambda: any(name == "getupdates" for name, _ in fake.calls))
            fake.revoke_token()
            _, logs = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert process.returncode == 1, logs
    last = logs.rstrip().splitlines()[-1]
    assert "Telegram polling ended unexpectedly (InvalidToken)" in last, logs
    assert "Traceback" not in logs
    assert "stopping: outbox sender" in logs  # the same orderly stop as for SIGTERM


def _leftovers(own: set[asyncio.Task[object]]) -> tuple[list[str], list[str]]:
    """Tasks still scheduled besides `own`, and the database executor's live threads."""
    tasks = [t.get_name() for t in asyncio.all_tasks() - own if not t.done()]
    threads = [t.name for t in threading.enumerate()
               if t.name.startswith(("sqlite", "database"))]
    return tasks, threads


@pytest.mark.parametrize("failure", ["getMe refused", "engine fails to start"])
def test_a_failed_start_closes_what_was_opened(engine, sessions, now, failure):
    """Everything started before the failing step is stopped and closed again: the bot's
    connections to Telegram, the sender's tasks, the executor's threads."""
    clock = SettableClock(now)
    with FakeTelegram() as fake:
        settings = Settings(telegram=TelegramSettings(token=TOKEN, secret_token=SECRET,
                                                      api_base_url=fake.base_url))
        built = []

        def engine_factory(settings, sessions, clock, delivery):
            built.append(delivery)
            raise RuntimeError("the engine cannot start")

        if failure == "getMe refused":
            fake.revoke_token()
            expected = pytest.raises(click.ClickException, match="refused the bot token")
        else:
            expected = pytest.raises(RuntimeError, match="the engine cannot start")

        async def scenario() -> None:
            own = set(asyncio.all_tasks())
            sock = free_socket()
            with expected:
                await serve(settings, engine, sessions, clock, sock=sock,
                            stop=asyncio.Event(), engine_factory=engine_factory)
            sock.close()
            await fake.until(lambda: fake.open_connections() == 0)
            assert fake.requests_seen() >= 1  # getMe: the bot had a connection open
            assert _leftovers(own) == ([], [])
            for sender in built:
                assert not sender.alive and sender.held == 0

        asyncio.run(scenario())


def test_an_outbox_sender_that_dies_stops_serve(tmp_path: Path, now):
    """A sender task that ends leaves a process that takes messages and never answers.

    What ends it here is an outbox row whose keyboard is not JSON (written by hand, say):
    the sender's claim loop does not survive reading it. SQLite only, as PostgreSQL's
    JSON column refuses such a row. Should the sender learn to skip such rows, this test
    needs another way to end a sender task.
    """
    db = make_engine(f"sqlite:///{tmp_path / 'run.db'}")
    upgrade(db)
    with db.begin() as connection:
        connection.execute(text(
            "INSERT INTO outbox (channel, address, body, choices, priority, status, attempts,"
            " next_attempt_at, created_at) VALUES ('telegram', '4003', 'x', 'not json', 0,"
            " 'pending', 0, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
    with FakeTelegram() as fake:
        settings = Settings(telegram=TelegramSettings(token=TOKEN, secret_token=SECRET,
                                                      api_base_url=fake.base_url))

        async def scenario() -> None:
            sock = free_socket()
            with pytest.raises(click.ClickException,
                               match=r"the outbox sender ended unexpectedly \(JSONDecodeError\)"):
                await asyncio.wait_for(serve(settings, db, make_sessionmaker(db),
                                             SettableClock(now), sock=sock,
                                             stop=asyncio.Event()), timeout=20)
            sock.close()

        asyncio.run(scenario())
    db.dispose()
