"""Before booking: what residents write in one go is kept, and details change before a yes."""

from __future__ import annotations

import pytest

from conversations.flows import State
from conversations.incoming import Kind
from tests.auxil.world import World


@pytest.fixture
def world(sessions):
    w = World(sessions)
    w.coach()
    return w


def test_street_first_then_a_place_name_fills_the_address(world):
    ann = world.resident()
    ann.say("hallo")
    ann.say(world.cheque())
    assert "postcode" in ann.say("Sorry ik was het vergeten. Parklaan 8")
    ann.say("Belsele")
    assert ann.state == State.ASK_TOPIC   # by SMS the number written from is the phone
    ann.say("mijn pensioen bekijken op mypension")
    ann.say("1")
    ann.say("ja")
    [booking] = world.bookings()
    assert (booking.postcode, booking.street) == ("9111", "Parklaan 8")
    assert (booking.topic, booking.topic_text) == ("other",
                                                   "mijn pensioen bekijken op mypension")


def test_changing_the_phone_before_confirming_goes_back_to_the_confirmation(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    ann.say("2")
    ann.say("1")
    reply = ann.say("3")
    assert "1 Adres" in reply and "2 Telefoonnummer" in reply and "3 Waarmee u hulp wilt" in reply
    ann.say("telefoon")
    assert "Klopt dit?" in ann.say("0485 11 22 33")
    ann.say("ja")
    [booking] = world.bookings()
    assert booking.phone == "+32485112233" and booking.street == "Markt 3"


def test_a_greeting_with_a_code_reads_the_code(world):
    ann = world.resident()
    reply = ann.say(f"Dag, hier is mijn code: {world.cheque()}")
    assert "uw code is goed" in reply and ann.state == State.ASK_POSTCODE
    ann.say("Kerkstraat 12, 9100")
    assert ann.state == State.ASK_TOPIC


def test_a_photo_at_the_code_question_says_where_the_code_is(world):
    tom = world.resident("5551234", channel="telegram")
    tom.say("/start")
    reply = tom.say("", kind=Kind.PHOTO)
    assert "ABCD-EFGH-K" in reply and "03 778 30 00" in reply
    assert tom.state == State.ASK_CODE


@pytest.mark.parametrize("language, thanks, welcome", [
    ("nl", "dank u wel", "Graag gedaan!"), ("fr", "merci beaucoup", "Avec plaisir!"),
    ("en", "thank you", "You are welcome!")])
def test_thanks_at_the_confirmation_is_welcomed_and_the_question_asked_again(
        world, language, thanks, welcome):
    code = world.cheque()
    ann = world.resident()
    if language != "nl":
        ann.say(language.upper())
    ann.up_to_topic(code)
    ann.say("3")
    ann.say("1")
    assert ann.state == State.CONFIRM
    reply = ann.say(thanks)
    assert reply.startswith(welcome + "\n") and ann.state == State.CONFIRM
    assert "1 " in reply                    # the question again, with its choices
    assert world.bookings() == []           # a thanks is no yes


@pytest.mark.parametrize("text", ["ja bedankt", "1 merci", "oui merci"])
def test_a_yes_with_thanks_is_still_a_yes(world, text):
    code = world.cheque()
    ann = world.resident()
    ann.up_to_topic(code)
    ann.say("3")
    ann.say("1")
    ann.say(text)
    assert len(world.bookings()) == 1


@pytest.mark.parametrize("text, state", [
    ("nee, het adres is fout", State.ASK_POSTCODE), ("het adres klopt niet", State.ASK_POSTCODE),
    ("mijn telefoon is anders", State.ASK_PHONE), ("non, mon numéro a changé", State.ASK_PHONE),
    ("the address is wrong", State.ASK_POSTCODE)])
def test_a_wrong_detail_at_the_confirmation_goes_straight_to_its_question(world, text, state):
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    ann.say("3")
    ann.say("1")
    ann.say(text)
    assert ann.state == state and world.bookings() == []


def test_a_detail_said_to_be_right_is_no_wish_to_change_it(world):
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    ann.say("3")
    ann.say("1")
    ann.say("ja, het adres klopt")
    assert ann.state == State.CONFIRM
