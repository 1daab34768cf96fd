"""A visit's life after booking: the resident answers a reminder or the follow-up.

A reminder asks "1 I'll be there, 2 move, 3 call it off"; the day after the visit the
follow-up asks "did the coach come? 1 yes, 2 no". Their answers are understood whatever
the conversation is busy with: the fired timer row is the record that we asked
(Context.open_question), and a message the resident sends after it is read as the answer
first. A message that does not answer it goes on to the state it was sent in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from conversations import effects as fx
from conversations.answers import answer, pick, visit_params
from conversations.choosing import offer_first, offer_for, read_wish, refusing
from conversations.intents import Intent, read_intent
from conversations.states import State, ask_in
from conversations.step import BookingView, Context, Option, Rules, Say, Step
from conversations.understand import (
    Choice,
    phrase_with_yes,
    read_choice,
    read_yes_no,
    says_any,
    words_of,
)

FOLLOWUP = "followup"

# An answer to a reminder is short; a longer message is about something else.
MAX_ANSWER = 80


def reminder_options() -> tuple[Option, ...]:
    return (("there", "option.be_there", {}), ("move", "option.move_visit", {}),
            ("cancel", "option.call_off", {}))


def followup_options() -> tuple[Option, ...]:
    return (("yes", "option.coach_came", {}), ("no", "option.coach_not_came", {}))


def new_time_options() -> tuple[Option, ...]:
    return (("yes", "option.new_time", {}), ("no", "option.no_new_time", {}))


# A yes that leads a sentence answering the follow-up ("ja, maar hij was wat laat");
# not "ok", which also starts questions ("ok, kan ik nog een bezoek?").
_YES_FIRST = frozenset({"ja", "jaa", "jawel", "jazeker", "yes", "yep", "yeah", "oui",
                        "ouais"})

# Not now, to "do you want a new time?": they can book later with their code.
_NOT_YET = ("weet het nog niet", "weet ik nog niet", "nog niet", "straks",
            "je ne sais pas encore", "je ne sais pas", "pas encore", "plus tard",
            "not yet", "not sure yet", "not sure", "later")

# "I'll be there" in words, besides the option's label.
_THERE = ("ik ben er", "ik zal er zijn", "ik ben thuis", "ik ben er zeker", "ik ben er dan",
          "tot morgen", "tot dan", "tot straks", "tot zo",
          "je serai la", "je serai present", "je serai presente", "je suis la", "a demain",
          "a tout a l heure", "a plus tard",
          "i ll be there", "i will be there", "ill be there", "i ll be home", "i will be home",
          "see you tomorrow", "see you then", "see you later", "see you")


def reminder_say(kind: str, booking: BookingView, rules: Rules, now: datetime) -> Say:
    """The reminder: day, time window and address, and what the resident can answer.

    Moving and calling off are offered only while a message can still do them (the
    change deadline); closer to the visit the reminder says to call the city instead,
    so no answer it invites is then refused."""
    params = visit_params(booking.slot, booking)
    if booking.slot.starts_at - now < rules.change_deadline:
        return Say(f"{kind}.late", {**params, "phone": rules.city_phone},
                   reminder_options()[:1])
    return Say(kind, params, reminder_options())


def followup_say(booking: BookingView) -> Say:
    return Say("followup.ask", visit_params(booking.slot, booking), followup_options())


def answer_open(ctx: Context, current: State, data: dict[str, Any], text: str) -> Step | None:
    """The step for a message that answers the reminder or follow-up we sent last, or
    None when there is none open or the message is no answer to it."""
    if len(text) > MAX_ANSWER:
        return None
    to_reminder = _reminder_choice(ctx, text)
    to_followup = _followup_choice(ctx, text)
    if to_reminder is None and to_followup is None:
        return None   # no answer to either: no need to look for a question
    question = ctx.open_question()
    if question is None:
        return None
    booking = question.booking
    if question.kind == FOLLOWUP:
        return _on_followup(ctx, booking, current, data, to_followup)
    return _on_reminder(ctx, booking, current, data, text, to_reminder)


def _followup_choice(ctx: Context, text: str) -> str | None:
    """yes (the coach came) or no, from a choice or a sentence: "ja hij is geweest",
    "le coach n'est pas venu". A "no" sets off the coach's no-show, so it takes words
    that say nobody came; a yes word leading a sentence that says nothing against it
    ("ja, maar hij was wat laat") is a yes."""
    choice = answer(text, followup_options())
    if choice is not None:
        return choice
    said = read_intent(text, ctx.language, {Intent.CAME, Intent.NOT_CAME})
    if said is not None:
        return "yes" if said is Intent.CAME else "no"
    words = words_of(text)
    return "yes" if words and words[0] in _YES_FIRST else None


def _reminder_choice(ctx: Context, text: str) -> str | None:
    """there, move or cancel; "no" when the resident says they cannot be there."""
    options = reminder_options()
    # Whole messages only: "ik ben er niet" is no "ik ben er".
    choices = [Choice(value, _THERE if value == "there" else ()) for value, _, _ in options]
    choice = pick(text, options) or read_choice(text, choices)
    if choice is not None:
        return choice
    if phrase_with_yes(text, _THERE):   # "yes I'll be there", "ja, ik ben er hoor"
        return "there"
    yes = read_yes_no(text)
    if yes is not None:
        return "there" if yes else "no"
    intent = read_intent(text, ctx.language, {Intent.MOVE, Intent.CANCEL, Intent.CANNOT})
    return {Intent.MOVE: "move", Intent.CANCEL: "cancel",
            Intent.CANNOT: "no"}.get(intent) if intent else None


def _on_reminder(ctx: Context, booking: BookingView, current: State, data: dict[str, Any],
                 text: str, choice: str | None) -> Step | None:
    """1 I'll be there (confirmed), 2 move that visit, 3 call it off (asked to confirm)."""
    if choice is None:
        return None
    if choice == "no":   # "nee": they cannot be there; moving or calling off is in the menu
        return Step((Say("reminder.cannot"), *ask_in(State.MENU, ctx, {})), State.MENU, {})
    if choice == "there":
        thanks = Say("reminder.thanks", visit_params(booking.slot, booking))
        return _and_go_on(ctx, thanks, current, data, (fx.VisitConfirmed(booking.id),))
    if booking.slot.starts_at - ctx.now < ctx.rules.change_deadline:
        return Step((Say("deadline", {"phone": ctx.rules.city_phone}),
                     *ask_in(State.MENU, ctx, {})), State.MENU, {})
    chosen: dict[str, Any] = {"booking_id": booking.id}
    if choice == "move":
        return offer_first(ctx, {"mode": "move", **chosen})
    return Step(ask_in(State.CONFIRM_CANCEL, ctx, chosen), State.CONFIRM_CANCEL, chosen)


