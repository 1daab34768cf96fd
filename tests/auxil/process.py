"""`digicheque run` as a real process of its own, for the tests that need one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path


from tests.auxil.fake_telegram import TOKEN, FakeTelegram, free_socket

ROOT = Path(__file__).parents[2]
COMMAND = [sys.executable, "-c", "from bot.cli import main; main()"]


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def free_port() -> int:
    sock = free_socket()
    port: int = sock.getsockname()[1]
    sock.close()
    return port


def run_env(tmp_path: Path, fake: FakeTelegram, port: int, secret: str,
            **extra: str) -> dict[str, str]:
    """The environment of a process talking to the fake Telegram server, with an SQLite
    database in tmp_path and none of the caller's DIGICHEQUE_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIGICHEQUE_")}
    env.update({
        "DIGICHEQUE_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "DIGICHEQUE_TELEGRAM_TOKEN": TOKEN,
        "DIGICHEQUE_TELEGRAM_SECRET_TOKEN": secret,
        "DIGICHEQUE_TELEGRAM_API_BASE_URL": fake.base_url,
        "DIGICHEQUE_SERVER_PORT": str(port),
        "PYTHONPATH": str(ROOT),
        **extra,
    })
    return env


def start_run(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """`digicheque db upgrade`, then `digicheque run` in a process of its own."""
    subprocess.run(COMMAND + ["db", "upgrade"], env=env, cwd=tmp_path, check=True,
                   capture_output=True)
    return subprocess.Popen(COMMAND + ["run"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
