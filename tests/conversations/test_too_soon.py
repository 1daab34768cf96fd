"""A wish sooner than the notice a visit needs gets the truth, not 'that time is not free'."""

from __future__ import annotations

import pytest

from conversations.flows import State
from tests.auxil.world import World


@pytest.mark.parametrize("language, wish, expected", [
    ("nl", "vandaag namiddag", "Zo snel kan het niet: we plannen een bezoek minstens 24 uur"),
    ("nl", "morgen om 8 uur", "Zo snel kan het niet"),           # Wednesday 08:00 < 09:00
    ("fr", "cet après-midi", "C'est trop proche: nous planifions une visite au moins 24"),
    ("en", "this afternoon", "That is too soon: we plan a visit at least 24 hours ahead"),
])
def test_a_wish_inside_the_notice_is_told_the_notice(sessions, language, wish, expected):
    world = World(sessions)          # Tuesday 1 December, 09:00; 24 h notice
    world.coach()
    ann = world.resident()
    ann.say({"nl": "hallo", "fr": "bonjour", "en": "hello"}[language])
    ann.up_to_topic(world.cheque())
    ann.say("3")
    said = ann.say(wish)
    assert said.startswith(expected), said
    assert "niet vrij" not in said and "\n1 " in said       # and the nearest times
    assert ann.state == State.ASK_TIME


def test_a_wish_after_the_notice_is_not_called_too_soon(sessions):
    world = World(sessions)
    world.coach()
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    ann.say("3")
    said = ann.say("morgen namiddag")    # Wednesday afternoon: after the notice
    assert "Zo snel" not in said
