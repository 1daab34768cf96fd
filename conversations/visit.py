"""Managing a booked visit: see it, move it, cancel it, a new phone number, a person.

A resident with a visit may write anything, in any words: the menu reads every intent
(conversations/intents.py), and actions still ask to confirm first.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from conversations import effects as fx
from conversations.intents import Intent, read_intent
from conversations.phone import find_phone, read_phone, show_phone
from conversations.step import BookingView, Context, Option, Say, Step
from conversations.understand import (
    When,
    fold,
    greeting_language,
    read_when,
    read_yes_no,
)
from storage.codes import (
    find_code,
    looks_like_code,
)
from conversations.answers import (
    ASIDES,
    MENU_INTENTS,
    answer,
    answer_aside,
    faq_params,
    pick,
    visit_params,
)
from conversations.choosing import confirm_options, offer_first, offer_for
from conversations.states import State, ask_in, handle_in, start_over


def menu_options() -> tuple[Option, ...]:
    return (("see", "option.see", {}), ("move", "option.move", {}),
            ("cancel", "option.cancel", {}), ("person", "option.person", {}))


def ask_menu(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    booking = ctx.booking()
    if booking is None:
        return ask_in(State.ASK_CODE, ctx, data)
    return (Say("menu", {"start": booking.slot.starts_at}, menu_options()),)


def on_menu(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """1 see my visit, 2 move it, 3 cancel it, 4 talk to a person; or any intent in words."""
    booking = ctx.booking()
    if booking is None:
        return _no_visit(ctx, text)
    choice = pick(text, menu_options())
    if choice is not None:
        return _menu_choice(ctx, choice, booking)
    if find_code(text) is not None:   # "mijn man heeft ook een brief gekregen: NDXJ-..."
        return handle_in(State.ASK_CODE, ctx, text, {})
    intent = read_intent(text, ctx.language, MENU_INTENTS)
    if intent is not None:
        return _on_intent(ctx, intent, text, booking)
    phone = read_phone(text, ctx.rules.country)
    if phone is not None and phone != booking.phone:   # just a number: a new one?
        return _ask_phone_change(ctx, phone)
    if greeting_language(text) is not None:
        return Step(ask_menu(ctx, data), State.MENU, {})
    wished = _wished(ctx, text, booking)
    if wished is not None:   # "volgende week dinsdag?": a day other than the visit's
        return _menu_choice(ctx, "move", booking, wished)
    if pick(text, confirm_options("book") + confirm_options("move")) == "yes":
        # "Ja, boek het" again: a button pressed twice, or a resident making sure.
        return Step((Say("menu.already_booked"), *ask_menu(ctx, data)), State.MENU, {})
    if read_yes_no(text) is not None:   # "oké", "👍", "nee": the visit stands
        return Step((Say("menu.ok", visit_params(booking.slot, booking)),), State.MENU, {})
    if looks_like_code(text):
        return handle_in(State.ASK_CODE, ctx, text, {})
    return Step((Say("menu.not_understood"), *ask_menu(ctx, data)), State.MENU, {})


def _menu_choice(ctx: Context, choice: str, booking: BookingView,
                 when: When | None = None) -> Step:
    if choice == "see":
        return Step((Say("visit", visit_params(booking.slot, booking)),
                     *ask_menu(ctx, {})), State.MENU, {})
    if choice == "person":
        return Step((Say("person", {"phone": ctx.rules.city_phone}), *ask_menu(ctx, {})),
                    State.MENU, {})
    if booking.slot.starts_at - ctx.now < ctx.rules.change_deadline:
        return Step((Say("deadline", {"phone": ctx.rules.city_phone}),
                     *ask_menu(ctx, {})), State.MENU, {})
    if choice == "move":
        if when is not None:   # "kan het naar donderdag?": offer what was asked
            return offer_for(ctx, {"mode": "move"}, when)
        return offer_first(ctx, {"mode": "move"})
    return Step(ask_cancel(ctx, {}), State.CONFIRM_CANCEL, {})


# Words that make a day in the message the day the resident cannot ("ik kan niet woensdag").
_NEGATIONS = frozenset({"niet", "geen", "nie", "ni", "pas", "not", "cannot", "cant", "t",
                        "ne", "n", "never", "jamais"})


def _wished(ctx: Context, text: str, booking: BookingView) -> When | None:
    """The day or time a resident who wants to move asks for, if the message says one.

    The visit's own day is the day they cannot, not a wish; with a "not" in the message
    ("je ne serai pas là jeudi, vendredi?") so is every day of the visit's weekday.
    """
    when = read_when(text, ctx.now, ctx.rules.tz, ctx.language)
    if when is None:
        return None
    visit_day = booking.slot.starts_at.astimezone(ctx.rules.tz).date()
    words = set("".join(c if c.isalnum() else " " for c in fold(text)).split())
    negated = bool(words & _NEGATIONS)
    if when.days is None:
        return None if negated else when
    days = tuple(day for day in when.days if day != visit_day
                 and not (negated and day.weekday() == visit_day.weekday()))
    return replace(when, days=days) if days else None


def _on_intent(ctx: Context, intent: Intent, text: str, booking: BookingView) -> Step:
    """What a resident with a visit means in words; actions still ask to confirm."""
    if intent is Intent.MOVE:
        return _menu_choice(ctx, "move", booking, _wished(ctx, text, booking))
    if intent is Intent.CANCEL:
        return _menu_choice(ctx, "cancel", booking)
    if intent is Intent.WHEN:
        return _menu_choice(ctx, "see", booking)
    if intent is Intent.PERSON:
        return _menu_choice(ctx, "person", booking)
    if intent is Intent.THANKS:
        return Step((Say("thanks", visit_params(booking.slot, booking)),), State.MENU, {})
    if intent is Intent.NEW_PHONE:
        return _ask_phone_change(ctx, find_phone(text, ctx.rules.country))
    if intent is Intent.NEW_CODE:
        return Step((Say("code.ask_another"),), State.ASK_CODE, {})
    return Step((Say(f"faq.{intent}", faq_params(ctx)),
                 *ask_menu(ctx, {})), State.MENU, {})


def _no_visit(ctx: Context, text: str) -> Step:
    """The visit is over or was cancelled by staff: a code starts a new booking."""
    if find_code(text) is not None or looks_like_code(text):
        return handle_in(State.ASK_CODE, ctx, text, {})
    intent = read_intent(text, ctx.language, ASIDES | {Intent.THANKS})
    if intent is Intent.THANKS:
        return Step((Say("thanks.no_visit"),), State.ASK_CODE, {})
    if intent is not None:
        return answer_aside(ctx, intent, ask_in(State.ASK_CODE, ctx, {}), State.ASK_CODE, {})
    return Step((Say("menu.no_visit"), *ask_in(State.ASK_CODE, ctx, {})), State.ASK_CODE, {})


def _phone_options() -> tuple[Option, ...]:
    return (("yes", "option.yes_number", {}), ("no", "option.no_change", {}))


def _ask_phone_change(ctx: Context, phone: str | None) -> Step:
    data = {"phone": phone} if phone else {}
    return Step(ask_phone_change(ctx, data), State.CHANGE_PHONE, data)


def ask_phone_change(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    if data.get("phone"):
        return (Say("phone.change_confirm",
                    {"number": show_phone(str(data["phone"]), ctx.rules.country)},
                    _phone_options()),)
    return (Say("phone.change_ask"),)


def on_phone_change(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """A new number for the coach: read, shown back, changed only after a yes."""
    booking = ctx.booking()
    if booking is None:
        return start_over(ctx)
    phone = find_phone(text, ctx.rules.country)
    if phone is not None:   # a (corrected) number: show it back first
        return _ask_phone_change(ctx, phone)
    if data.get("phone"):
        choice = answer(text, _phone_options())
        if choice == "yes":
            number = show_phone(str(data["phone"]), ctx.rules.country)
            return Step((Say("phone.changed", {"number": number}), *ask_menu(ctx, {})),
                        State.MENU, {}, (fx.PhoneChanged(booking.id, str(data["phone"])),))
        if choice == "no":
            return Step((Say("phone.kept"), *ask_menu(ctx, {})), State.MENU, {})
        return Step((Say("confirm.not_understood"), *ask_phone_change(ctx, data)),
                    State.CHANGE_PHONE, data)
    if read_yes_no(text) is False:
        return Step((Say("phone.kept"), *ask_menu(ctx, {})), State.MENU, {})
    return Step((Say("phone.invalid"), *ask_phone_change(ctx, data)), State.CHANGE_PHONE,
                data)


def _cancel_options() -> tuple[Option, ...]:
    return (("yes", "option.yes_cancel", {}), ("no", "option.no_keep", {}))


def ask_cancel(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    booking = ctx.booking()
    if booking is None:
        return ask_in(State.ASK_CODE, ctx, data)
    return (Say("cancel.ask", {"start": booking.slot.starts_at}, _cancel_options()),)


def on_cancel(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """Cancelling is confirmed first; the cheque's visit comes back."""
    booking = ctx.booking()
    if booking is None:
        return start_over(ctx)
    choice = answer(text, _cancel_options())
    if choice == "yes":
        if booking.slot.starts_at - ctx.now < ctx.rules.change_deadline:
            return Step((Say("deadline", {"phone": ctx.rules.city_phone}),
                         *ask_menu(ctx, {})), State.MENU, {})
        return Step((Say("cancelled"),), State.ASK_CODE, {},
                    (fx.VisitCancelled(booking.id),))
    if choice == "no":
        return Step((Say("cancel.kept"), *ask_menu(ctx, {})), State.MENU, {})
    if read_intent(text, ctx.language, {Intent.MOVE}) is Intent.MOVE:
        # "nee, liever een andere dag": not cancelled, moved
        return _menu_choice(ctx, "move", booking, _wished(ctx, text, booking))
    return Step((Say("confirm.not_understood"), *ask_cancel(ctx, data)), State.CONFIRM_CANCEL,
                data)
