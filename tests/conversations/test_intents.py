"""Intents after booking: the reader, and what an understood intent does to the visit."""

from __future__ import annotations

from datetime import datetime

import pytest

from conversations.flows import State
from conversations.intents import Intent, is_word, read_intent
from conversations.codes import find_code, looks_like_code
from storage import codes as format_
from tests.auxil.world import BRUSSELS, World


@pytest.mark.parametrize(("text", "intent"), [
    ("VERZETTEN", Intent.MOVE),
    ("verzeten", Intent.MOVE),             # one letter short
    ("verztten aub", Intent.MOVE),
    ("anuleren", Intent.CANCEL),
    ("annuleern", Intent.CANCEL),          # two letters swapped
    ("Annulér", Intent.CANCEL),
    ("ik kan woensdag echt niet komen", Intent.MOVE),
    ("dank u, maar ik wil verzetten", Intent.MOVE),   # an action beats thanks
    ("hoeveel kost dat", Intent.COST),
    ("merci!!", Intent.THANKS),
    ("ik bel later", None),                 # "later" only alone means move
    ("Kerkstraat 12", None),
    ("kost", Intent.COST),
    ("kust", None),                         # short words must be exact
    ("", None),
    ("x" * 5000, None),
])
def test_read_intent(text, intent):
    assert read_intent(text) is intent


def test_read_intent_listens_only_to_what_the_state_asks_for():
    assert read_intent("verzetten", listen={Intent.COST}) is None
    assert read_intent("hoeveel kost dat", listen={Intent.COST}) is Intent.COST


def test_words_are_no_codes():
    assert is_word("verzetten") and is_word("verzeten")
    assert not looks_like_code("verzetten", format_)
    assert not looks_like_code("afzeggen", format_)
    assert find_code("mag mijn zoon erbij zijn", format_) is None   # passes the check by chance


@pytest.fixture
def world(sessions):
    w = World(sessions)
    w.coach(capacity=3)
    return w


def booked(world, seed=1):
    ann = world.resident()
    ann.say("hallo")
    ann.say(world.cheque(seed=seed))
    ann.say("9100 Kerkstraat 12")
    ann.say("2")
    ann.say("2")
    assert "Gelukt" in ann.say("1")
    return ann


def test_verzetten_is_never_a_wrong_code_and_keeps_the_menu(world):
    ann = booked(world)
    assert "Wanneer mag de coach komen" in ann.say("verzetten")
    assert ann.state == State.ASK_TIME
    ann.say("menu")
    assert "Wanneer mag de coach komen" in ann.say("2")    # the menu, not code entry
    bob = world.resident("+32470555666")
    bob.say("hallo")
    for _ in range(6):
        assert "te veel foute codes" not in bob.say("verzetten")
    assert "uw code is goed" in bob.say(world.cheque(seed=2))


def test_a_new_number_in_words_changes_the_booking_after_a_yes(world):
    ann = booked(world)
    reply = ann.say("MIJN GSM NUMMER IS VERANDERD, HET IS NU 0470 99 99 99")
    assert "0470 99 99 99" in reply and ann.state == State.CHANGE_PHONE
    assert world.bookings()[0].phone == "+32470111222"    # not before the yes
    assert "belt u op 0470 99 99 99" in ann.say("ja")
    assert world.bookings()[0].phone == "+32470999999"
    assert ann.state == State.MENU


def test_a_new_number_asked_for_then_refused_keeps_the_old_one(world):
    ann = booked(world)
    assert "nieuwe nummer" in ann.say("ik heb een nieuw nummer")
    assert "0485 11 22 33" in ann.say("0485 11 22 33")
    assert "blijft hetzelfde" in ann.say("nee")
    assert world.bookings()[0].phone == "+32470111222"


def test_cancelling_in_words_asks_first(world):
    ann = booked(world)
    ann.say("ik heb geen hulp meer nodig")
    assert world.bookings()[0].status == "booked"
    assert "geannuleerd" in ann.say("ja, annuleer maar")
    assert world.bookings()[0].status == "cancelled"


def test_a_second_code_in_a_sentence_starts_a_new_booking(world):
    ann = booked(world)
    second = world.cheque(seed=2)
    assert "uw code is goed" in ann.say(f"mijn man heeft ook een brief gekregen: {second}")
    assert ann.state == State.ASK_POSTCODE


def test_asking_for_a_new_code_and_then_writing_words_goes_back_to_the_menu(world):
    ann = booked(world)
    assert "andere digicheque" in ann.say("ik heb nog een brief gekregen")
    assert ann.state == State.ASK_CODE
    assert "Wanneer mag de coach komen" in ann.say("toch maar verzetten")


def test_stop_says_the_visit_still_stands_and_a_question_gets_the_visit(world):
    ann = booked(world)
    ann.say("stop")
    reply = ann.say("ja")
    assert "blijft staan" in reply and "woensdag 2 december om 13:00" in reply
    assert ann.state == State.STOPPED
    reply = ann.say("wanneer komt de coach?")
    assert "woensdag 2 december om 13:00" in reply and ann.state == State.STOPPED


def test_stop_without_a_visit_says_no_more(world):
    ann = world.resident()
    ann.say("hallo")
    ann.say("stop")
    reply = ann.say("ja")
    assert "geen berichten meer" in reply and "bezoek" not in reply


@pytest.mark.parametrize(("hello", "text", "wednesday"), [
    ("hallo", "ik kan niet komen woensdag", "wo 2 dec"),
    ("FR", "je ne peux pas venir mercredi", "mer 2 déc"),
    ("EN", "I can't come on Wednesday", "Wed 2 Dec"),
])
def test_the_day_of_the_visit_refused_is_never_offered(world, hello, text, wednesday):
    ann = world.resident()
    ann.say(hello)
    ann.say(world.cheque(seed=1))
    ann.say("9100 Kerkstraat 12")
    ann.say("2")
    ann.say("2")
    ann.say("1")
    offered = ann.say(text)   # the visit is on Wednesday 2 December at 13:00
    assert ann.state == State.ASK_TIME
    assert wednesday not in offered and "09:00" in offered
    later = ann.say("4")      # another day: still never that Wednesday
    assert wednesday not in later and ann.state == State.ASK_TIME


def test_another_day_refused_is_left_out_of_what_is_offered_next(world):
    ann = booked(world)
    offered = ann.say("ik kan niet op donderdag")
    assert "do 3 dec" not in offered and "vr 4 dec 09:00" in offered
    proposed = ann.say("liefst in de namiddag")
    assert "donderdag" not in proposed and ann.state == State.CONFIRM
    ann.say("1")
    assert world.bookings()[0].slot_id == world.slot_at(
        datetime(2026, 12, 2, 15, 0, tzinfo=BRUSSELS)).id
