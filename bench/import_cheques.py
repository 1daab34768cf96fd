"""Benchmark: importing cheque codes against a plain bulk insert of the same rows.

    python -m bench.import_cheques [--count 100000] [--repeat 5] [--only sqlite|postgresql]
                                   [--phases]

For each database (SQLite in a temporary file; PostgreSQL in a throw-away database
created and dropped here, server from DIGICHEQUE_TEST_POSTGRES_URL or the local default)
it times, on a freshly emptied cheques table each time:

  import    storage.cheques.import_cheques, the function `digicheque cheques import`
            calls, in-process on the file's bytes: decode, parse and check every line,
            find duplicates, look up already-known codes, insert, commit;
  baseline  one executemany of the same rows (as ready-made dicts) into the same table,
            in one transaction, commit.

The two alternate within each repeat so drift hits both alike. It prints the median
seconds of each and their ratio (goal in the issue: import within 2x of the baseline).
With --phases it also times the import's parts once each (read the file, look up known
codes, insert), to see where the time goes.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, func, insert, select, text

from bench.pg import throwaway_database
from storage.cheques import import_cheques, insert_cheques, known_codes, read_cheque_file
from storage.codes import display, new_code
from storage.db import make_engine, make_sessionmaker, upgrade
from storage.models import Cheque, ChequeStatus

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)
TODAY = date(2026, 12, 1)
EXPIRES = date(2027, 12, 31)


def make_file(count: int) -> tuple[bytes, list[dict[str, Any]]]:
    """A file as Belgian Excel saves it (BOM, semicolons, 31/12/2027) and the same rows."""
    codes: dict[str, None] = {}
    while len(codes) < count:
        codes[new_code()] = None
    lines = ["code;expires;batch"]
    lines += [f"{display(code)};{EXPIRES:%d/%m/%Y};bench" for code in codes]
    data = "\ufeff".encode() + ("\r\n".join(lines) + "\r\n").encode()
    rows = [{"code": code, "status": ChequeStatus.OPEN.value, "visits": 1, "visits_used": 0,
             "expires_on": EXPIRES, "batch": "bench", "created_at": NOW} for code in codes]
    return data, rows


def run_import(engine: Engine, data: bytes, count: int) -> float:
    sessions = make_sessionmaker(engine)
    start = time.perf_counter()
    with sessions.begin() as session:
        result = import_cheques(session, data, now=NOW, today=TODAY)
    elapsed = time.perf_counter() - start
    if result.imported != count or result.bad:
        raise SystemExit(f"import went wrong: {result.imported} imported, {result.bad[:3]}")
    return elapsed


def run_baseline(engine: Engine, rows: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(cast(Table, Cheque.__table__)), rows)
    return time.perf_counter() - start


def empty(engine: Engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("TRUNCATE cheques RESTART IDENTITY CASCADE"))
        else:
            conn.execute(text("DELETE FROM cheques"))
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("VACUUM")


def count_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Cheque)).scalar_one())


@contextmanager
def sqlite_database() -> Iterator[Callable[[], Engine]]:
    """A fresh migrated SQLite file for every call (copied from one migrated template)."""
    folder = Path(tempfile.mkdtemp(prefix="digicheque-bench-"))
    template = folder / "template.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    engine.dispose()
    engines: list[Engine] = []

    def fresh() -> Engine:
        path = folder / f"run{len(engines)}.db"
        shutil.copy(template, path)
        engines.append(make_engine(f"sqlite:///{path}"))
        return engines[-1]

    try:
        yield fresh
    finally:
        for eng in engines:
            eng.dispose()
        shutil.rmtree(folder)


@contextmanager
def postgres_database() -> Iterator[Callable[[], Engine]]:
    """A throw-away PostgreSQL database; every call hands it back with an empty table."""
    with throwaway_database() as url:
        engine = make_engine(url)
        try:
            upgrade(engine)

            def fresh() -> Engine:
                empty(engine)
                return engine

            yield fresh
        finally:
            engine.dispose()


def phases(label: str, database: Any, data: bytes) -> None:
    with database() as fresh:
        sessions = make_sessionmaker(fresh())
        with sessions.begin() as session:
            start = time.perf_counter()
            parsed = read_cheque_file(data, today=TODAY)
            read = time.perf_counter()
            known_codes(session, [row.code for row in parsed.rows])
            looked_up = time.perf_counter()
            insert_cheques(session, parsed.rows, NOW)
            inserted = time.perf_counter()
        committed = time.perf_counter()
    print(f"{label:<11} phases: read {read - start:.2f} s, look up {looked_up - read:.2f} s, "
          f"insert {inserted - looked_up:.2f} s, commit {committed - inserted:.2f} s")


def bench(label: str, database: Any, data: bytes, rows: list[dict[str, Any]],
          repeat: int) -> tuple[float, float]:
    timings: dict[str, list[float]] = {"import": [], "baseline": []}
    with database() as fresh:
        for round_ in range(repeat):
            order = ("import", "baseline") if round_ % 2 == 0 else ("baseline", "import")
            for what in order:
                engine = fresh()
                if what == "import":
                    timings[what].append(run_import(engine, data, len(rows)))
                else:
                    timings[what].append(run_baseline(engine, rows))
                if count_rows(engine) != len(rows):
                    raise SystemExit(f"{label} {what}: wrong number of rows stored")
    imported = statistics.median(timings["import"])
    baseline = statistics.median(timings["baseline"])
    print(f"{label:<11} import {imported:6.2f} s   baseline {baseline:6.2f} s   "
          f"ratio {imported / baseline:4.2f}x   "
          f"(runs: import {' '.join(f'{t:.2f}' for t in timings['import'])}; "
          f"baseline {' '.join(f'{t:.2f}' for t in timings['baseline'])})")
    return imported, baseline


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.import_cheques",
                                     description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000, help="codes in the file")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each, median reported")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    parser.add_argument("--phases", action="store_true", help="also time the import's parts")
    args = parser.parse_args(argv)
    data, rows = make_file(args.count)
    print(f"{args.count} codes, {len(data) / 1e6:.1f} MB file; median of {args.repeat} runs")
    for label, database in (("SQLite", sqlite_database), ("PostgreSQL", postgres_database)):
        if args.only in (None, label.lower()):
            bench(label, database, data, rows, args.repeat)
            if args.phases:
                phases(label, database, data)


if __name__ == "__main__":
    main()
