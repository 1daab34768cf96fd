"""Every state answers anything: empty, nonsense, help, stop, and any text (G7)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations import flows
from conversations.flows import State
from conversations.incoming import Kind
from storage.models import Conversation
from tests.auxil.world import World

# Data that puts each state in a realistic position.
STATE_DATA = {
    State.ASK_CODE: {},
    State.ASK_POSTCODE: {"cheque_id": 1},
    State.ASK_STREET: {"cheque_id": 1, "postcode": "9100"},
    State.ASK_PHONE: {"cheque_id": 1, "postcode": "9100", "street": "Markt 1"},
    State.ASK_TOPIC: {"cheque_id": 1, "postcode": "9100", "street": "Markt 1",
                      "phone": "+32470111222"},
    State.ASK_TOPIC_TEXT: {"cheque_id": 1, "postcode": "9100", "street": "Markt 1",
                           "phone": "+32470111222", "topic": "other"},
    State.ASK_TIME: {"cheque_id": 1, "postcode": "9100", "street": "Markt 1",
                     "phone": "+32470111222", "topic": "email", "offers": [1, 2, 3]},
    State.CONFIRM: {"cheque_id": 1, "postcode": "9100", "street": "Markt 1",
                    "phone": "+32470111222", "topic": "email", "slot_id": 2},
    State.CHANGE_DETAILS: {"cheque_id": 1, "postcode": "9100", "street": "Markt 1",
                           "phone": "+32470111222", "topic": "email", "slot_id": 2},
    State.MENU: {},
    State.CONFIRM_CANCEL: {},
    State.WHICH_VISIT: {"action": "cancel", "text": "annuleren"},
    State.CHANGE_PHONE: {"phone": "+32470999999"},
    State.CONFIRM_STOP: {"return_to": "ask_postcode", "return_data": {"cheque_id": 1}},
    State.RESUME: {"return_to": "ask_time", "return_data": {"postcode": "9100"}},
    State.STOPPED: {"return_to": "ask_code", "return_data": {}},
    State.HANDOFF: {},   # without an open hand-off (none configured): the bot again
    State.NEW_TIME: {"cheque_id": 1, "visits_left": 1, "postcode": "9100",
                     "street": "Markt 1", "phone": "+32470111222", "topic": "email",
                     "topic_text": None},
}


def test_every_state_has_a_handler_and_test_data():
    assert set(flows.FLOW) == set(State) == set(STATE_DATA)


@pytest.fixture
def world(sessions):
    w = World(sessions)
    w.coach(last=date(2026, 12, 10))
    w.cheque()
    return w


def put(world, person, state, data):
    """Place a resident in a state directly (as the database would hold it)."""
    person.send("hallo")
    with world.sessions.begin() as s:
        conv = s.get(Conversation, person.row.id)
        conv.state, conv.data = str(state), data


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("text", ["", "blablabla", "help", "stop", "menu", "🙂", "NL",
                                  "99", "x" * 5000])
def test_every_state_answers_and_stays_valid(world, state, text):
    ann = world.resident()
    put(world, ann, state, STATE_DATA[state])
    outcome = ann.send(text)
    assert outcome.outbox_ids, f"no answer in {state} to {text[:20]!r}"
    assert ann.state in set(State)
    assert all(m.body.strip() for m in ann.messages())


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=st.sampled_from(list(State)),
       text=st.one_of(st.text(max_size=300), st.text(alphabet=st.characters(
           codec="utf-8"), min_size=1000, max_size=12000), st.sampled_from(
           ["1", "2", "ja", "nee", "morgen", "dinsdag namiddag", "9100", "👍", "\x00\x07"])),
       kind=st.sampled_from([k for k in Kind if k is not Kind.OPT_OUT]))
def test_any_text_in_any_state_gets_a_reply(world, state, text, kind):
    ann = world.resident(f"+3247{abs(hash((state, text))) % 10**7:07d}")
    put(world, ann, state, STATE_DATA[state])
    outcome = ann.send(text, kind=kind)
    assert outcome.outbox_ids
    assert ann.state in set(State)


@pytest.mark.parametrize("state", list(State))
def test_a_provider_opt_out_in_any_state_stops_without_a_reply(world, state):
    """Twilio's own STOP already blocks every SMS to them: answering would fail (21610)."""
    ann = world.resident()
    put(world, ann, state, STATE_DATA[state])
    outcome = ann.send("STOP", kind=Kind.OPT_OUT)
    assert outcome.outbox_ids == ()
    assert ann.state == State.STOPPED
    assert ann.row.opted_out_at is not None
