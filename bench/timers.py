"""Benchmark: claiming due timers in a city-wide year's table against a small table.

    python -m bench.timers [--rows 1000000] [--small 10000] [--batch 1000] [--repeat 15]
                           [--only sqlite|postgresql] [--explain]

For each database (SQLite in a temporary file; PostgreSQL in throw-away databases created
and dropped here, server from DIGICHEQUE_TEST_POSTGRES_URL or the local default) it fills
two migrated databases, outside the timing:

  big    --rows timer rows (default 1,000,000: a city-wide year),
  small  --small timer rows (default 10,000),

each laid out alike: 2 x --batch pending timers already due (the sweep's work), 75% of
the rest pending reminders due over the coming year, 25% fired, cancelled or expired ones
of the past 60 days. PostgreSQL is filled with one INSERT ... SELECT over
generate_series and then VACUUM ANALYZE (what autovacuum does in production); SQLite
with executemany in batches of 50,000 and nothing else (production runs no ANALYZE).

Then it times storage.timers.claim_due(session, now, --batch), the sweep's claim (select
the due pending rows, FOR UPDATE SKIP LOCKED on PostgreSQL, mark them fired, flush),
inside a transaction that is rolled back afterwards, outside the timing: every
repetition claims the same --batch due rows. Big and small alternate within each
repetition so drift hits both alike; two warm-up rounds are not counted. It prints the
median of each and their ratio (goal in issue 11: under 1.5), and with --explain the
plan of the claim's SELECT on each table.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bench.pg import throwaway_database
from storage.db import make_engine, upgrade
from storage.models import Timer, TimerStatus
from storage.timers import claim_due

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
YEAR = timedelta(days=365)
PAST = timedelta(days=60)
SQLITE_CHUNK = 50_000
WARM_UP = 2

Database = Callable[[], AbstractContextManager[Engine]]


def layout(rows: int, batch: int) -> tuple[int, int, int]:
    """(due pending, future pending, past finished) rows of a table of `rows`."""
    due = 2 * batch
    if rows < due:
        raise SystemExit(f"a table of {rows} rows cannot hold {due} due timers")
    future = (rows - due) * 3 // 4
    return due, future, rows - due - future


# ---------------------------------------------------------------------------- filling

def _naive(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def fill_sqlite(engine: Engine, rows: int, batch: int) -> None:
    """executemany in chunks; the same spread as fill_postgres, drawn at random."""
    due, future, _past = layout(rows, batch)
    rng = random.Random(rows)
    finished = (TimerStatus.FIRED, TimerStatus.CANCELLED, TimerStatus.EXPIRED)
    sql = ("INSERT INTO timers (kind, due_at, not_after, status, fired_at) "
           "VALUES (?, ?, ?, ?, ?)")

    def row(i: int) -> tuple[str, str, str | None, str, str | None]:
        kind = "reminder.day_before" if i % 2 else "reminder.soon"
        if i < due:  # fell due in the last minutes, still useful for a day
            at = NOW - timedelta(seconds=rng.uniform(1, 600))
            return kind, _naive(at), _naive(NOW + timedelta(days=1)), "pending", None
        if i < due + future:
            at = NOW + timedelta(seconds=rng.uniform(1, YEAR.total_seconds()))
            return kind, _naive(at), _naive(at + timedelta(days=1)), "pending", None
        at = NOW - timedelta(seconds=rng.uniform(600, PAST.total_seconds()))
        status = finished[0] if i % 10 < 8 else finished[1] if i % 10 < 9 else finished[2]
        fired = _naive(at) if status == TimerStatus.FIRED else None
        return kind, _naive(at), _naive(at + timedelta(days=1)), status.value, fired

    order = list(range(rows))
    rng.shuffle(order)  # rows arrive in no particular order of due time or status
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("BEGIN")
        for start in range(0, rows, SQLITE_CHUNK):
            cursor.executemany(sql, [row(i) for i in order[start:start + SQLITE_CHUNK]])
        cursor.execute("COMMIT")
        cursor.close()
    finally:
        raw.close()


def fill_postgres(engine: Engine, rows: int, batch: int) -> None:
    """One INSERT ... SELECT over generate_series, then VACUUM ANALYZE."""
    due, future, _past = layout(rows, batch)
    sql = text("""
        INSERT INTO timers (kind, due_at, not_after, status, fired_at)
        SELECT CASE WHEN g % 2 = 1 THEN 'reminder.day_before' ELSE 'reminder.soon' END,
               t.at, t.at + interval '1 day',
               CASE WHEN g < :due + :future THEN 'pending'
                    WHEN g % 10 < 8 THEN 'fired' WHEN g % 10 < 9 THEN 'cancelled'
                    ELSE 'expired' END,
               CASE WHEN g >= :due + :future AND g % 10 < 8 THEN t.at END
        FROM (SELECT g, CASE
                  WHEN g < :due THEN :now - random() * interval '599 seconds'
                                      - interval '1 second'
                  WHEN g < :due + :future THEN :now + random() * interval '365 days'
                                                + interval '1 second'
                  ELSE :now - interval '600 seconds' - random() * interval '60 days'
                END AS at
              FROM generate_series(0, :rows - 1) AS g
              ORDER BY random()) AS t
    """)
    with engine.begin() as conn:
        conn.execute(sql, {"due": due, "future": future, "rows": rows, "now": NOW})
        # the due rows' usefulness: a day after NOW, like fill_sqlite's
        conn.execute(text("UPDATE timers SET not_after = :until WHERE due_at <= :now"),
                     {"until": NOW + timedelta(days=1), "now": NOW})
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE timers"))


# ---------------------------------------------------------------------------- databases

@contextmanager
def sqlite_database(folder: Path, name: str) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{folder / name}.db")
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def postgres_database() -> Iterator[Engine]:
    with throwaway_database() as url:
        engine = make_engine(url)
        try:
            upgrade(engine)
            yield engine
        finally:
            engine.dispose()


def count_due(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Timer)).scalar_one()
        due = conn.execute(select(func.count()).select_from(Timer).where(
            Timer.status == TimerStatus.PENDING, Timer.due_at <= NOW)).scalar_one()
    return int(total), int(due)


# ---------------------------------------------------------------------------- measuring

def claim_once(engine: Engine, batch: int) -> float:
    """Seconds for one claim of `batch` due timers; the transaction is rolled back."""
    with Session(engine) as session:
        session.begin()
        start = time.perf_counter()
        fired = claim_due(session, NOW, batch)
        elapsed = time.perf_counter() - start
        session.rollback()
    if len(fired) != batch:
        raise SystemExit(f"claimed {len(fired)} timers, expected {batch}")
    return elapsed


def explain(engine: Engine, batch: int) -> str:
    """The plan of the claim's SELECT, as the database shows it."""
    stmt = (select(Timer).where(Timer.status == TimerStatus.PENDING, Timer.due_at <= NOW)
            .order_by(Timer.due_at, Timer.id).limit(batch))
    if engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
        compiled = stmt.compile(dialect=postgresql.dialect(),  # type: ignore[no-untyped-call]
                                compile_kwargs={"literal_binds": True})
        query = f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {compiled}"
    else:
        compiled = stmt.compile(dialect=sqlite.dialect(),
                                compile_kwargs={"literal_binds": True})
        query = f"EXPLAIN QUERY PLAN {compiled}"
    with engine.begin() as conn:
        rows = conn.exec_driver_sql(query).all()
    if engine.dialect.name == "postgresql":
        return "\n".join(f"    {r[0]}" for r in rows)
    return "\n".join(f"    {r[-1]}" for r in rows)


