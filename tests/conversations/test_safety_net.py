"""The engine's safety net (G7): a flow that fails still gives a kind answer and the
question the resident was at, never an instruction about a question that is not there."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from conversations.flows import State
from storage.models import Conversation, Resident, Slot
from tests.auxil.world import World, local


def _at_confirm(world: World, sessions, data: dict[str, object]) -> None:
    now = world.clock()
    with sessions.begin() as s:
        s.execute(insert(Resident), [{"channel": "sms", "address": "+32470555666",
                                      "language": "nl", "created_at": now,
                                      "wrong_codes": 0}])
        rid = s.scalars(select(Resident.id)).one()
        s.execute(insert(Conversation), [{"resident_id": rid, "state": "confirm",
                                          "updated_at": now, "expires_at": None,
                                          "data": data}])


def _slot_id(sessions) -> int:
    with sessions() as s:
        return s.scalars(select(Slot.id).where(
            Slot.starts_at == local(date(2026, 12, 3), 9))).one()


def test_a_failing_answer_repeats_the_current_question(sessions):
    world = World(sessions)
    world.coach(first=date(2026, 12, 3), last=date(2026, 12, 4))
    # No cheque in the data: confirming fails inside the flow, asking again does not.
    _at_confirm(world, sessions, {"slot_id": _slot_id(sessions), "postcode": "9100",
                                  "street": "Markt 1", "topic": "email"})
    ann = world.resident("+32470555666")
    said = ann.say("1")
    assert said.startswith("Sorry, er ging bij ons iets mis.")
    assert "Markt 1" in said and "1 Ja, boek het" in said   # the confirm question again
    assert "hieronder" not in said
    assert ann.state == State.CONFIRM


def test_when_asking_fails_too_the_resident_gets_the_city_phone(sessions):
    world = World(sessions)
    _at_confirm(world, sessions, {"slot_id": "not a number"})
    ann = world.resident("+32470555666")
    said = ann.say("1")
    assert said.startswith("Sorry, er ging bij ons iets mis.")
    assert "03 778 30 00" in said
    assert ann.state == State.CONFIRM
