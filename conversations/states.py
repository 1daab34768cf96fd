"""The states of the resident's conversation, and handing over from one to another.

The table itself (`FLOW`, what each state asks and how it handles an answer) is filled in
by `conversations.flows`; the modules that handle parts of the conversation (choosing a
time, managing a visit) hand over to another state's question or handler through it, so
they need not import each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from conversations.intents import Intent
from conversations.step import BookingView, Context, Say, Step


class State(StrEnum):
    ASK_CODE = "ask_code"
    ASK_POSTCODE = "ask_postcode"
    ASK_STREET = "ask_street"
    ASK_PHONE = "ask_phone"
    ASK_TOPIC = "ask_topic"
    ASK_TOPIC_TEXT = "ask_topic_text"
    ASK_TIME = "ask_time"
    CONFIRM = "confirm"
    CHANGE_DETAILS = "change_details"
    MENU = "menu"
    CONFIRM_CANCEL = "confirm_cancel"
    WHICH_VISIT = "which_visit"
    CHANGE_PHONE = "change_phone"
    CONFIRM_STOP = "confirm_stop"
    RESUME = "resume"
    STOPPED = "stopped"
    HANDOFF = "handoff"        # waiting for a staff member (conversations/handoff.py)
    NEW_TIME = "new_time"      # the coach did not come: a new time?


# States in the middle of a booking: after a long silence we first recall where we were.
MID_BOOKING = {State.ASK_POSTCODE, State.ASK_STREET, State.ASK_PHONE, State.ASK_TOPIC,
               State.ASK_TOPIC_TEXT, State.ASK_TIME, State.CONFIRM, State.CHANGE_DETAILS}


@dataclass(frozen=True)
class Node:
    ask: Callable[[Context, dict[str, Any]], tuple[Say, ...]]   # the state's question
    handle: Callable[[Context, str, dict[str, Any]], Step]      # an answer to it
    # Questions (what does it cost, who comes...) answered here before the state's
    # question is asked again; the visit menu reads every intent itself.
    listens: frozenset[Intent] = frozenset()

# The table of states, filled in once by conversations.flows (every state has a Node).
FLOW: dict[State, Node] = {}


def ask_in(state: State, ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    """The question of another state."""
    return FLOW[state].ask(ctx, data)


def handle_in(state: State, ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """A message read as the answer to another state's question."""
    return FLOW[state].handle(ctx, text, data)


def to_menu(ctx: Context) -> Step:
    """The visit menu, or the code question when there is no visit (any more)."""
    if ctx.booking() is None:
        return start_over(ctx)
    return Step(ask_in(State.MENU, ctx, {}), State.MENU, {})


def chosen_booking(ctx: Context, data: dict[str, Any]) -> BookingView | None:
    """The visit being moved or cancelled: the one chosen (of several), else the next one.

    None when the chosen visit is gone meanwhile (cancelled by staff, or over)."""
    if data.get("booking_id") is None:
        return ctx.booking()
    return next((b for b in ctx.bookings() if b.id == int(data["booking_id"])), None)


def start_over(ctx: Context) -> Step:
    return Step(ask_in(State.ASK_CODE, ctx, {}), State.ASK_CODE, {})
