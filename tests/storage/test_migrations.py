"""Upgrading a database that holds data, and stepping back: migration 0004 on rows that
0003 wrote (a city that upgrades in place), on SQLite and PostgreSQL, each in a
database of its own (the shared test database stays at head)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from storage.db import alembic_config, current_revision, head_revision, make_engine, upgrade
from tests.conftest import PG_ADMIN_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with no tables yet."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'upgrade.db'}")
        yield engine
        engine.dispose()
        return
    request.getfixturevalue("postgres_url")   # reachable, or skipped / failed as usual
    admin = create_engine(make_url(PG_ADMIN_URL), isolation_level="AUTOCOMMIT")
    name = f"digicheque_upgrade_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(PG_ADMIN_URL).set(database=name)
                         .render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _to(engine: Engine, action: str, revision: str) -> None:
    with engine.begin() as conn:
        cfg = alembic_config(engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = conn
        getattr(command, action)(cfg, revision)


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def test_0004_upgrades_rows_of_0003_and_steps_back(blank):
    _to(blank, "upgrade", "0003")
    with blank.begin() as conn:
        conn.execute(text(
            "INSERT INTO residents (id, channel, address, language, created_at, wrong_codes) "
            "VALUES (1, 'sms', '+32470111222', 'nl', '2026-11-01 09:00:00', 0)"))
        conn.execute(text(
            "INSERT INTO conversations (resident_id, state, data, updated_at) "
            "VALUES (1, 'menu', '{}', '2026-11-01 09:00:00')"))
        conn.execute(text(
            "INSERT INTO broadcasts (id, texts, audience, scheduled_at, status, recipients, "
            "sent, failed, created_at) VALUES (1, '{\"nl\": \"Hallo\"}', 'all', "
            "'2026-11-01 09:00:00', 'sending', 1, 0, 0, '2026-11-01 09:00:00')"))

    assert upgrade(blank) == ("0003", head_revision())
    with blank.connect() as conn:
        recent = conn.execute(text("SELECT recent FROM conversations")).scalar_one()
        counts = conn.execute(text("SELECT delivered, cancelled FROM broadcasts")).one()
        tallies = conn.execute(text("SELECT count(*) FROM reminder_tallies")).scalar_one()
    assert recent in ([], "[]")          # JSON: a list on PostgreSQL, its text on SQLite
    assert tuple(counts) == (0, 0) and tallies == 0

    _to(blank, "downgrade", "0003")
    assert current_revision(blank) == "0003"
    assert "recent" not in _columns(blank, "conversations")
    assert {"delivered", "cancelled"}.isdisjoint(_columns(blank, "broadcasts"))
    assert "reminder_tallies" not in inspect(blank).get_table_names()
    with blank.connect() as conn:   # the rows themselves stay
        assert conn.execute(text("SELECT state FROM conversations")).scalar_one() == "menu"
    assert upgrade(blank) == ("0003", head_revision())
