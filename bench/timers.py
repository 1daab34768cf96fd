"""Benchmark: claiming due timers in a city-wide year's table against a small table.

    python -m bench.timers [--rows 1000000] [--small 10000] [--batch 1000] [--repeat 21]
                           [--only sqlite|postgresql] [--explain] [--phases]

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
median of each and their ratio (goal in issue 11: under 1.5), and the same for this
process's CPU time (on SQLite all of the database's work happens in this process, so it
is less disturbed by other load on the machine; PostgreSQL's work is in its server). With
--phases it also times the claim's SELECT alone (the rest of a claim is the UPDATE that
marks the rows fired), with --explain it shows the SELECT's plan on each table.
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

from sqlalchemy import Engine, Select, func, select, text
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

def claim_once(engine: Engine, batch: int) -> tuple[float, float]:
    """Seconds (wall clock, this process's CPU) for one claim of `batch` due timers;
    the transaction is rolled back."""
    with Session(engine) as session:
        session.begin()
        wall, cpu = time.perf_counter(), time.process_time()
        fired = claim_due(session, NOW, batch)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        session.rollback()
    if len(fired) != batch:
        raise SystemExit(f"claimed {len(fired)} timers, expected {batch}")
    return wall, cpu


def claim_query(engine: Engine, batch: int) -> Select[tuple[Timer]]:
    """The SELECT claim_due runs (without its UPDATE of the rows)."""
    stmt = (select(Timer).where(Timer.status == TimerStatus.PENDING, Timer.due_at <= NOW)
            .order_by(Timer.due_at, Timer.id).limit(batch))
    if engine.dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return stmt


def select_once(engine: Engine, batch: int) -> float:
    """Seconds for the claim's SELECT alone: the rest of a claim is marking them fired."""
    with Session(engine) as session:
        session.begin()
        start = time.perf_counter()
        found = list(session.scalars(claim_query(engine, batch)))
        elapsed = time.perf_counter() - start
        session.rollback()
    if len(found) != batch:
        raise SystemExit(f"selected {len(found)} timers, expected {batch}")
    return elapsed


def explain(engine: Engine, batch: int) -> str:
    """The plan of the claim's SELECT, as the database shows it."""
    stmt = claim_query(engine, batch)
    if engine.dialect.name == "postgresql":
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


def _ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def bench(label: str, big: Engine, small: Engine, args: argparse.Namespace) -> float:
    """Claims on both tables, alternating; prints the medians; returns the ratio."""
    tables = {"big": big, "small": small}
    wall: dict[str, list[float]] = {"big": [], "small": []}
    cpu: dict[str, list[float]] = {"big": [], "small": []}
    selects: dict[str, list[float]] = {"big": [], "small": []}
    for round_ in range(WARM_UP + args.repeat):
        order = ("big", "small") if round_ % 2 == 0 else ("small", "big")
        for name in order:
            seconds, process = claim_once(tables[name], args.batch)
            if round_ >= WARM_UP:
                wall[name].append(seconds)
                cpu[name].append(process)
                if args.phases:
                    selects[name].append(select_once(tables[name], args.batch))
    ratio = _ms(wall["big"]) / _ms(wall["small"])
    print(f"{label:<11} claim {args.batch}: big {_ms(wall['big']):6.1f} ms   "
          f"small {_ms(wall['small']):6.1f} ms   ratio {ratio:4.2f}x")
    print(f"{'':<11}   this process's CPU: big {_ms(cpu['big']):6.1f} ms   small "
          f"{_ms(cpu['small']):6.1f} ms   ratio {_ms(cpu['big']) / _ms(cpu['small']):4.2f}x"
          + ("   (all of SQLite's work)" if big.dialect.name == "sqlite"
             else "   (the server's work is not in it)"))
    if args.phases:
        print(f"{'':<11}   its SELECT alone: big {_ms(selects['big']):6.1f} ms   small "
              f"{_ms(selects['small']):6.1f} ms   ratio "
              f"{_ms(selects['big']) / _ms(selects['small']):4.2f}x")
    for name in ("big", "small"):
        runs = " ".join(f"{t * 1000:.0f}" for t in wall[name])
        print(f"{'':<11}   {name} claims (ms): {runs}")
    if args.explain:
        for name in ("big", "small"):
            print(f"{'':<11}   plan on {name}:\n{explain(tables[name], args.batch)}")
    return ratio


def run(label: str, open_db: Callable[[str], AbstractContextManager[Engine]],
        fill: Callable[[Engine, int, int], None], args: argparse.Namespace) -> None:
    with open_db("big") as big, open_db("small") as small:
        for engine, rows in ((big, args.rows), (small, args.small)):
            start = time.perf_counter()
            fill(engine, rows, args.batch)
            total, due = count_due(engine)
            print(f"{label:<11} filled {total:,} rows ({due:,} due) in "
                  f"{time.perf_counter() - start:.1f} s")
        bench(label, big, small, args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.timers",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the big table")
    parser.add_argument("--small", type=int, default=10_000, help="rows of the small table")
    parser.add_argument("--batch", type=int, default=1000, help="timers claimed at once")
    parser.add_argument("--repeat", type=int, default=21, help="claims of each, median shown")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--explain", action="store_true",
                        help="also show the plan of the claim's SELECT on each table")
    parser.add_argument("--phases", action="store_true",
                        help="also time the claim's SELECT alone (the rest is the UPDATE)")
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
