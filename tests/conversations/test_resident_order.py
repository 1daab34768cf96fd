"""G3 under real concurrency: one resident's messages at once end as some serial order.

Each message runs on its own thread with its own database connection, on SQLite and
PostgreSQL. The serial order the database chose is read back from the replies (a
resident's transactions are serialised by their lock, and each writes its replies
after taking it, so outbox ids follow that order); every state and reply must then be
what handling the messages one after the other in that order gives.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import insert, select

from conversations.engine import Outcome
from conversations.flows import State
from conversations.incoming import Incoming
from storage.models import Booking, Cheque, Conversation, Outbox, Resident, Slot
from tests.auxil.threads import at_once
from tests.auxil.world import World, local, make_code

RESIDENTS = 50
WRONG = ("abc", "abc", "abc", "abc")


def _at_once(jobs: list[list[Incoming]], handle: Callable[[Incoming], Outcome]
             ) -> dict[str, Outcome]:
    """Thread i handles message i of every resident, residents in the same order, so each
    resident's messages race each other; all threads start together."""
    outcomes: dict[str, Outcome] = {}

    def work(i: int) -> None:
        for msg in jobs[i]:
            outcomes[msg.provider_id] = handle(msg)

    at_once(work, len(jobs))
    return outcomes


def _bodies(world: World, outcome: Outcome) -> str:
    with world.sessions() as s:
        return "\n".join(s.scalars(select(Outbox.body).where(Outbox.id.in_(outcome.outbox_ids))
                                   .order_by(Outbox.id)))


def test_five_messages_at_once_end_as_a_serial_order(sessions):
    """One valid code and four 'abc' at once: any serial order ends at the postcode."""
    world = World(sessions)
    world.coach(first=date(2026, 12, 3), last=date(2026, 12, 4))
    codes = [world.cheque(seed=i) for i in range(RESIDENTS)]
    addresses = [f"+3247100{i:04d}" for i in range(RESIDENTS)]
    for address in addresses:  # known residents, waiting for their code
        world.resident(address).say("hallo")
    texts = (*WRONG[:2], "CODE", *WRONG[2:])  # the code is not the first to start
    jobs = [[Incoming("sms", a, f"{a}-{j}", codes[i] if t == "CODE" else t)
             for i, a in enumerate(addresses)] for j, t in enumerate(texts)]

    outcomes = _at_once(jobs, world.engine.process)

    for i, address in enumerate(addresses):
        order = sorted((outcomes[f"{address}-{j}"] for j in range(len(texts))),
                       key=lambda o: min(o.outbox_ids))
        position = order.index(outcomes[f"{address}-{texts.index('CODE')}"])
        for k, outcome in enumerate(order):
            body = _bodies(world, outcome)
            if k < position:      # 'abc' before the code: asked for the code again
                assert outcome.state == State.ASK_CODE, (address, k, body)
                assert "Stuur de code" in body, body
            elif k == position:   # the code: accepted, postcode asked
                assert outcome.state == State.ASK_POSTCODE, (address, k, body)
                assert "uw code is goed" in body, body
            else:                 # 'abc' after the code: not a postcode, asked again
                assert outcome.state == State.ASK_POSTCODE, (address, k, body)
                assert "Stuur de code" not in body and "postcode" in body, body
        assert world.resident(address).state == State.ASK_POSTCODE, codes[i]
        # The last three messages kept for a hand-off are the last three of that order.
        serial = sorted(range(len(texts)),
                        key=lambda j: min(outcomes[f"{address}-{j}"].outbox_ids))
        said = [codes[i] if texts[j] == "CODE" else texts[j] for j in serial]
        with sessions() as s:
            recent = s.scalars(select(Conversation.recent).join(
                Resident, Resident.id == Conversation.resident_id)
                .where(Resident.address == address)).one()
        assert [r["text"] for r in recent] == said[-3:], address


def _waiting_to_confirm(world: World, sessions, addresses: list[str]) -> int:
    """Residents at 'confirm' for one slot with a seat for each of them."""
    now = world.clock()
    with sessions.begin() as s:
        slot = s.scalars(select(Slot).where(Slot.starts_at == local(date(2026, 12, 3), 9))
                         ).one()
        slot.capacity = len(addresses)
        s.flush()
        s.execute(insert(Cheque), [{"code": make_code(1000 + i), "visits": 1,
                                    "visits_used": 0, "status": "open", "created_at": now}
                                   for i in range(len(addresses))])
        s.execute(insert(Resident), [{"channel": "telegram", "address": a, "language": "nl",
                                      "created_at": now, "wrong_codes": 0}
                                     for a in addresses])
        residents = s.scalars(select(Resident).order_by(Resident.id)).all()
        cheques = s.scalars(select(Cheque).order_by(Cheque.id)).all()
        s.execute(insert(Conversation), [
            {"resident_id": r.id, "state": "confirm", "updated_at": now, "expires_at": None,
             "data": {"cheque_id": c.id, "postcode": "9100", "street": "Markt 1",
                      "phone": "+32470123456", "topic": "email", "topic_text": None,
                      "slot_id": slot.id, "mode": "book"}}
            for r, c in zip(residents, cheques, strict=True)])
        return slot.id


def test_a_double_tapped_confirmation_books_once_and_never_says_someone_was_faster(sessions):
    world = World(sessions)
    world.coach(first=date(2026, 12, 3), last=date(2026, 12, 4))
    addresses = [str(900000 + i) for i in range(RESIDENTS)]
    slot_id = _waiting_to_confirm(world, sessions, addresses)
    jobs = [[Incoming("telegram", a, f"{a}-{tap}", "Ja, boek het") for a in addresses]
            for tap in range(2)]

    outcomes = _at_once(jobs, world.engine.process)

    with sessions() as s:
        bookings = s.scalars(select(Booking)).all()
        booked = s.get(Slot, slot_id).booked
    assert len(bookings) == RESIDENTS           # one each, none lost, none doubled
    assert len({b.resident_id for b in bookings}) == RESIDENTS
    assert booked == RESIDENTS
    for address in addresses:
        first, second = sorted((outcomes[f"{address}-{tap}"] for tap in range(2)),
                               key=lambda o: min(o.outbox_ids))
        said_first, said_second = _bodies(world, first), _bodies(world, second)
        assert first.state == State.MENU and "Gelukt!" in said_first, said_first
        assert second.state == State.MENU, said_second
        assert "iemand anders was u net voor" not in said_second, said_second
        assert "al geboekt" in said_second and "Uw bezoek is op" in said_second, said_second
        assert world.resident(address, "telegram").state == State.MENU


def test_a_second_confirmation_later_says_the_visit_is_already_booked(sessions):
    """The same answer as the double tap, one after the other (the serial reference)."""
    world = World(sessions)
    world.coach(first=date(2026, 12, 3), last=date(2026, 12, 4))
    _waiting_to_confirm(world, sessions, ["777"])
    ann = world.resident("777", "telegram")
    assert "Gelukt!" in ann.say("Ja, boek het")
    again = ann.say("Ja, boek het")
    assert "al geboekt" in again and "Uw bezoek is op" in again
    assert ann.state == State.MENU
    assert len(world.bookings()) == 1

