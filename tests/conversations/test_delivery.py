"""The engine hands its committed replies to this process's sender (conversations.engine
.Delivery): claimed in the same transaction when the sender sends on that channel,
otherwise left in the outbox with a wake-up."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from conversations.engine import Engine
from conversations.incoming import Incoming
from storage.models import Outbox, OutboxStatus
from storage.outbox import Claim, OutboxMessage
from tests.auxil.world import World

_ids = itertools.count(1)


class RecordingDelivery:
    """Sends on the channels given; records what the engine asked and handed over."""

    def __init__(self, channels: set[str]) -> None:
        self.channels = channels
        self.taken: list[list[OutboxMessage]] = []
        self.wakes = 0
        self.claims_asked = 0

    def claim(self, channel: str, now: datetime) -> Claim | None:
        self.claims_asked += 1
        return Claim("this-process", now + timedelta(seconds=60)) \
            if channel in self.channels else None

    def take(self, messages: Sequence[OutboxMessage]) -> None:
        self.taken.append(list(messages))

    def wake(self) -> None:
        self.wakes += 1


def engine_with(world: World, delivery: RecordingDelivery) -> Engine:
    return Engine(world.sessions, world.rules, world.clock, delivery)


def message(channel: str, address: str, text: str) -> Incoming:
    return Incoming(channel=channel, address=address, provider_id=f"p{next(_ids)}", text=text)


def outbox_rows(world: World) -> list[Outbox]:
    with world.sessions() as s:
        return list(s.scalars(select(Outbox).order_by(Outbox.id)))


def test_replies_on_a_channel_we_send_are_written_claimed_and_handed_over(sessions):
    world = World(sessions)
    delivery = RecordingDelivery({"telegram"})
    outcome = engine_with(world, delivery).process(message("telegram", "4242", "hallo"))

    rows = outbox_rows(world)
    assert rows and [r.id for r in rows] == list(outcome.outbox_ids)
    assert {(r.status, r.claimed_by) for r in rows} == {(OutboxStatus.SENDING, "this-process")}
    assert {r.claimed_until for r in rows} == {world.clock() + timedelta(seconds=60)}
    [taken] = delivery.taken
    assert [(m.id, m.address, m.body, m.attempts) for m in taken] == \
        [(r.id, "4242", r.body, 0) for r in rows]
    assert delivery.wakes == 0


def test_replies_on_another_channel_wait_in_the_outbox_and_wake_the_sender(sessions):
    world = World(sessions)
    delivery = RecordingDelivery({"telegram"})
    engine_with(world, delivery).process(message("sms", "+32470111222", "hallo"))

    rows = outbox_rows(world)
    assert rows and {(r.status, r.claimed_by) for r in rows} == {(OutboxStatus.PENDING, None)}
    assert delivery.taken == []
    assert delivery.wakes == 1


def test_a_redelivered_message_hands_nothing_over(sessions):
    world = World(sessions)
    delivery = RecordingDelivery({"telegram"})
    engine = engine_with(world, delivery)
    first = message("telegram", "4242", "hallo")
    engine.process(first)
    again = engine.process(first)

    assert again.duplicate
    assert len(delivery.taken) == 1 and delivery.wakes == 0
