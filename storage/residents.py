"""Residents and the messages they sent: the atomic first steps of handling a message."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Inbound, Resident


def insert_ignore(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when a row was inserted.

    RETURNING tells reliably whether a row went in (rowcount does not on every driver).
    """
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table).values(**values).on_conflict_do_nothing()
    return session.execute(stmt.returning(table.c.id)).first() is not None


def record_inbound(session: Session, channel: str, provider_id: str, now: datetime) -> bool:
    """Remember a provider message id; False when it was seen before (a redelivery, G1)."""
    return insert_ignore(session, Inbound.__table__,  # type: ignore[arg-type]
                         {"channel": channel, "provider_id": provider_id, "received_at": now})


def lock_resident(session: Session, channel: str, address: str, language: str,
                  now: datetime) -> Resident:
    """Get or create the resident and lock their row until commit (G3 on PostgreSQL).

    On SQLite the whole write transaction already holds the database lock. The common
    case, a known resident, costs one query; a new one is inserted race-free.
    """
    query = select(Resident).where(Resident.channel == channel, Resident.address == address)\
        .with_for_update()
    resident = session.scalars(query).first()
    if resident is None:
        insert_ignore(session, Resident.__table__,  # type: ignore[arg-type]
                      {"channel": channel, "address": address, "language": language,
                       "created_at": now, "wrong_codes": 0})
        resident = session.scalars(query).one()
    return resident


def count_wrong_code(resident: Resident, now: datetime, attempts: int, window: timedelta,
                     lockout: timedelta) -> None:
    """Brute-force guard (G9): `attempts` wrong codes within `window` lock for `lockout`."""
    if resident.wrong_codes_since is None or now - resident.wrong_codes_since > window:
        resident.wrong_codes, resident.wrong_codes_since = 0, now
    resident.wrong_codes += 1
    if resident.wrong_codes >= attempts:
        resident.codes_locked_until = now + lockout
        resident.wrong_codes, resident.wrong_codes_since = 0, None


def recent_wrong_codes(resident: Resident, now: datetime, window: timedelta) -> int:
    if resident.wrong_codes_since is None or now - resident.wrong_codes_since > window:
        return 0
    return resident.wrong_codes


def codes_locked(resident: Resident, now: datetime) -> bool:
    return resident.codes_locked_until is not None and resident.codes_locked_until > now
