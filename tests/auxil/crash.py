"""Killing `digicheque run` under load and starting it again (the crash tests' harness).

The channel-specific parts (how a message is posted, where the replies are seen) stay in
each test; what they share is here: the child process, the load threads that note
which messages were acknowledged, and what the outbox had not yet recorded as sent.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Outbox, OutboxStatus

COMMAND = [sys.executable, "-c", "from bot.cli import main; main()", "run"]


def wait(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
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
        wait(self.healthy)
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


# post(http, worker, n): send message n of a worker; the recipient it was for when the
# server acknowledged it, else None.
Post = Callable[[httpx.Client, int, int], str | None]


class Load:
    """Threads posting messages as fast as they are answered, until stopped."""

    def __init__(self, post: Post, workers: int = 4) -> None:
        self._post = post
        self._lock = threading.Lock()
        self._acked: list[str] = []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._work, args=(w,))
                         for w in range(1, workers + 1)]
        for t in self._threads:
            t.start()

    def _work(self, worker: int) -> None:
        with httpx.Client(timeout=5) as http:
            for n in range(1_000_000):
                if self._stop.is_set():
                    return
                try:
                    recipient = self._post(http, worker, n)
                except httpx.HTTPError:
                    continue  # the process is gone: not acknowledged
                if recipient is not None:
                    with self._lock:
                        self._acked.append(recipient)

    @property
    def acknowledged(self) -> list[str]:
        with self._lock:
            return list(self._acked)

    def stop(self) -> list[str]:
        """Stop posting; the recipients of every acknowledged message."""
        self._stop.set()
        for t in self._threads:
            t.join()
        return self.acknowledged


def unsent(sessions: sessionmaker[Session]) -> set[tuple[str, str]]:
    """(address, body) of every reply the outbox does not record as sent."""
    with sessions() as s:
        return {(r.address, r.body) for r in s.scalars(
            select(Outbox).where(Outbox.status != OutboxStatus.SENT))}
