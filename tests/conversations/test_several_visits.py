"""Several visits on one phone (a two-visit cheque, or a second code): which one is
shown, moved or cancelled, and the second visit of a cheque booked (issue 9)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from storage.models import Booking, BookingStatus, Cheque
from tests.auxil.world import World, local


@pytest.fixture
def world(sessions):
    w = World(sessions)
    w.coach(capacity=5)
    return w


def starts(world):
    """(local start, status, cheque id) of every booking, in booking order."""
    with world.sessions() as s:
        rows = s.execute(select(Booking).order_by(Booking.id)).scalars().all()
        return [(b.slot.starts_at, b.status, b.cheque_id) for b in rows]


def book_two(world, ann, code):
    """The first visit on Wednesday 2 December 13:00, the second on the 9th at 09:00."""
    ann.up_to_topic(code)
    for text in ("2", "2", "1"):   # computer, Wednesday 13:00, yes
        ann.say(text)
    second = ann.say("5")   # book the cheque's other visit
    assert "Nog een bezoek boeken" not in second
    ann.say("9 december")
    ann.say("1")
    assert len(world.bookings()) == 2


def test_a_two_visit_cheque_books_both_visits_never_at_the_same_time(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque(seed=3, visits=2))
    ann.say("2")
    ann.say("2")
    assert "nog een bezoek" in ann.say("1")
    offered = ann.say("5")
    assert "wo 2 dec 13:00" not in offered   # the time of the first visit is not offered
    ann.say("9 december")
    assert "Nog een bezoek" not in ann.say("1")
    with world.sessions() as s:
        cheque = s.scalars(select(Cheque)).one()
        assert (cheque.visits_used, cheque.status) == (2, "used")
    assert [(t, st) for t, st, _ in starts(world)] == [
        (local(date(2026, 12, 2), 13), BookingStatus.BOOKED),
        (local(date(2026, 12, 9), 9), BookingStatus.BOOKED)]
    assert "5 Nog een bezoek" not in ann.say("menu")


def test_cancelling_the_visit_named_by_its_day_leaves_the_other(world):
    ann = world.resident()
    book_two(world, ann, world.cheque(seed=3, visits=2))
    assert "woensdag 9 december" in ann.say("het bezoek van 9 december annuleren")
    assert "andere bezoek blijft" in ann.say("ja")
    assert [st for _, st, _ in starts(world)] == [BookingStatus.BOOKED,
                                                  BookingStatus.CANCELLED]
    assert ann.state == "menu"
    assert "Uw bezoek is op woensdag 2 december" in ann.say("menu")


def test_a_second_code_on_the_same_phone_then_moving_the_second_visit(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque(seed=1))
    for text in ("2", "2", "1"):
        ann.say(text)
    ann.say(world.cheque(seed=2))   # a second letter, on the same phone
    ann.say("9100 Markt 3")
    assert "wo 2 dec 13:00" not in ann.say("2")   # not the time of the visit they have
    ann.say("9 december")
    ann.say("1")
    assert "U hebt 2 bezoeken: wo 2 dec 13:00, wo 9 dec 09:00" in ann.say("menu")
    assert "Welk bezoek wilt u verplaatsen?" in ann.say("2")
    assert "wo 2 dec 13:00" not in ann.say("2")   # the 9th; never onto the other visit
    assert "verplaatsen naar donderdag 10 december" in ann.say("10 december")
    ann.say("1")
    moved = starts(world)
    assert moved[0][0] == local(date(2026, 12, 2), 13)   # the first visit did not move
    assert moved[1][0].astimezone(local(date(2026, 12, 10), 9).tzinfo).date() == \
        date(2026, 12, 10)
    assert moved[0][2] != moved[1][2]   # two cheques


def test_a_new_phone_number_is_for_every_visit(world):
    ann = world.resident()
    book_two(world, ann, world.cheque(seed=3, visits=2))
    ann.say("mijn nieuw nummer is 0485 11 22 33")
    ann.say("ja")
    with world.sessions() as s:
        assert {b.phone for b in s.scalars(select(Booking))} == {"+32485112233"}
