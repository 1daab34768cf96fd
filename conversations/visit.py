"""Managing a booked visit: see it, move it, cancel it, a new phone number, a person.

A resident with a visit may write anything, in any words: the menu reads every intent
(conversations/intents.py), and actions still ask to confirm first.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from conversations import effects as fx
from conversations.codes import find_code, looks_like_code
from conversations import handoff
from conversations.intents import Intent, read_intent
from conversations.phone import find_phone, read_phone, show_phone
from conversations.step import BookingView, Context, Option, Say, Step
from conversations.understand import (
    When,
    greeting_language,
    read_when_not,
    read_yes_no,
)
from conversations.answers import (
    ASIDES,
    MENU_INTENTS,
    answer,
    answer_aside,
    faq_params,
    pick,
    recall,
    share_number,
    visit_params,
)
from conversations.choosing import confirm_options, offer_first, offer_for
from conversations.states import State, ask_in, chosen_booking, handle_in, start_over, to_menu


def menu_options(ctx: Context | None = None) -> tuple[Option, ...]:
    options: tuple[Option, ...] = (("see", "option.see", {}), ("move", "option.move", {}),
                                   ("cancel", "option.cancel", {}),
                                   ("person", "option.person", {}))
    if ctx is not None and _cheque_with_visits_left(ctx) is not None:
        options += (("another", "option.another_visit", {}),)   # a two-visit cheque
    return options


def _cheque_with_visits_left(ctx: Context) -> BookingView | None:
    """A visit whose cheque is worth another visit still to book, if any."""
    return next((b for b in ctx.bookings() if b.visits_left > 0), None)


def _starts(ctx: Context) -> list[Any]:
    return [b.slot.starts_at for b in ctx.bookings()]


def ask_menu(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    bookings = ctx.bookings()
    if not bookings:
        return ask_in(State.ASK_CODE, ctx, data)
    if len(bookings) > 1:   # which visits: "wo 2 dec 13:00, wo 9 dec 09:00"
        return (Say("menu.several", {"visits": _starts(ctx), "count": len(bookings)},
                    menu_options(ctx)),)
    return (Say("menu", {"start": bookings[0].slot.starts_at}, menu_options(ctx)),)


def on_menu(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """1 see my visit, 2 move it, 3 cancel it, 4 talk to a person; or any intent in words."""
    booking = ctx.booking()
    if booking is None:
        return _no_visit(ctx, text)
    # the visit shown after its day was named ("16 december"): moved or cancelled next
    picked = chosen_booking(ctx, data) if data.get("booking_id") is not None else None
    choice = pick(text, menu_options(ctx))
    if choice is not None:   # a digit is no day: "2" is not 2 December
        return _menu_choice(ctx, choice, picked=picked)
    if find_code(text, ctx.codes) is not None:   # "mijn man heeft ook een brief: NDXJ-..."
        return handle_in(State.ASK_CODE, ctx, text, {})
    intent = read_intent(text, ctx.language, MENU_INTENTS)
    if intent is not None:
        return _on_intent(ctx, intent, text, picked)
    phone = read_phone(text, ctx.rules.country)
    if phone is not None and phone != booking.phone:   # just a number: a new one?
        return _ask_phone_change(ctx, phone)
    if greeting_language(text) is not None:
        return Step(ask_menu(ctx, data), State.MENU, {})
    if len(ctx.bookings()) > 1:
        named = _day_of_several(ctx, text)
        if named is not None:
            return named
    elif _wished(ctx, text, booking) != (None, ()):
        # "volgende week dinsdag?", "niet op donderdag": a day other than the visit's
        return _menu_choice(ctx, "move", text)
    elif _named(ctx, text) is not None:   # "woensdag?": the day of their visit
        return Step(_menu_choice(ctx, "see").replies, State.MENU, {})
    if pick(text, confirm_options("book") + confirm_options("move")) == "yes":
        # "Ja, boek het" again: a button pressed twice, or a resident making sure.
        return Step((Say("menu.already_booked"), *ask_menu(ctx, data)), State.MENU, {})
    if read_yes_no(text) is not None:   # "oké", "👍", "nee": the visit stands
        return Step((recall(ctx, "menu.ok"),), State.MENU, {})
    if looks_like_code(text, ctx.codes):
        return handle_in(State.ASK_CODE, ctx, text, {})
    if read_intent(text, ctx.language, {Intent.CANNOT}) is not None:
        # "ik ben ziek", with no day or wish in it: move or call off, as they choose
        return Step((Say("reminder.cannot"), *ask_menu(ctx, data)), State.MENU, {})
    return Step((Say("menu.not_understood"), *ask_menu(ctx, data)), State.MENU, {})


def _named(ctx: Context, text: str) -> BookingView | None:
    """The one visit a message names by its day ("het bezoek van 16 december")."""
    if not text:
        return None
    when, refused = read_when_not(text, ctx.now, ctx.rules.tz, ctx.language)
    days = refused or (when.days if when is not None else None)   # "niet op 9 december"
    if not days:
        return None
    tz = ctx.rules.tz
    named = [b for b in ctx.bookings() if b.slot.starts_at.astimezone(tz).date() in days]
    return named[0] if len(named) == 1 else None


def _day_of_several(ctx: Context, text: str) -> Step | None:
    """A day alone, with several visits: the visit on that day is shown ("16 december"),
    and moved or cancelled next; a day refused or without a visit is a wish to move one."""
    when, refused = read_when_not(text, ctx.now, ctx.rules.tz, ctx.language)
    if not refused and (when is None or not when.days):
        return None
    named = None if refused else _named(ctx, text)
    if named is None:
        return _menu_choice(ctx, "move", text)
    return Step((Say("visit", visit_params(named.slot, named)), Say("menu.what", {},
                                                                   menu_options(ctx))),
                State.MENU, {"booking_id": named.id})


def _visit_list(ctx: Context) -> tuple[Say, ...]:
    """Every visit: in full when there is one, one short line each when there are several
    (within one SMS of two segments), the address said once when it is the same."""
    bookings = ctx.bookings()
    if len(bookings) < 2:
        return tuple(Say("visit", visit_params(b.slot, b)) for b in bookings)
    places = {(b.street, b.postcode) for b in bookings}
    line = "visit.line" if len(places) == 1 else "visit.line_at"
    lines = [Say(line, visit_params(b.slot, b)) for b in bookings]
    key = "visits" if len(places) == 1 else "visits.apart"
    return (Say(key, {"count": len(bookings), "lines": lines, "street": bookings[0].street,
                      "postcode": bookings[0].postcode}),)


def _menu_choice(ctx: Context, choice: str, text: str = "",
                 picked: BookingView | None = None) -> Step:
    """A menu choice; moving or cancelling one of several visits first asks which one,
    unless the message named it or it was just shown (`picked`)."""
    bookings = ctx.bookings()
    if choice == "see":
        if len(bookings) > 1:   # the list says the visits: no need to repeat them
            return Step((*_visit_list(ctx), Say("menu.what", {}, menu_options(ctx))),
                        State.MENU, {})
        return Step((*_visit_list(ctx), *ask_menu(ctx, {})), State.MENU, {})
    if choice == "person":
        if handoff.available(ctx):   # a staff member answers here
            return handoff.request(ctx, State.MENU)
        return Step((Say("person", {"phone": ctx.rules.city_phone}), *ask_menu(ctx, {})),
                    State.MENU, {})
    if choice == "another":
        return _book_another(ctx)
    if not bookings:   # cancelled by staff meanwhile, or over
        return to_menu(ctx)
    if len(bookings) == 1:
        return _act_on(ctx, choice, bookings[0], text)
    named = _named(ctx, text) or picked
    if named is not None:
        return _act_on(ctx, choice, named, text)
    which = {"action": choice, "text": text[:200]}
    return Step(ask_which(ctx, which), State.WHICH_VISIT, which)


def _act_on(ctx: Context, choice: str, booking: BookingView, text: str) -> Step:
    """Move or cancel this visit (confirmed first), if it is not too late for it."""
    if booking.slot.starts_at - ctx.now < ctx.rules.change_deadline:
        return Step((Say("deadline", {"phone": ctx.rules.city_phone}),
                     *ask_menu(ctx, {})), State.MENU, {})
    several = len(ctx.bookings()) > 1
    data: dict[str, Any] = {"booking_id": booking.id} if several else {}
    if choice == "move":
        when, refused = _wished(ctx, text, booking) if text else (None, ())
        data = {"mode": "move", **data}
        if refused:   # "ik kan niet komen woensdag": never offered that day
            data["not_days"] = [day.isoformat() for day in refused]
        if when is not None:   # "kan het naar donderdag?": offer what was asked
            return offer_for(ctx, data, when)
        return offer_first(ctx, data)
    return Step(ask_cancel(ctx, data), State.CONFIRM_CANCEL, data)


def _book_another(ctx: Context) -> Step:
    """The next visit of a two-visit cheque: same address, number and help; a time."""
    booking = _cheque_with_visits_left(ctx)
    if booking is None:
        return Step((Say("code.ask_another"),), State.ASK_CODE, {})
    data = {"cheque_id": booking.cheque_id, "visits_left": booking.visits_left,
            "postcode": booking.postcode, "street": booking.street, "phone": booking.phone,
            "topic": booking.topic, "topic_text": booking.topic_text, "busy": True}
    return offer_first(ctx, data)


def _which_options(ctx: Context) -> tuple[Option, ...]:
    return tuple((str(b.id), "option.visit", {"start": b.slot.starts_at})
                 for b in ctx.bookings())


def ask_which(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    if len(ctx.bookings()) < 2:   # one left meanwhile: nothing to choose
        return ask_menu(ctx, {})
    key = "which.cancel" if data.get("action") == "cancel" else "which.move"
    return (Say(key, {}, _which_options(ctx)),)


def on_which(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """Which of several visits to move or cancel: a number, its day, or no after all."""
    bookings = ctx.bookings()
    if len(bookings) < 2:   # one left meanwhile: no need to ask
        return _menu_choice(ctx, str(data.get("action", "see")), str(data.get("text", "")))
    chosen = pick(text, _which_options(ctx))
    booking = next((b for b in bookings if str(b.id) == chosen), None) or _named(ctx, text)
    if booking is not None:
        return _act_on(ctx, str(data.get("action")), booking, str(data.get("text", "")))
    if read_yes_no(text) is False:
        return Step(ask_menu(ctx, {}), State.MENU, {})
    return Step((Say("confirm.not_understood"), *ask_which(ctx, data)), State.WHICH_VISIT,
                data)


def _wished(ctx: Context, text: str, booking: BookingView
            ) -> tuple[When | None, tuple[date, ...]]:
    """The day or time a resident who wants to move asks for, and the days they cannot.

    The visit's own day is no wish without a time ("kan het woensdag om 3 uur?" is);
    a day refused ("ik kan niet komen woensdag", "je ne serai pas là jeudi, vendredi?")
    is left out of the times offered, and a refused weekday of the visit's is its day.
    """
    visit_day = booking.slot.starts_at.astimezone(ctx.rules.tz).date()
    # "de week erna" is the week after the visit's
    when, refused = read_when_not(text, ctx.now, ctx.rules.tz, ctx.language, visit_day)
    if any(day.weekday() == visit_day.weekday() for day in refused):
        refused = tuple(sorted({*refused, visit_day}))
    if when is None:
        return None, refused
    timed = when.exact is not None or when.start is not None or when.end is not None
    if when.days is None:
        if timed and visit_day not in refused:
            return replace(when, days=(visit_day,)), refused   # "kan het om 3 uur?"
        return when, refused
    start = booking.slot.starts_at.astimezone(ctx.rules.tz)
    if when.days == (visit_day,) and when.exact == start.time().replace(tzinfo=None):
        return None, refused   # "woensdag om 13u": the visit they have
    days = tuple(day for day in when.days if timed or day != visit_day)
    return (replace(when, days=days) if days else None), refused


def _on_intent(ctx: Context, intent: Intent, text: str,
               picked: BookingView | None = None) -> Step:
    """What a resident with a visit means in words; actions still ask to confirm."""
    if intent is Intent.MOVE:
        return _menu_choice(ctx, "move", text, picked)
    if intent is Intent.CANCEL:
        return _menu_choice(ctx, "cancel", text, picked)
    if intent is Intent.WHEN:
        return _menu_choice(ctx, "see")
    if intent is Intent.PERSON:
        return _menu_choice(ctx, "person")
    if intent is Intent.THANKS:
        return Step((recall(ctx, "thanks"),), State.MENU, {})
    if intent is Intent.NEW_PHONE:
        return _ask_phone_change(ctx, find_phone(text, ctx.rules.country))
    if intent is Intent.NEW_CODE:
        if _cheque_with_visits_left(ctx) is not None:
            # "ik heb nog een code": their cheque still has a visit; book that, or a code
            return Step((Say("code.visit_left", {}, menu_options(ctx)),), State.MENU, {})
        return Step((Say("code.ask_another"),), State.ASK_CODE, {})
    return Step((Say(f"faq.{intent}", faq_params(ctx)),
                 *ask_menu(ctx, {})), State.MENU, {})


def _no_visit(ctx: Context, text: str) -> Step:
    """The visit is over or was cancelled by staff: a code starts a new booking."""
    if find_code(text, ctx.codes) is not None or looks_like_code(text, ctx.codes):
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
    return (Say("phone.change_ask", {}, share_number(ctx)),)


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
            # The resident's number: the coach of every visit still to come calls it.
            return Step((Say("phone.changed", {"number": number}), *ask_menu(ctx, {})),
                        State.MENU, {}, tuple(fx.PhoneChanged(b.id, str(data["phone"]))
                                              for b in ctx.bookings()))
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
    booking = chosen_booking(ctx, data)
    if booking is None:
        return ask_in(State.ASK_CODE, ctx, data)
    return (Say("cancel.ask", {"start": booking.slot.starts_at}, _cancel_options()),)


def on_cancel(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """Cancelling is confirmed first; the cheque's visit comes back."""
    booking = chosen_booking(ctx, data)
    if booking is None:
        return to_menu(ctx)
    choice = answer(text, _cancel_options())
    if choice == "yes":
        if booking.slot.starts_at - ctx.now < ctx.rules.change_deadline:
            return Step((Say("deadline", {"phone": ctx.rules.city_phone}),
                         *ask_menu(ctx, {})), State.MENU, {})
        if len(ctx.bookings()) > 1:   # the other visit stands: back to the menu
            return Step((Say("cancelled.one", {"start": booking.slot.starts_at}),),
                        State.MENU, {}, (fx.VisitCancelled(booking.id),))
        return Step((Say("cancelled"),), State.ASK_CODE, {},
                    (fx.VisitCancelled(booking.id),))
    if choice == "no":
        return Step((Say("cancel.kept"), *ask_menu(ctx, {})), State.MENU, {})
    if read_intent(text, ctx.language, {Intent.MOVE}) is Intent.MOVE:
        # "nee, liever een andere dag": not cancelled, moved
        return _act_on(ctx, "move", booking, text)
    return Step((Say("confirm.not_understood"), *ask_cancel(ctx, data)), State.CONFIRM_CANCEL,
                data)
