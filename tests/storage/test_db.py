from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from storage.db import SchemaError, current_revision, head_revision, make_engine, \
    require_current_schema, upgrade
from storage.models import Cheque, Coach, Inbound, Slot


def test_upgrade_creates_schema_and_is_idempotent(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(SchemaError, match="digicheque db upgrade"):
        require_current_schema(engine)
    assert upgrade(engine) == (None, head_revision())
    assert upgrade(engine) == (head_revision(), head_revision())
    require_current_schema(engine)


def test_schema_is_at_head(engine):
    assert current_revision(engine) == head_revision()


def test_datetimes_come_back_aware_utc(sessions):
    brussels = timezone(timedelta(hours=1))
    with sessions.begin() as s:
        s.add(Cheque(code="ABCDEFGH1", created_at=datetime(2026, 12, 1, 10, 0, tzinfo=brussels)))
    with sessions() as s:
        cheque = s.scalars(select(Cheque)).one()
    assert cheque.created_at == datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    assert cheque.created_at.utcoffset() == timedelta(0)


def test_naive_datetime_is_refused(sessions):
    with pytest.raises(Exception, match="naive datetime"):
        with sessions.begin() as s:
            s.add(Cheque(code="ABCDEFGH1", created_at=datetime(2026, 12, 1, 10, 0)))


def test_cheque_code_is_unique(sessions, now):
    with sessions.begin() as s:
        s.add(Cheque(code="ABCDEFGH1", created_at=now))
    with pytest.raises(IntegrityError):
        with sessions.begin() as s:
            s.add(Cheque(code="ABCDEFGH1", created_at=now))


def test_inbound_provider_id_is_unique_per_channel(sessions, now):
    with sessions.begin() as s:
        s.add(Inbound(channel="telegram", provider_id="1", received_at=now))
        s.add(Inbound(channel="sms", provider_id="1", received_at=now))
    with pytest.raises(IntegrityError):
        with sessions.begin() as s:
            s.add(Inbound(channel="telegram", provider_id="1", received_at=now))


def test_slot_cannot_be_booked_above_capacity(sessions, now):
    with sessions.begin() as s:
        coach = Coach(name="An")
        s.add(coach)
        s.flush()
        s.add(Slot(coach_id=coach.id, starts_at=now, ends_at=now + timedelta(hours=1),
                   capacity=1, booked=1))
    with pytest.raises(IntegrityError):
        with sessions.begin() as s:
            slot = s.scalars(select(Slot)).one()
            slot.booked = 2


def test_migrations_build_exactly_the_models(engine):
    """The migrated schema and storage/models.py agree (no change left for autogenerate)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.models import Base

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
