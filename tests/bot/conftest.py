"""The staff commands run in-process: `run("coaches", "list")` is `digicheque coaches list`
against the test database (SQLite and PostgreSQL), in an empty folder, at `cli_now`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import bot.app
from bot.cli import cli
from storage.clock import SettableClock, fixed_clock
from tests.auxil.fake_telegram import EchoEngine


@pytest.fixture
def cli_now() -> datetime | None:
    """The moment the commands see; None is the real clock. A test module overrides it."""
    return None


@pytest.fixture
def run(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        cli_now: datetime | None) -> Callable[..., Result]:
    """`run(*args)` runs `digicheque ARGS...` and returns click's Result."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIGICHEQUE_CONFIG", raising=False)
    if cli_now is not None:
        monkeypatch.setattr(bot.app, "system_clock", fixed_clock(cli_now))
    runner = CliRunner(env={"DIGICHEQUE_DATABASE_URL": db_url})

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def clock(now: datetime) -> SettableClock:
    """A clock the channel and sender tests move by hand."""
    return SettableClock(now)


@pytest.fixture
def echo_engine(sessions, clock) -> EchoEngine:
    """A one-reply engine for tests of the runtime; set `.delivery` to wake a sender."""
    return EchoEngine(sessions, clock)


@pytest.fixture
def engine_handle(echo_engine):
    """The engine's handle, as the webhook and the poller take it."""
    return echo_engine.handle