def _on_followup(ctx: Context, booking: BookingView, current: State, data: dict[str, Any],
                 choice: str | None) -> Step | None:
    """Yes: the visit is done. No: the coach's no-show, the cheque's visit comes back,
    and a new time is offered if they want one."""
    if choice is None:
        return None
    if choice == "yes":
        return _and_go_on(ctx, Say("followup.thanks"), current, data,
                          (fx.VisitOutcomeSaid(booking.id, "done", "resident"),))
    again = {"cheque_id": booking.cheque_id, "visits_left": booking.visits_left + 1,
             "postcode": booking.postcode, "street": booking.street, "phone": booking.phone,
             "topic": booking.topic, "topic_text": booking.topic_text}
    return Step((Say("followup.sorry"), *ask_new_time(ctx, again)), State.NEW_TIME, again,
                (fx.VisitOutcomeSaid(booking.id, "no_show", "coach", give_back=True),))


def _and_go_on(ctx: Context, said: Say, current: State, data: dict[str, Any],
               effects: tuple[object, ...]) -> Step:
    """A short answer, then the question the resident was at, so they can go on."""
    if current in (State.MENU, State.ASK_CODE):   # not in the middle of anything
        state = State.MENU if ctx.bookings() else current
        return Step((said,), state, {}, effects)
    question = ask_in(current, ctx, data)
    return Step((said, *question), current, data, effects)


def ask_new_time(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("followup.new_time", {}, new_time_options()),)


def on_new_time(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """1 yes: times offered at once (same address, number and help, the same cheque);
    2 no: they can book later with their code. A day or a question about when is a yes
    too: "ja, volgende week dinsdag" offers that Tuesday, "wanneer kan het?" the first
    free times."""
    choice = answer(text, new_time_options())
    when, refused = read_wish(ctx, text, []) if choice is None else (None, ())
    if choice == "yes" or when is not None or refused \
            or (choice is None and read_intent(text, ctx.language, {Intent.WHEN})):
        again = {key: data.get(key) for key in ("cheque_id", "visits_left", "postcode",
                                                 "street", "phone", "topic", "topic_text")}
        if ctx.bookings():
            again["busy"] = True   # never at the time of a visit they already have
        again = refusing(again, refused)
        return offer_for(ctx, again, when) if when is not None else offer_first(ctx, again)
    if choice is None and says_any(text, _NOT_YET):
        choice = "no"   # "ik weet het nog niet": later, with their code
    if choice == "no":
        if ctx.bookings():
            return Step((Say("followup.later"), *ask_in(State.MENU, ctx, {})), State.MENU, {})
        return Step((Say("followup.later"),), State.ASK_CODE, {})
    return Step((Say("confirm.not_understood"), *ask_new_time(ctx, data)), State.NEW_TIME,
                data)
