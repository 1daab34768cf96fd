"""The happy path in as few messages as we can ask (issue 9): 5 by SMS, 6 on Telegram.

By SMS the number a resident writes from is the number the coach calls: it is not
asked, it is shown in the confirmation, and "change details" changes it. On Telegram we
cannot see a number, so it is asked once.
"""

from __future__ import annotations

import pytest

from conversations.flows import State
from tests.auxil.world import World


@pytest.fixture
def world(sessions):
    w = World(sessions)
    w.coach()
    return w


def test_booking_by_sms_takes_five_messages(world):
    ann = world.resident("+32470111222")
    script = [world.cheque(), "Kerkstraat 12, 9100", "3", "1", "1"]
    replies = [ann.say(text) for text in script]
    assert len(script) == 5 and ann.state == State.MENU
    assert "Waarmee wilt u hulp?" in replies[1]          # no phone question
    assert "Tel. 0470 11 12 22" in replies[3]            # shown where it can be changed
    assert "3 Adres, nummer of hulp wijzigen" in replies[3]
    assert "Gelukt! De coach komt op wo 2 dec om 09:00." in replies[4]
    [booking] = world.bookings()
    assert (booking.phone, booking.street, booking.topic) == ("+32470111222", "Kerkstraat 12",
                                                             "itsme")


def test_the_sms_number_can_be_changed_before_confirming(world):
    ann = world.resident("+32470111222")
    for text in (world.cheque(), "Kerkstraat 12, 9100", "3", "1"):
        ann.say(text)
    ann.say("3")                                          # change details
    assert "eindigt op 222" in ann.say("2")               # the phone
    assert "Tel. 0485 11 22 33" in ann.say("0485 11 22 33")
    ann.say("1")
    [booking] = world.bookings()
    assert booking.phone == "+32485112233"


def test_booking_on_telegram_takes_six_messages(world):
    tom = world.resident("5551234", channel="telegram")
    said = [world.cheque(), "9100 Kerkstraat 12"]
    for text in said:
        tom.say(text)
    assert tom.state == State.ASK_PHONE                  # a chat id is no phone number
    for text in ("0470 12 34 56", "itsme"):
        tom.say(text)
        said.append(text)
    [offer] = tom.messages()
    said.append(offer.choices[0])                         # a tapped button
    tom.say(offer.choices[0])
    [confirm] = tom.messages()
    assert "0470 12 34 56" in confirm.body
    said.append(confirm.choices[0])                       # "Ja, boek het"
    reply = tom.say(confirm.choices[0])
    assert len(said) == 6 and tom.state == State.MENU
    assert "Gelukt! De coach komt op wo 2 dec om 09:00." in reply
    [booking] = world.bookings()
    assert booking.phone == "+32470123456"
