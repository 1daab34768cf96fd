"""Wording per channel and language: Telegram never asks for numbers, French keeps its
accents where GSM-7 has them."""

from __future__ import annotations

import re

import pytest

from conversations.gsm7 import is_gsm7
from conversations.messages import CATALOGUES
from conversations.render import render
from conversations.step import Say
from tests.auxil.world import BRUSSELS, World

ASKS_FOR_A_NUMBER = {
    "nl": re.compile(r"Kies een nummer|met een cijfer"),
    "fr": re.compile(r"Choisissez un numéro|avec un chiffre"),
    "en": re.compile(r"Choose a number|with a number"),
}


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_every_text_that_asks_for_a_number_has_a_wording_for_buttons(language):
    for key, text in CATALOGUES[language].items():
        if ASKS_FOR_A_NUMBER[language].search(text):
            assert f"{key}.buttons" in CATALOGUES[language], key
            rendered = render((Say(key),), language, "telegram", BRUSSELS)
            assert not ASKS_FOR_A_NUMBER[language].search(rendered[0].body), key


def test_french_sms_keeps_the_accents_gsm7_has():
    [message] = render((Say("phone.ask"),), "fr", "sms", BRUSSELS)
    assert "numéro" in message.body and is_gsm7(message.body)
    [message] = render((Say("welcome"),), "fr", "sms", BRUSSELS)
    assert "à domicile" in message.body


@pytest.fixture
def world(sessions):
    w = World(sessions)
    w.coach()
    return w


def test_a_telegram_resident_is_never_asked_for_a_number(world):
    tom = world.resident("5551234", channel="telegram")
    tom.say("/start")
    tom.say(world.cheque())
    tom.say("9100 Markt 1")
    tom.say("0470 12 34 56")
    replies = [tom.say("Computer")]
    [message] = tom.messages()
    replies.append(tom.say(message.choices[0]))
    replies.append(tom.say("Ja, boek het"))
    replies.append(tom.say("qsdfqsdf"))
    for reply in replies:
        assert not ASKS_FOR_A_NUMBER["nl"].search(reply), reply
    assert "Tik op een moment" in replies[0] and "Tik op een knop" in replies[-1]
