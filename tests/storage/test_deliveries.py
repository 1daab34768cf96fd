"""Delivery statuses move forward only: repeated and out-of-order callbacks change nothing."""

from __future__ import annotations

import random

from sqlalchemy import insert, select

from storage.deliveries import record_delivery
from storage.models import Outbox
from tests.auxil.threads import at_once


def _sent(sessions, now, count: int = 1) -> list[str]:
    sids = [f"SM{i:032d}" for i in range(count)]
    with sessions.begin() as s:
        s.execute(insert(Outbox), [
            {"channel": "sms", "address": "+32470111222", "body": "hallo",
             "status": "sent", "next_attempt_at": now, "created_at": now,
             "provider_message_id": sid} for sid in sids])
    return sids


def _record(sessions, sid: str, status: str, error: str | None = None) -> bool:
    with sessions.begin() as s:
        return record_delivery(s, "sms", sid, status, error)


def _status(sessions, sid: str) -> tuple[str | None, str | None]:
    with sessions() as s:
        row = s.execute(select(Outbox.delivery_status, Outbox.delivery_error)
                        .where(Outbox.provider_message_id == sid)).one()
        return row[0], row[1]


def test_statuses_only_move_forward(sessions, now):
    [sid] = _sent(sessions, now)
    steps = [("queued", True), ("sent", True), ("queued", False), ("sent", False),
             ("delivered", True), ("sent", False), ("delivered", False),
             ("undelivered", False), ("failed", False)]
    for status, moved in steps:
        assert _record(sessions, sid, status) is moved, status
    assert _status(sessions, sid) == ("delivered", None)


def test_a_failure_keeps_its_error_code_and_unknown_input_changes_nothing(sessions, now):
    [sid] = _sent(sessions, now)
    assert _record(sessions, sid, "undelivered", "30003")
    assert _status(sessions, sid) == ("undelivered", "30003")
    assert not _record(sessions, sid, "delivered")
    assert not _record(sessions, sid, "exploded")
    assert not _record(sessions, "SM-unknown", "delivered")
    assert not _record(sessions, "", "delivered")
    with sessions.begin() as s:
        assert not record_delivery(s, "telegram", sid, "read")   # another channel's id


def test_callbacks_at_once_in_any_order_end_at_the_furthest(sessions, now):
    """Real threads, each with its own connection, race the callbacks of 20 messages."""
    sids = _sent(sessions, now, 20)
    order = [(sid, status) for sid in sids for status in ("queued", "sent", "delivered")]
    random.Random(7).shuffle(order)
    def work(i: int) -> list[tuple[str, str]]:
        return [(sid, status) for sid, status in order[i::6]
                if _record(sessions, sid, status)]

    moved = [change for part in at_once(work, 6) for change in part]
    for sid in sids:
        assert _status(sessions, sid) == ("delivered", None)
        assert moved.count((sid, "delivered")) == 1
