"""Choosing a time and confirming it: free slots offered, a wish in words met, a yes.

Also what happens when the database refuses a booking at the last moment (someone was
faster): the nearest other times.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from conversations import effects as fx
from conversations.intents import Intent, read_intent
from conversations.phone import show_phone
from conversations.step import Context, Option, Say, SlotView, Step
from conversations.understand import (
    When,
    rank_slots,
    read_when_not,
    words_of,
)
from conversations.answers import ASIDES, answer, answer_aside, pick, visit_params
from conversations.states import State, ask_in, chosen_booking, start_over, to_menu


def _window(ctx: Context) -> tuple[datetime, datetime]:
    return ctx.now + ctx.rules.min_notice, ctx.now + ctx.rules.max_ahead


def _postcode_for(ctx: Context, data: dict[str, Any]) -> str | None:
    if data.get("postcode"):
        return str(data["postcode"])
    booking = chosen_booking(ctx, data)
    return booking.postcode if booking else None


def _exclude(ctx: Context, data: dict[str, Any]) -> int | None:
    booking = chosen_booking(ctx, data) if data.get("mode") == "move" else None
    return booking.slot.id if booking else None


# Ranking a resident's wish looks at most this many candidate slots, and at days near
# the ones asked for: enough for "the nearest", and cheap on every message.
RANK_CANDIDATES = 400


NEAR_DAYS = timedelta(days=7)


def free_times(ctx: Context, data: dict[str, Any], after: datetime | None = None,
          before: datetime | None = None, limit: int | None = None) -> list[SlotView]:
    start, end = _window(ctx)
    if after is not None:
        start = max(start, after)
    if before is not None:
        end = min(end, before)
    postcode, exclude = _postcode_for(ctx, data), _exclude(ctx, data)
    # Never offer a time the resident already has a visit at (a second visit, or moving
    # one of two): look a little further to still offer `limit` times.
    # ("busy": set when a resident with a visit books another; saves a query otherwise)
    busy = data.get("mode") == "move" or bool(data.get("busy"))
    own = [b.slot for b in ctx.bookings() if b.slot.id != exclude] if busy else []
    # Days the resident said they cannot ("ik kan niet komen woensdag"): never offered.
    refused = {date.fromisoformat(str(day)) for day in data.get("not_days", ())}
    if not own and not refused:
        return ctx.free_slots(start, end, postcode, exclude, limit)
    wanted = None if limit is None or refused else limit + 2 * len(own)
    found = ctx.free_slots(start, end, postcode, exclude, wanted)
    tz = ctx.rules.tz
    kept = [s for s in found if not any(s.starts_at < o.ends_at and o.starts_at < s.ends_at
                                        for o in own)
            and s.starts_at.astimezone(tz).date() not in refused]
    if limit is not None and wanted is not None and len(kept) < limit and len(found) == wanted:
        return free_times(ctx, data, after, before, None)[:limit]
    return kept[:limit] if limit is not None else kept


def read_wish(ctx: Context, text: str, seen: list[SlotView]
              ) -> tuple[When | None, tuple[date, ...]]:
    """What the resident asks for, read against the times they see (offered or booked):
    "de week erna" is the week after those, and a clock time alone ("die van 1 uur",
    "celui de 13h") is on their days, not on whichever day has that time first. And the
    days they say they cannot ("donderdag kan ik niet"), never to be offered again."""
    tz = ctx.rules.tz
    days = sorted({s.starts_at.astimezone(tz).date() for s in seen})
    when, refused = read_when_not(text, ctx.now, tz, ctx.language,
                                  days[-1] if days else None)
    if when is not None and days and when.days is None and not when.asap and (
            when.exact is not None or when.start is not None or when.end is not None):
        when = replace(when, days=tuple(days))
    return when, refused


def refusing(data: dict[str, Any], refused: tuple[date, ...]) -> dict[str, Any]:
    """The state's data with these days never offered again (free_times leaves them out)."""
    if not refused:
        return data
    days = {str(day) for day in data.get("not_days", ())} | {d.isoformat() for d in refused}
    return {**data, "not_days": sorted(days)}


def _time_options(slots: list[SlotView]) -> tuple[Option, ...]:
    slot_options = tuple((str(s.id), "option.slot", {"start": s.starts_at, "end": s.ends_at})
                         for s in slots)
    return slot_options + (("other", "option.other_day", {}),)


