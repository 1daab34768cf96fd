"""`digicheque run`: webhook, long polling and sender together, and a graceful stop.

These use the real conversation engine (bot.wiring), so they also check that the
pieces fit: a Telegram message in, the engine's replies out through the fake Bot API.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select

from bot.commands.run import serve
from bot.config import Settings, TelegramSettings
from storage.clock import SettableClock
from storage.models import Inbound, Outbox, OutboxStatus
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, free_socket, text_update

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


def _wait(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def test_sigterm_stops_the_process_gracefully(tmp_path: Path):
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    command = [sys.executable, "-c", "from bot.cli import main; main()"]
    with FakeTelegram() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIGICHEQUE_")}
        env.update({
            "DIGICHEQUE_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
            "DIGICHEQUE_TELEGRAM_TOKEN": TOKEN,
            "DIGICHEQUE_TELEGRAM_SECRET_TOKEN": SECRET,
            "DIGICHEQUE_TELEGRAM_API_BASE_URL": fake.base_url,
            "DIGICHEQUE_SERVER_PORT": str(port),
            "PYTHONPATH": str(Path(__file__).parents[2]),
        })
        subprocess.run(command + ["db", "upgrade"], env=env, cwd=tmp_path, check=True,
                       capture_output=True)
        process = subprocess.Popen(command + ["run"], env=env, cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            def healthy() -> bool:
                try:
                    return httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
                except httpx.HTTPError:
                    return process.poll() is not None  # died: stop waiting, fail below

            _wait(healthy)
            assert process.poll() is None
            answer = httpx.post(f"http://127.0.0.1:{port}/telegram", headers={HEADER: SECRET},
                                json=text_update(32470123456, "hallo", update_id=7))
            assert answer.status_code == 200
            _wait(lambda: fake.texts_to("32470123456") != [])
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
