"""Reading an answer to our question: an option, a yes or no, or an aside.

An aside is a question about the service ("what does it cost?") or a wish to talk to a
person, answered wherever the answer to our own question cannot be mistaken for one,
before our question is asked again.
"""

from __future__ import annotations

from typing import Any

from conversations import handoff
from conversations.intents import QUESTIONS, Intent
from conversations.messages import label_variants
from conversations.render import CONTACT
from conversations.step import BookingView, Context, Option, Say, SlotView, Step
from conversations.understand import (
    Choice,
    read_choice,
    read_yes_no,
)
from conversations.states import State


# A question about the service or a wish to talk to someone, understood wherever the
# answer to our own question cannot be mistaken for one.
ASIDES = QUESTIONS | {Intent.PERSON}


# What the visit menu listens to: everything said about a visit, each handled by
# visit.py or answered by its FAQ text ("faq.<intent>"). Listed, not "all but", so a new
# intent for one question (the follow-up's came / not came) never reaches the menu.
MENU_INTENTS = QUESTIONS | {Intent.MOVE, Intent.CANCEL, Intent.WHEN, Intent.PERSON,
                            Intent.THANKS, Intent.NEW_PHONE, Intent.NEW_CODE}


def _choices(options: tuple[Option, ...]) -> list[Choice]:
    """Options as understand.Choice: accepted by number, or by label in any language."""
    return [Choice(value=value, labels=label_variants(key, params))
            for value, key, params in options]


def pick(text: str, options: tuple[Option, ...]) -> str | None:
    return read_choice(text, _choices(options))


def answer(text: str, options: tuple[Option, ...]) -> str | None:
    """A numbered choice, or a plain yes/no for its first/second option ("ja", "👍")."""
    choice = pick(text, options)
    if choice is None:
        yes = read_yes_no(text)
        if yes is not None:
            choice = options[0][0] if yes else options[1][0]
    return choice


def answer_aside(ctx: Context, intent: Intent, question: tuple[Say, ...], state: State,
           data: dict[str, Any]) -> Step:
    """A question about the service answered, then our own question again."""
    if intent is Intent.NO_CODE:   # where the code is, what it looks like, a person
        return Step((Say("code.help", {"phone": ctx.rules.city_phone}),), state, data)
    if intent is Intent.PERSON:
        if handoff.available(ctx):   # a staff member answers here
            return handoff.request(ctx, state)
        return Step((Say("person", {"phone": ctx.rules.city_phone}), *question), state, data)
    return Step((Say(f"faq.{intent}", faq_params(ctx)), *question), state, data)


def faq_params(ctx: Context) -> dict[str, Any]:
    return {"phone": ctx.rules.city_phone,
            "minutes": int(ctx.rules.visit_length.total_seconds() // 60)}


def visit_params(slot: SlotView, booking: BookingView) -> dict[str, Any]:
    return {"start": slot.starts_at, "end": slot.ends_at, "street": booking.street,
            "postcode": booking.postcode, "topic": booking.topic}


def recall(ctx: Context, key: str) -> Say:
    """A short answer that recalls the visit, or every visit still to come when there are
    several (catalogue key "<key>.several" with {visits}: "wo 2 dec 13:00, wo 9 dec 09:00")."""
    bookings = ctx.bookings()
    if len(bookings) > 1:
        return Say(f"{key}.several", {"visits": [b.slot.starts_at for b in bookings]})
    return Say(key, visit_params(bookings[0].slot, bookings[0]))


def share_number(ctx: Context) -> tuple[Option, ...]:
    """On Telegram, a button that shares the number of the resident's account (the
    channel sends it back as that number, as if typed)."""
    return ((CONTACT, "option.share_number", {}),) if ctx.channel == "telegram" else ()