def offer(ctx: Context, data: dict[str, Any], slots: list[SlotView], intro: str) -> Step:
    if not slots:
        return Step((Say("time.none", {"phone": ctx.rules.city_phone},
                         (("menu", "option.menu", {}),)),), State.ASK_TIME,
                    {**data, "offers": []})
    data = {**data, "offers": [s.id for s in slots]}
    return Step((Say(intro, {}, _time_options(slots)),), State.ASK_TIME, data)


def offer_first(ctx: Context, data: dict[str, Any]) -> Step:
    return offer(ctx, data, free_times(ctx, data, limit=ctx.rules.choices_offered), "time.offer")


def ask_time(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return offer_first(ctx, data).replies


def on_time(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """A numbered slot, 'another day', or a time in the resident's own words."""
    offered = ctx.slots([int(i) for i in data.get("offers", [])])
    if not offered:  # nothing was free: "1 Menu", or look again (staff may have added slots)
        if pick(text, (("menu", "option.menu", {}),)) == "menu":
            return to_menu(ctx)
        return offer_first(ctx, data)
    choice = pick(text, _time_options(offered))
    when, refused = read_wish(ctx, text, offered) if choice is None else (None, ())
    data = refusing(data, refused)
    if choice is None and when is None and refused:   # "donderdag kan ik niet"
        return offer(ctx, data, free_times(ctx, data, limit=ctx.rules.choices_offered),
                     "time.offer")
    if choice is None and when is None \
            and read_intent(text, ctx.language, {Intent.MOVE}) is Intent.MOVE:
        choice = "other"   # "I need a different day": later days, as "another day"
    if choice == "other":
        last = max((s.starts_at for s in offered), default=None)
        after = _next_day_start(ctx, last) if last else None
        count = ctx.rules.choices_offered
        later = free_times(ctx, data, after, limit=count)
        return offer(ctx, data, later or free_times(ctx, data, limit=count),
                      "time.offer_later" if later else "time.offer_wrap")
    if choice is not None:
        return to_confirm(ctx, data, int(choice))
    if when is None:
        aside = read_intent(text, ctx.language, ASIDES)
        if aside is not None:   # "moet ik iets klaarleggen?" while choosing a time
            return answer_aside(ctx, aside, offer(ctx, data, offered, "time.offer").replies,
                          State.ASK_TIME, data)
        return Step((Say("time.not_understood"), *offer(ctx, data, offered, "time.offer")
                     .replies), State.ASK_TIME, data)
    return offer_for(ctx, data, when)


def _next_day_start(ctx: Context, moment: datetime) -> datetime:
    local = moment.astimezone(ctx.rules.tz)
    return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(),
                            tzinfo=ctx.rules.tz)


def offer_for(ctx: Context, data: dict[str, Any], when: When) -> Step:
    """Map what was asked to the nearest free slots; an exact fit goes to confirmation."""
    after = before = None
    if when.days and not when.asap:
        tz = ctx.rules.tz
        after = datetime.combine(min(when.days), datetime.min.time(), tzinfo=tz) - NEAR_DAYS
        before = datetime.combine(max(when.days), datetime.min.time(), tzinfo=tz) + NEAR_DAYS
    free = free_times(ctx, data, after, before, limit=RANK_CANDIDATES)
    if not free and after is not None:   # nothing near the days asked: look further
        free = free_times(ctx, data, limit=RANK_CANDIDATES)
    ranked_ids = rank_slots(when, [(s.id, s.starts_at) for s in free], ctx.rules.tz,
                            ctx.rules.choices_offered)
    by_id = {s.id: s for s in free}
    ranked = [by_id[i] for i in ranked_ids]
    if ranked and _fits(ctx, when, ranked[0]):
        return to_confirm(ctx, data, ranked[0].id)
    beyond = _beyond_horizon(ctx, when)
    if beyond is not None:   # "10 februari": the truth, not "that time is not free"
        return Step((Say("time.beyond", beyond, _time_options(ranked)),), State.ASK_TIME,
                    {**data, "offers": [s.id for s in ranked]}) if ranked else \
            offer(ctx, data, ranked, "time.offer")
    if ranked and _too_soon(ctx, when):   # "vandaag namiddag": the truth, the notice needed
        hours = int(ctx.rules.min_notice.total_seconds() // 3600)
        return Step((Say("time.too_soon", {"hours": hours}, _time_options(ranked)),),
                    State.ASK_TIME, {**data, "offers": [s.id for s in ranked]})
    # Free times on the day and in the part of the day asked ("any time on friday") are
    # no 'that time is not free'.
    intro = "time.offer_fit" if ranked and _on_asked_day(ctx, when, ranked[0]) \
        else "time.offer_nearest"
    return offer(ctx, data, ranked, intro)


def _beyond_horizon(ctx: Context, when: When) -> dict[str, Any] | None:
    """For a wish past how far ahead we book: how far that is, and from when to write."""
    if not when.days or when.asap:
        return None
    tz = ctx.rules.tz
    first = min(when.days)
    if first <= (ctx.now + ctx.rules.max_ahead).astimezone(tz).date():
        return None
    again = datetime.combine(first - ctx.rules.max_ahead, datetime.min.time(), tzinfo=tz)
    return {"weeks": ctx.rules.max_ahead.days // 7, "again": again}


def _too_soon(ctx: Context, when: When) -> bool:
    """Whether everything asked for lies before the minimum notice for a visit."""
    if not when.days or when.asap:
        return False
    earliest = (ctx.now + ctx.rules.min_notice).astimezone(ctx.rules.tz)
    last = max(when.days)
    if last != earliest.date():
        return last < earliest.date()
    latest = when.exact or when.end
    return latest is not None and latest <= earliest.time()


def _on_asked_day(ctx: Context, when: When, slot: SlotView) -> bool:
    local = slot.starts_at.astimezone(ctx.rules.tz)
    if when.days is not None and local.date() not in when.days:
        return False
    if when.exact is not None:
        return local.time() == when.exact
    return (when.start is None or local.time() >= when.start) and \
        (when.end is None or local.time() < when.end)


def _fits(ctx: Context, when: When, slot: SlotView) -> bool:
    """True when the slot is what the resident asked for, not just the nearest thing."""
    local = slot.starts_at.astimezone(ctx.rules.tz)
    if when.asap:
        return False  # 'as soon as possible' still deserves a choice of a few times
    if when.days is not None and local.date() not in when.days:
        return False
    if when.exact is not None:
        return local.time() == when.exact
    if when.start is not None and local.time() < when.start:
        return False
    if when.end is not None and local.time() >= when.end:  # end is exclusive
        return False
    return when.days is not None and len(when.days) == 1 or when.start is not None


def to_confirm(ctx: Context, data: dict[str, Any], slot_id: int) -> Step:
    data = {**data, "slot_id": slot_id}
    data.pop("changing", None)
    return Step(ask_confirm(ctx, data), State.CONFIRM, data)


def confirm_options(mode: str) -> tuple[Option, ...]:
    yes = "option.yes_move" if mode == "move" else "option.yes_book"
    options: tuple[Option, ...] = (("yes", yes, {}), ("time", "option.other_time", {}))
    if mode != "move":
        options += (("details", "option.change_details", {}),)
    return options


def ask_confirm(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    slot = ctx.slot(int(data["slot_id"]))
    if slot is None:
        return offer_first(ctx, data).replies
    if data.get("mode") == "move":
        return (Say("confirm.move", {"start": slot.starts_at, "end": slot.ends_at},
                    confirm_options("move")),)
    return (Say("confirm.book", {"start": slot.starts_at, "end": slot.ends_at,
                                 "street": data.get("street", ""),
                                 "postcode": data.get("postcode", ""),
                                 "number": show_phone(str(data.get("phone", "")),
                                                      ctx.rules.country),
                                 "topic": data.get("topic", "other")},
                confirm_options("book")),)


def on_confirm(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """1 = book it; 2 = another time; 3 = change the address, phone or topic."""
    mode = data.get("mode", "book")
    choice = answer(text, confirm_options(mode))
    if choice is None and read_intent(text, ctx.language, {Intent.MOVE}) is Intent.MOVE:
        choice = "time"   # "non non je veux changer la date"
    proposed = ctx.slot(int(data["slot_id"])) if choice is None and data.get("slot_id") \
        else None
    if proposed is not None:
        # "liever de week erna", "kan het om 3 uur?": read against the time proposed
        wish, refused = read_wish(ctx, text, [proposed])
        data = refusing(data, refused)
        if wish is not None:
            return offer_for(ctx, data, wish)
        if refused:   # "donderdag kan ik toch niet": other times, never that day
            return offer_first(ctx, data)
    if choice == "time":
        return offer_first(ctx, data)
    if choice == "details":
        return Step(ask_details(ctx, data), State.CHANGE_DETAILS, data)
    if choice is None and mode == "book" and _says_wrong(text) \
            and _detail_named(text) is not None:
        # "nee, het adres is fout": straight to that detail's question
        return on_details(ctx, text, data)
    if choice != "yes":
        return Step((Say("confirm.not_understood"), *ask_confirm(ctx, data)), State.CONFIRM,
                    data)
    slot = ctx.slot(int(data["slot_id"]))
    if slot is None or slot.starts_at < ctx.now + ctx.rules.min_notice:
        return offer(ctx, data, free_times(ctx, data, limit=ctx.rules.choices_offered), "time.gone")
    if mode == "move":
        booking = chosen_booking(ctx, data)
        if booking is None:
            return start_over(ctx)
        return Step((Say("moved", visit_params(slot, booking)),), State.MENU, {},
                    (fx.VisitMoved(booking.id, slot.id),))
    effect = fx.VisitBooked(cheque_id=int(data["cheque_id"]), slot_id=slot.id,
                            postcode=str(data["postcode"]), street=str(data["street"]),
                            phone=str(data["phone"]), topic=str(data["topic"]),
                            topic_text=data.get("topic_text"))
    # A two-visit cheque: say the second visit can be booked the same way.
    another = (Say("booked.another"),) if int(data.get("visits_left", 1)) > 1 else ()
    return Step((Say("booked", {"start": slot.starts_at, "end": slot.ends_at,
                                "street": effect.street}),
                 Say("booked.prepare"), *another), State.MENU, {}, (effect,))


def _details_options() -> tuple[Option, ...]:
    return (("address", "option.address", {}), ("phone", "option.phone", {}),
            ("topic", "option.topic", {}))


# Words for each detail, so "het adres" or "mijn gsm" pick it without its number.
_DETAIL_WORDS = {
    "address": {"adres", "adresse", "address", "straat", "postcode", "rue", "street"},
    "phone": {"nummer", "telefoon", "telefoonnummer", "gsm", "numero", "telephone",
              "phone", "number"},
    "topic": {"hulp", "onderwerp", "aide", "help", "topic", "sujet"},
}


# Words that say a detail shown is wrong ("het adres is fout", "mon numéro a changé"),
# so "ja, het adres klopt" is no wish to change it.
_WRONG_WORDS = {"fout", "anders", "verkeerd", "wijzigen", "veranderen", "veranderd",
                "nee", "neen", "niet", "faux", "fausse", "change", "changer", "autre",
                "non", "pas", "wrong", "different", "incorrect", "no", "not"}


def _says_wrong(text: str) -> bool:
    return bool(set(words_of(text)) & _WRONG_WORDS)


def _detail_named(text: str) -> str | None:
    """The one detail a message names by a word ("het adres", "mijn gsm"), or None."""
    words = set(words_of(text))
    hits = [name for name, said in _DETAIL_WORDS.items() if words & said]
    return hits[0] if len(hits) == 1 else None


def ask_details(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("details.ask", {}, _details_options()),)


def on_details(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """Before confirming: change the address, the phone number or the help asked."""
    choice = pick(text, _details_options()) or _detail_named(text)
    changing = {**data, "changing": True}
    if choice == "address":
        return Step(ask_in(State.ASK_POSTCODE, ctx, changing), State.ASK_POSTCODE, changing)
    if choice == "phone":
        return Step(ask_in(State.ASK_PHONE, ctx, changing), State.ASK_PHONE, changing)
    if choice == "topic":
        return Step(ask_in(State.ASK_TOPIC, ctx, changing), State.ASK_TOPIC, changing)
    return Step((Say("confirm.not_understood"), *ask_details(ctx, data)),
                State.CHANGE_DETAILS, data)


def after_failure(ctx: Context, failed: fx.EffectFailed, data: dict[str, Any]) -> Step:
    """An effect the database refused: say sorry and offer what is still possible."""
    if failed.reason == "cheque_unavailable":
        return Step((Say("code.used", {"phone": ctx.rules.city_phone}),), State.ASK_CODE, {})
    if failed.reason == "booking_changed":
        return to_menu(ctx)
    # slot_taken: someone was faster; offer the nearest alternatives to the lost slot
    lost = ctx.slot(int(data["slot_id"])) if data.get("slot_id") else None
    if lost is not None:
        free = free_times(ctx, data, lost.starts_at - NEAR_DAYS, lost.starts_at + NEAR_DAYS,
                          limit=RANK_CANDIDATES) or \
            free_times(ctx, data, limit=ctx.rules.choices_offered)
    else:
        free = free_times(ctx, data, limit=ctx.rules.choices_offered)
    if lost is not None:
        free.sort(key=lambda s: abs((s.starts_at - lost.starts_at).total_seconds()))
    return offer(ctx, data, sorted(free[:ctx.rules.choices_offered],
                                    key=lambda s: s.starts_at), "time.taken")
