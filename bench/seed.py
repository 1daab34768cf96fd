"""Seeding for benchmarks: throw-away databases, coaches with visit slots, cheque codes.

Benchmarks do not import from tests/ (TESTING.md), so the few seeding ideas of
tests/auxil/world.py they need live here: a pinned moment in Brussels, codes made from a
number, coaches whose weekly hours are cut into slots by the same `plan_slots` and
`upsert_slots` the `digicheque slots generate` command uses (Belgian holidays skipped).
"""

from __future__ import annotations

import math
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session, sessionmaker

from bench.pg import throwaway_database as postgres_database
from storage.codes import check_symbol, display
from storage.db import make_engine, upgrade
from storage.models import Cheque, ChequeStatus, Coach
from storage.schedule import Span, belgian_holidays, parse_weekly, plan_slots
from storage.slots import upsert_slots

BRUSSELS = ZoneInfo("Europe/Brussels")
# Tuesday 1 December 2026, 09:00 in Brussels (the moment the conversation tests use).
START = datetime(2026, 12, 1, 9, 0, tzinfo=BRUSSELS).astimezone(timezone.utc)
WEEKLY = "mon-fri 09:00-12:00; mon-fri 13:00-16:30"   # three 90-minute visits a day
POSTCODES = "9100,9111,9112"


def make_code(seed: int) -> str:
    """A valid normalised cheque code made from a number (distinct numbers, distinct codes)."""
    data = f"{seed:08d}".translate(str.maketrans("0123456789", "ABCDEFGHJK"))
    return data + check_symbol(data)


def visit_spans(now: datetime, days: int) -> list[Span]:
    """One coach's slots from the day after `now` for `days` days (holidays skipped)."""
    first = now.astimezone(BRUSSELS).date() + timedelta(days=1)
    last = first + timedelta(days=days - 1)
    return plan_slots(parse_weekly(WEEKLY), first, last, BRUSSELS, timedelta(minutes=90),
                      timedelta(minutes=30), belgian_holidays(first, last)).spans


def add_coaches(sessions: sessionmaker[Session], seats: int, now: datetime = START,
                days: int = 41, capacity: int = 1) -> tuple[int, int]:
    """Enough coaches (one-to-one visits by default) for `seats` bookings in `days` days.

    Returns (coaches, slots). 41 days: the slots a resident can be offered with the
    default rules (24 hours' notice, at most 42 days ahead).
    """
    spans = visit_spans(now, days)
    coaches = math.ceil(seats / (len(spans) * capacity))
    with sessions.begin() as s:
        for n in range(coaches):
            coach = Coach(name=f"Coach {n + 1:03d}", postcodes=POSTCODES, active=True)
            s.add(coach)
            s.flush()
            upsert_slots(s, coach.id, spans, capacity)
    return coaches, coaches * len(spans)


def add_cheques(sessions: sessionmaker[Session], count: int, now: datetime = START,
                expires_on: date | None = date(2027, 12, 31)) -> list[str]:
    """`count` open one-visit cheques; their codes as printed (ABCD-EFGH-K)."""
    codes = [make_code(n) for n in range(1, count + 1)]
    with sessions.begin() as s:
        s.execute(insert(Cheque), [
            {"code": code, "status": ChequeStatus.OPEN.value, "visits": 1, "visits_used": 0,
             "expires_on": expires_on, "created_at": now} for code in codes])
    return [display(code) for code in codes]


def analyze(engine: Engine) -> None:
    """Give PostgreSQL's planner statistics for the freshly seeded tables.

    A running server's autovacuum does this by itself within a minute of a bulk load;
    without it the planner takes the new tables for empty and, for free slots, loops
    over coaches per slot instead of using the index and the LIMIT (10x slower).
    Done up front so it does not happen at a random moment during the timed run.
    SQLite is left as the program leaves it (no ANALYZE).
    """
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


@contextmanager
def throwaway_database(kind: str) -> Iterator[Engine]:
    """A migrated, empty database made for this run and removed after it.

    sqlite: a file in a temporary folder; postgresql: a database created on the server
    of DIGICHEQUE_TEST_POSTGRES_URL (default: the local one) and dropped at the end.
    Both engines come from storage.db.make_engine, with the settings the program uses.
    """
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="digicheque-bench-"))
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            shutil.rmtree(folder)
        return
    with postgres_database() as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()
