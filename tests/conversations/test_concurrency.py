"""G4 under load: 200 residents confirm at once for the last 5 seats."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select

from conversations.flows import State
from conversations.incoming import Incoming
from storage.models import Booking, Cheque, Conversation, Resident, Slot
from tests.auxil.threads import at_once
from tests.auxil.world import World, local, make_code

RESIDENTS = 200
SEATS = 5


def test_two_hundred_confirm_for_five_seats(sessions):
    world = World(sessions)
    world.coach(first=date(2026, 12, 3), last=date(2026, 12, 4))
    now = world.clock()
    with sessions.begin() as s:
        last_seats = s.scalars(select(Slot).where(Slot.starts_at == local(date(2026, 12, 3), 9))
                               ).one()
        last_seats.capacity = SEATS
        s.flush()
        slot_id = last_seats.id
        s.execute(insert(Cheque), [{"code": make_code(i), "visits": 1, "visits_used": 0,
                                    "status": "open", "created_at": now}
                                   for i in range(RESIDENTS)])
        s.execute(insert(Resident), [{"channel": "sms", "address": f"+3247000{i:04d}",
                                      "language": "nl", "created_at": now, "wrong_codes": 0}
                                     for i in range(RESIDENTS)])
        residents = s.scalars(select(Resident).order_by(Resident.id)).all()
        cheques = s.scalars(select(Cheque).order_by(Cheque.id)).all()
        s.execute(insert(Conversation), [
            {"resident_id": r.id, "state": "confirm", "updated_at": now, "expires_at": None,
             "data": {"cheque_id": c.id, "postcode": "9100", "street": "Markt 1",
                      "phone": r.address, "topic": "email", "topic_text": None,
                      "slot_id": slot_id}}
            for r, c in zip(residents, cheques, strict=True)])
        addresses = [r.address for r in residents]

    outcomes: dict[str, object] = {}

    def confirm(i: int) -> None:
        for address in addresses[i::20]:
            outcomes[address] = world.engine.process(
                Incoming("sms", address, f"c-{address}", "1"))

    at_once(confirm, 20)

    with sessions() as s:
        bookings = s.scalars(select(Booking)).all()
        slot = s.get(Slot, slot_id)
        states = s.scalars(select(Conversation.state)).all()
        used = s.scalars(select(Cheque).where(Cheque.visits_used > 0)).all()
    assert len(bookings) == SEATS
    assert {b.slot_id for b in bookings} == {slot_id}
    assert slot.booked == SEATS
    assert len(used) == SEATS          # the losers' cheques were not touched
    assert states.count(State.MENU) == SEATS
    assert states.count(State.ASK_TIME) == RESIDENTS - SEATS
    losers = [a for a, o in outcomes.items() if o.state == State.ASK_TIME]
    ann = world.resident(losers[0])
    ann.last = outcomes[losers[0]]
    assert "iemand anders was u net voor" in "\n".join(m.body for m in ann.messages())
