"""Inserts built once, for the statements that run on every message.

SQLAlchemy rebuilds and re-caches an ORM flush or a dialect-specific insert on every
call (its `sqlite.insert`/`postgresql.insert` are not cached at all), and on the
engine's hot path that bookkeeping cost more than the database work (bench/journey.py,
BENCHMARKS.md). A textual statement with typed bind parameters is compiled once per
table and column set, runs the same on SQLite and PostgreSQL (both speak
`ON CONFLICT` and `RETURNING`), and keeps the column types' conversions (UTC datetimes,
JSON).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Table, TextClause, TextualSelect, bindparam, text
from sqlalchemy.orm import Session


def _typed(table: Table, sql: str, columns: tuple[str, ...]) -> TextClause:
    return text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns))


@lru_cache(maxsize=None)
def _insert_sql(table: Table, columns: tuple[str, ...], ignore: bool) -> TextualSelect:
    names = ", ".join(columns)
    params = ", ".join(f":{c}" for c in columns)
    conflict = " ON CONFLICT DO NOTHING" if ignore else ""
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({params}){conflict} RETURNING id"
    return _typed(table, sql, columns).columns(id=Integer)


@lru_cache(maxsize=None)
def _upsert_sql(table: Table, key: str, columns: tuple[str, ...]) -> TextClause:
    names = ", ".join(columns)
    params = ", ".join(f":{c}" for c in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    sql = (f"INSERT INTO {table.name} ({names}) VALUES ({params}) "
           f"ON CONFLICT ({key}) DO UPDATE SET {updates}")
    return _typed(table, sql, columns)


def insert_returning_id(session: Session, table: Table, values: dict[str, Any]) -> int:
    """INSERT one row; its new id."""
    stmt = _insert_sql(table, tuple(sorted(values)), False)
    return int(session.execute(stmt, values).scalar_one())


def insert_ignore(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when a row was inserted.

    RETURNING tells reliably whether a row went in (rowcount does not on every driver).
    """
    stmt = _insert_sql(table, tuple(sorted(values)), True)
    return session.execute(stmt, values).first() is not None


def upsert(session: Session, table: Table, key: str, values: dict[str, Any]) -> None:
    """INSERT the row, or UPDATE every given column of the row with the same `key`."""
    session.execute(_upsert_sql(table, key, tuple(sorted(values))), values)
