"""A crash under load (G1, G6): `digicheque run` killed with SIGKILL, then restarted.

Every update the webhook acknowledged before the kill must be answered after the
restart, and no reply may reach the resident twice, except a message whose send was in
flight at the very moment of the kill: nothing can tell whether Telegram got it, and the
sender delivers at least once rather than lose a reply. The test checks that exception
precisely: a reply seen twice must be one that Telegram had received before the kill
while the outbox did not yet say it was sent; and their number is bounded by the sends
the sender keeps in flight (RELIABILITY.md has the counts measured with this test).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.sender import MAX_IN_FLIGHT
from storage.models import Outbox, OutboxStatus
from tests.auxil.fake_telegram import TOKEN, FakeTelegram, free_socket, text_update

SECRET = "crash-secret-0123456789abcdef"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
COMMAND = [sys.executable, "-c", "from bot.cli import main; main()", "run"]


def _wait(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


class Process:
    """`digicheque run` in a child process, on a fixed port."""

    def __init__(self, env: dict[str, str], cwd: Path, port: int) -> None:
        self.port = port
        self.proc = subprocess.Popen(COMMAND, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        _wait(self.healthy)
        assert self.proc.poll() is None, self.proc.communicate()[1]

    def healthy(self) -> bool:
        if self.proc.poll() is not None:
            return True  # dead: stop waiting; the caller checks
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc.communicate()

    def stop(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.communicate(timeout=30)[1]


@pytest.mark.slow
def test_sigkill_under_load_loses_nothing_and_doubles_nothing(db_url, sessions, tmp_path):
    port_sock = free_socket()
    port = port_sock.getsockname()[1]
    port_sock.close()
    url = f"http://127.0.0.1:{port}/telegram"
    with FakeTelegram() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIGICHEQUE_")}
        env.update({
            "DIGICHEQUE_DATABASE_URL": db_url,
            "DIGICHEQUE_TELEGRAM_TOKEN": TOKEN,
            "DIGICHEQUE_TELEGRAM_SECRET_TOKEN": SECRET,
            "DIGICHEQUE_TELEGRAM_API_BASE_URL": fake.base_url,
            "DIGICHEQUE_SERVER_PORT": str(port),
            "PYTHONPATH": str(Path(__file__).parents[2]),
        })
        first = Process(env, tmp_path, port)

        # What one "/start" of a new resident gets, to compare every chat against.
        assert httpx.post(url, headers={HEADER: SECRET},
                          json=text_update(1, "/start", update_id=1)).status_code == 200
        _wait(lambda: fake.texts_to("1") != [])
        time.sleep(0.5)
        reference = fake.texts_to("1")

        acked: list[int] = []
        lock = threading.Lock()
        stop_load = threading.Event()

        def load(worker: int) -> None:
            with httpx.Client(timeout=5) as http:
                n = 0
                while not stop_load.is_set():
                    chat = 100_000 + worker * 10_000 + n
                    n += 1
                    try:
                        answer = http.post(url, headers={HEADER: SECRET},
                                           json=text_update(chat, "/start", update_id=chat))
                    except httpx.HTTPError:
                        continue  # the process is gone: not acknowledged
                    if answer.status_code == 200:
                        with lock:
                            acked.append(chat)

        loaders = [threading.Thread(target=load, args=(w,)) for w in range(4)]
        for t in loaders:
            t.start()
        _wait(lambda: len(acked) >= 60 and len(fake.delivered) >= 20)
        first.kill()
        stop_load.set()
        for t in loaders:
            t.join()
        with lock:
            acknowledged = list(acked)
        got_before_kill = Counter((r.chat_id, r.text) for r in fake.delivered)
        with sessions() as s:
            unrecorded = {(r.address, r.body) for r in s.scalars(
                select(Outbox).where(Outbox.status != OutboxStatus.SENT))}
        assert unrecorded, "the kill came too late to test anything"
        assert max(got_before_kill.values()) == 1
        # The at-least-once window: Telegram had it, the database did not know yet.
        in_flight = {reply for reply in got_before_kill if reply in unrecorded}

        second = Process(env, tmp_path, port)
        try:
            _wait(lambda: all(len(set(fake.texts_to(str(c)))) == len(set(reference))
                              for c in acknowledged), timeout=90)
            time.sleep(0.5)
        finally:
            logs = second.stop()

    for chat in acknowledged:
        assert sorted(set(fake.texts_to(str(chat)))) == sorted(set(reference))
    seen = Counter((r.chat_id, r.text) for r in fake.delivered)
    doubled = {reply for reply, times in seen.items() if times > 1}
    assert doubled <= in_flight, "a reply went out twice that was not in flight at the kill"
    # At most the sends started and not yet recorded as sent: the sender starts no more
    # than MAX_IN_FLIGHT at once per channel, and records each within moments.
    assert len(doubled) <= MAX_IN_FLIGHT, f"{len(doubled)} replies went out twice"
    assert "Traceback" not in logs, logs
