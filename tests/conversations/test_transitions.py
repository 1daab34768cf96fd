"""The flow's transitions are declared in code, and flows.mmd is drawn from them."""

from __future__ import annotations

from pathlib import Path

import conversations
from conversations.flows import FLOW, State
from conversations.transitions import ANY, BACK, REMINDED, TRANSITIONS, allowed, mermaid

DRAWING = Path(conversations.__file__).parent / "flows.mmd"


def test_flows_mmd_is_drawn_from_the_declared_transitions():
    assert DRAWING.read_text(encoding="utf-8") == mermaid(), \
        "run: python -m conversations.transitions > conversations/flows.mmd"


def test_every_state_is_in_the_table_and_the_drawing():
    named = {a for a, _, _ in TRANSITIONS} | {b for _, b, _ in TRANSITIONS}
    assert set(State) <= named
    assert named - set(State) <= {"[*]", ANY, BACK, REMINDED}
    assert set(FLOW) == set(State)


def test_allowed_reads_the_table():
    assert allowed(State.ASK_POSTCODE, State.ASK_TOPIC)
    assert allowed(State.ASK_TIME, State.CONFIRM_STOP)   # stop, from any state
    assert allowed(State.CONFIRM_STOP, State.ASK_TIME)   # back where we were
    assert not allowed(State.ASK_CODE, State.CONFIRM)
    assert not allowed(None, State.ASK_TIME)
