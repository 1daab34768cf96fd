"""Shared fixtures: every storage test runs on SQLite and on PostgreSQL (TESTING.md).

PostgreSQL comes from DIGICHEQUE_TEST_POSTGRES_URL (default: the local server's
`postgres` database). A throw-away database is created for the session, migrated once,
and truncated before each test. With CI=true an unreachable PostgreSQL fails the run;
elsewhere its tests are skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Base

# The program opts in to python-telegram-bot's timedelta periods where it builds a bot
# (bot.channels.telegram.make_bot); tests also make errors such as RetryAfter without one.
os.environ.setdefault("PTB_TIMEDELTA", "true")

PG_ADMIN_URL = os.environ.get(
    "DIGICHEQUE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin_url = make_url(PG_ADMIN_URL)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "unreachable"
        admin.dispose()
        message = f"PostgreSQL at {admin_url.render_as_string(hide_password=True)} " \
                  f"is unreachable: {exc.__class__.__name__}"
        if IN_CI:
            pytest.fail(message + " (CI needs it)")
        pytest.skip(message)
    name = f"digicheque_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database URL: a fresh SQLite file, or the truncated PG database."""
    if request.param == "sqlite":
        path = tmp_path / "digicheque.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _truncate(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def now() -> datetime:
    """The pinned moment most tests start from: Tuesday 1 December 2026, 09:00 in Brussels."""
    return datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
