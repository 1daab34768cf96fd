"""Opting out and back in: our own stop words, the provider's STOP, START and a new code."""

from __future__ import annotations

from conversations.flows import State
from conversations.incoming import Kind
from tests.auxil.world import World


def test_a_new_code_after_stop_opts_back_in_and_is_read(sessions):
    world = World(sessions)
    code = world.cheque(seed=5)
    ann = world.resident()
    ann.say("hallo")
    ann.say("stop")
    assert "geen berichten meer" in ann.say("1")
    assert ann.row.opted_out_at is not None
    said = ann.say(code)
    assert "Welkom terug" in said and "uw code is goed" in said
    assert ann.state == State.ASK_POSTCODE
    assert ann.row.opted_out_at is None


def test_start_after_a_provider_opt_out_returns_to_the_question(sessions):
    world = World(sessions)
    code = world.cheque(seed=6)
    ann = world.resident()
    ann.say("hallo")
    ann.say(code)
    assert ann.send("STOP", kind=Kind.OPT_OUT).outbox_ids == ()
    assert ann.state == State.STOPPED and ann.row.opted_out_at is not None
    said = ann.say("START")
    assert "Welkom terug" in said and "postcode" in said
    assert ann.state == State.ASK_POSTCODE
    assert ann.row.opted_out_at is None