def bench(label: str, big: Engine, small: Engine, batch: int, repeat: int,
          show_plan: bool) -> tuple[float, float]:
    timings: dict[str, list[float]] = {"big": [], "small": []}
    tables = {"big": big, "small": small}
    for round_ in range(WARM_UP + repeat):
        order = ("big", "small") if round_ % 2 == 0 else ("small", "big")
        for name in order:
            seconds = claim_once(tables[name], batch)
            if round_ >= WARM_UP:
                timings[name].append(seconds)
    big_s, small_s = statistics.median(timings["big"]), statistics.median(timings["small"])
    print(f"{label:<11} claim {batch}: big {big_s * 1000:7.1f} ms   "
          f"small {small_s * 1000:7.1f} ms   ratio {big_s / small_s:4.2f}x")
    for name in ("big", "small"):
        runs = " ".join(f"{t * 1000:.1f}" for t in timings[name])
        print(f"{'':<11}   {name} runs (ms): {runs}")
    if show_plan:
        for name in ("big", "small"):
            print(f"{'':<11}   plan on {name}:\n{explain(tables[name], batch)}")
    return big_s, small_s


def run(label: str, open_db: Callable[[str], AbstractContextManager[Engine]],
        fill: Callable[[Engine, int, int], None], args: argparse.Namespace) -> None:
    with open_db("big") as big, open_db("small") as small:
        for engine, rows in ((big, args.rows), (small, args.small)):
            start = time.perf_counter()
            fill(engine, rows, args.batch)
            total, due = count_due(engine)
            print(f"{label:<11} filled {total:,} rows ({due:,} due) in "
                  f"{time.perf_counter() - start:.1f} s")
        bench(label, big, small, args.batch, args.repeat, args.explain)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.timers",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the big table")
    parser.add_argument("--small", type=int, default=10_000, help="rows of the small table")
    parser.add_argument("--batch", type=int, default=1000, help="timers claimed at once")
    parser.add_argument("--repeat", type=int, default=15, help="claims of each, median shown")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--explain", action="store_true",
                        help="also show the plan of the claim's SELECT on each table")
    args = parser.parse_args(argv)
    print(f"claim_due of {args.batch} due timers: {args.rows:,} rows against {args.small:,}; "
          f"median of {args.repeat} claims each, rolled back after each")
    if args.only in (None, "sqlite"):
        folder = Path(tempfile.mkdtemp(prefix="digicheque-bench-"))
        try:
            run("SQLite", lambda name: sqlite_database(folder, name), fill_sqlite, args)
        finally:
            shutil.rmtree(folder)
    if args.only in (None, "postgresql"):
        run("PostgreSQL", lambda _name: postgres_database(), fill_postgres, args)


if __name__ == "__main__":
    main()
