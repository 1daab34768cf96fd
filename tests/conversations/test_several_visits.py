"""Several visits on one phone (a two-visit cheque, or a second code): which one is
shown, moved or cancelled, and the second visit of a cheque booked (issue 9)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from conversations.gsm7 import segments
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


def test_a_day_alone_shows_the_visit_on_that_day_and_the_next_action_is_for_it(world):
    ann = world.resident()
    book_two(world, ann, world.cheque(seed=3, visits=2))
    shown = ann.say("9 december")
    assert "woensdag 9 december van 09:00" in shown and "2 december" not in shown
    assert ann.state == "menu"
    assert "bezoek op woensdag 9 december om 09:00 annuleren" in ann.say("3")   # no "which?"
    ann.say("ja")
    assert [st for _, st, _ in starts(world)] == [BookingStatus.BOOKED,
                                                  BookingStatus.CANCELLED]


def test_a_day_without_a_visit_asks_which_visit_moves_there(world):
    ann = world.resident()
    book_two(world, ann, world.cheque(seed=3, visits=2))
    assert "Welk bezoek wilt u verplaatsen?" in ann.say("10 december")
    assert "verplaatsen naar donderdag 10 december" in ann.say("2")
    ann.say("1")
    assert [t.date() for t, _, _ in starts(world)] == [date(2026, 12, 2), date(2026, 12, 10)]


def test_a_refused_day_names_the_visit_to_move_and_is_not_offered(world):
    ann = world.resident()
    book_two(world, ann, world.cheque(seed=3, visits=2))
    offered = ann.say("ik kan niet op 9 december")
    assert ann.state == "ask_time" and "Welk bezoek" not in offered
    assert "wo 9 dec" not in offered and "wo 2 dec 13:00" not in offered


@pytest.mark.parametrize(("hello", "word", "yes", "when", "both"), [
    ("hallo", "stop", "ja", "wanneer komt de coach?",
     "blijven staan: wo 2 dec 13:00, wo 9 dec 09:00"),
    ("FR", "stop", "oui", "quand vient le coach?",
     "restent prévues: mer 2 déc 13:00, mer 9 déc 09:00"),
    ("EN", "stop", "yes", "when is the coach coming?",
     "still stand: Wed 2 Dec 13:00, Wed 9 Dec 09:00"),
])
def test_after_stop_every_visit_still_to_come_is_said(world, hello, word, yes, when, both):
    ann = world.resident()
    ann.say(hello)
    book_two(world, ann, world.cheque(seed=3, visits=2))
    ann.say(word)
    assert both in ann.say(yes)
    assert ann.state == "stopped"
    assert both in ann.say(when)
    assert len(world.bookings()) == 2


def test_the_list_of_three_visits_fits_one_sms_of_two_segments(world):
    ann = world.resident()
    street = "9100 Heilige-Geeststraat 123 bus 45"
    ann.up_to_topic(world.cheque(seed=3, visits=3), street)
    for text in ("2", "2", "1", "5", "9 december", "1", "5", "16 december", "1"):
        ann.say(text)
    assert len(world.bookings()) == 3
    ann.say("1")
    [listed, *_] = ann.messages()
    assert segments(listed.body) <= 2, listed.body
    assert "Uw 3 bezoeken, Heilige-Geeststraat 123 bus 45:" in listed.body
    for line in ("wo 2 dec 13:00-14:30: Computer", "wo 9 dec 09:00-10:30: Computer",
                 "wo 16 dec 09:00-10:30: Computer"):
        assert line in listed.body


@pytest.mark.parametrize(("hello", "text", "offer", "book"), [
    ("hallo", "ik heb nog een code", "nog goed voor een bezoek", "5"),
    ("hallo", "tweede code", "nog goed voor een bezoek", "nog een bezoek boeken"),
    ("FR", "j'ai un autre code", "vaut encore une visite", "5"),
    ("EN", "I have another code", "still good for a visit", "book another visit"),
])
def test_a_new_code_while_the_cheque_has_a_visit_left_offers_that_visit(world, hello, text,
                                                                       offer, book):
    ann = world.resident()
    ann.say(hello)
    ann.up_to_topic(world.cheque(seed=3, visits=2))
    for said in ("2", "2", "1"):
        ann.say(said)
    assert offer in ann.say(text)
    assert ann.state == "menu"
    ann.say(book)
    assert ann.state == "ask_time"
    ann.say("1")
    ann.say("1")
    assert len(world.bookings()) == 2
    assert {b.cheque_id for b in world.bookings()} == {world.bookings()[0].cheque_id}


def test_a_new_code_with_a_visit_left_still_takes_the_other_letter(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque(seed=3, visits=2))
    for said in ("2", "2", "1"):
        ann.say(said)
    ann.say("ik heb nog een code")
    assert "uw code is goed" in ann.say(world.cheque(seed=4))
    assert ann.state == "ask_postcode"
