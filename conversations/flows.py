"""The resident's conversation as a table of states (drawn in flows.mmd beside this file).

Every handler is pure: `(ctx, text, data) -> Step`. The global words (help, menu, stop,
start, a person, a language) are handled once, before any state, in `step()`. Every
reply ends with the question the resident can answer, so no state is a dead end (G7).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from conversations import effects as fx
from conversations.address import POSTCODE, clean_street, postcode_in, street_ok
from conversations.incoming import Kind
from conversations.intents import QUESTIONS, SPEAK, Intent, is_word, read_intent
from conversations.messages import label_variants
from conversations.phone import find_phone, read_phone, show_phone
from conversations.step import BookingView, Context, Option, Say, SlotView, Step
from conversations.understand import (
    Choice,
    Global,
    When,
    fold,
    greeting_language,
    rank_slots,
    read_choice,
    read_global,
    read_when,
    read_yes_no,
    sentence_language,
)
from storage.codes import (
    CodeError,
    CodeProblem,
    find_code,
    find_code_attempt,
    looks_like_code,
    looks_like_word,
    normalise,
)

MAX_TEXT = 1000          # longer input is cut before reading: nothing we ask needs more
MAX_STREET = 120


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
    CHANGE_PHONE = "change_phone"
    CONFIRM_STOP = "confirm_stop"
    RESUME = "resume"
    STOPPED = "stopped"


# States in the middle of a booking: after a long silence we first recall where we were.
MID_BOOKING = {State.ASK_POSTCODE, State.ASK_STREET, State.ASK_PHONE, State.ASK_TOPIC,
               State.ASK_TOPIC_TEXT, State.ASK_TIME, State.CONFIRM, State.CHANGE_DETAILS}

TOPICS = ("smartphone", "computer", "itsme", "banking", "email", "government", "other")
TOPIC_KEYWORDS = {
    "smartphone": ("smartphone", "gsm", "telefoon", "tablet", "ipad", "iphone", "android",
                   "whatsapp", "phone", "portable", "tablette", "telephone"),
    "computer": ("computer", "laptop", "pc", "ordinateur", "windows", "printer"),
    "itsme": ("itsme", "its me", "eid", "identiteitskaart", "kaartlezer"),
    "banking": ("bank", "banking", "bankieren", "bankapp", "homebanking", "banque",
                "bancontact", "payconiq", "kbc", "belfius",
                "argenta", "bnp", "ing", "overschrijving", "virement"),
    "email": ("email", "e-mail", "mail", "gmail", "hotmail", "outlook", "courriel"),
    "government": ("overheid", "mycitizen", "mijn burgerprofiel", "burgerprofiel", "myminfin",
                   "tax-on-web", "taxonweb", "belastingen", "gouvernement", "impots",
                   "government", "mutualiteit", "ziekenfonds", "csam", "mijngezondheid"),
}


@dataclass(frozen=True)
class Node:
    ask: Callable[[Context, dict[str, Any]], tuple[Say, ...]]   # the state's question
    handle: Callable[[Context, str, dict[str, Any]], Step]      # an answer to it
    # Questions (what does it cost, who comes...) answered here before the state's
    # question is asked again; the visit menu reads every intent itself.
    listens: frozenset[Intent] = frozenset()


# A question about the service or a wish to talk to someone, understood wherever the
# answer to our own question cannot be mistaken for one.
ASIDES = QUESTIONS | {Intent.PERSON}
# What the visit menu listens to: everything said about a visit.
MENU_INTENTS = frozenset(Intent) - {Intent.NO_CODE} - set(SPEAK)
_GLOBAL_LANGUAGE = {"nl": Global.LANG_NL, "fr": Global.LANG_FR, "en": Global.LANG_EN}


def _choices(options: tuple[Option, ...]) -> list[Choice]:
    """Options as understand.Choice: accepted by number, or by label in any language."""
    return [Choice(value=value, labels=label_variants(key, params))
            for value, key, params in options]


def _pick(text: str, options: tuple[Option, ...]) -> str | None:
    return read_choice(text, _choices(options))


def _answer(text: str, options: tuple[Option, ...]) -> str | None:
    """A numbered choice, or a plain yes/no for its first/second option ("ja", "👍")."""
    choice = _pick(text, options)
    if choice is None:
        yes = read_yes_no(text)
        if yes is not None:
            choice = options[0][0] if yes else options[1][0]
    return choice


# ---------------------------------------------------------------------- the code

def ask_code(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("code.ask"),)


def on_code(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """A cheque code, read forgivingly; each kind of wrong code gets its own answer."""
    if find_code(text) is None and not looks_like_code(text) and ctx.booking() is not None:
        return on_menu(ctx, text, {})   # words of a resident with a visit: the visit menu
    if ctx.codes_locked:
        return Step((Say("code.locked", {"phone": ctx.rules.city_phone}),), State.ASK_CODE, {})
    try:
        code = normalise(text)
    except CodeError as error:
        if error.problem is CodeProblem.CHECK_FAILED and (looks_like_word(text)
                                                          or is_word(text)):
            # "verzetten" is nine symbols of the code alphabet, but a word, not a guess.
            return Step((Say("code.not_a_code"),), State.ASK_CODE, {})
        if error.problem is CodeProblem.CHECK_FAILED:
            return _wrong_code(ctx, "code.typo")
        found = find_code(text)   # "mijn code is abcd efgh k"
        if found is not None:
            code = found
        elif find_code_attempt(text) is not None:   # "mijn code is NDXJ-HZ1M-7"
            return _wrong_code(ctx, "code.typo")
        elif re.search(r"\d", text) and len(text.strip()) >= 6:
            # Not nine symbols: it cannot match any cheque, so it is no guess to count.
            return Step((Say("code.malformed"),), State.ASK_CODE, {})
        else:
            return Step((Say("code.not_a_code"),), State.ASK_CODE, {})
    cheque = ctx.find_cheque(code)
    if cheque is None:
        return _wrong_code(ctx, "code.unknown")
    if cheque.state != "ok":
        key = {"used": "code.used", "void": "code.void", "expired": "code.expired",
               "taken": "code.used"}[cheque.state]
        if cheque.state == "used" and ctx.booking() is not None:
            return _menu(ctx)
        return Step((Say(key, {"phone": ctx.rules.city_phone}),), State.ASK_CODE, {})
    new_data = {"cheque_id": cheque.id}
    return Step((Say("code.accepted"), *ask_postcode(ctx, new_data)), State.ASK_POSTCODE,
                new_data)


def _wrong_code(ctx: Context, key: str) -> Step:
    if ctx.wrong_codes + 1 >= ctx.rules.code_attempts:
        return Step((Say("code.locked", {"phone": ctx.rules.city_phone}),), State.ASK_CODE, {},
                    (fx.WrongCodeEntered(),))
    return Step((Say(key),), State.ASK_CODE, {}, (fx.WrongCodeEntered(),))


# ---------------------------------------------------------------------- what the coach needs

def ask_postcode(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("postcode.ask"),)


def on_postcode(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """A postcode or place name; with the street in the same message, both are kept."""
    postcode, rest = postcode_in(text, ctx.rules.places)
    street = clean_street(rest)
    if postcode is None:
        if street_ok(street) and not re.fullmatch(r"[\d\s]+", rest):
            # "Kerkstraat 12": keep the street, ask only for what is missing
            return Step((Say("postcode.ask"),), State.ASK_POSTCODE,
                        {**data, "street_given": street[:MAX_STREET]})
        return Step((Say("postcode.invalid"),), State.ASK_POSTCODE, data)
    if postcode not in ctx.rules.postcodes:
        return Step((Say("postcode.outside", {"postcode": postcode,
                                              "phone": ctx.rules.city_phone}),),
                    State.ASK_POSTCODE, data)
    given = data.get("street_given")
    data = {key: value for key, value in data.items() if key != "street_given"}
    data["postcode"] = postcode
    if street_ok(street):
        return _after_street(ctx, {**data, "street": street[:MAX_STREET]})
    if given:
        return _after_street(ctx, {**data, "street": given})
    return Step(ask_street(ctx, data), State.ASK_STREET, data)


def ask_street(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("street.ask"),)


def on_street(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """Street and house number, both needed to find the door."""
    street = clean_street(text)
    if len(street) > MAX_STREET:
        return Step((Say("street.too_long"),), State.ASK_STREET, data)
    if not re.search(r"[^\W\d_]{2,}", street):
        return Step((Say("street.invalid"),), State.ASK_STREET, data)
    if not re.search(r"\d", street):
        return Step((Say("street.number_missing"),), State.ASK_STREET, data)
    return _after_street(ctx, {**data, "street": street})


def _after_street(ctx: Context, data: dict[str, Any]) -> Step:
    if data.get("changing"):
        return _to_confirm(ctx, data, data["slot_id"]) if data.get("slot_id") else \
            _offer_first(ctx, data)
    own = _own_number(ctx)
    if own is not None and not data.get("phone"):
        # Not asked: shown in the confirmation, where "change details" changes it.
        data = {**data, "phone": own}
        return Step(ask_topic(ctx, data), State.ASK_TOPIC, data)
    return Step(ask_phone(ctx, data), State.ASK_PHONE, data)


def _own_number(ctx: Context) -> str | None:
    """The number an SMS resident writes from: the coach can call it (one question less)."""
    return read_phone(ctx.address, ctx.rules.country) if ctx.channel == "sms" else None


def ask_phone(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    if ctx.channel == "sms":  # the text itself says "reply 1 for this number"
        return (Say("phone.ask_sms", {"last": ctx.address[-3:]}),)
    return (Say("phone.ask"),)


def on_phone(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """A number the coach can call; an SMS resident may keep the number they write from."""
    phone: str | None
    if ctx.channel == "sms" and (_pick(text, (("own", "option.own_number", {}),)) == "own"
                                 or read_yes_no(text)):
        phone = ctx.address
    else:
        phone = read_phone(text, ctx.rules.country)
        if phone is None:
            return Step((Say("phone.invalid"), *ask_phone(ctx, data)), State.ASK_PHONE, data)
    data = {**data, "phone": phone}
    if data.get("changing") and data.get("slot_id"):
        return _to_confirm(ctx, data, data["slot_id"])
    return Step(ask_topic(ctx, data), State.ASK_TOPIC, data)


def _topic_options() -> tuple[Option, ...]:
    return tuple((t, f"topic.{t}", {}) for t in TOPICS)


def ask_topic(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("topic.ask", {}, _topic_options()),)


def on_topic(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """What help is wanted: a number, a label, or a word such as 'itsme' or 'gsm'."""
    topic = _pick(text, _topic_options())
    if topic is None:
        folded = fold(text)
        words = set(re.findall(r"[\w-]+", folded))
        for candidate, keywords in TOPIC_KEYWORDS.items():
            # "whatsappen", "computers": a long keyword may start a longer word
            if any((k in words or len(k) >= 5 and any(w.startswith(k) for w in words))
                   if " " not in k else (k in folded) for k in keywords):
                topic = candidate
                break
    if topic is None and _free_words(text):
        # "mijn pensioen bekijken op mypension": something else, in their own words
        said = re.sub(r"\s+", " ", text).strip()
        return _after_topic(ctx, {**data, "topic": "other", "topic_text": said[:200]})
    if topic is None and (aside := read_intent(text, ctx.language, ASIDES)) is not None:
        return _aside(ctx, aside, ask_topic(ctx, data), State.ASK_TOPIC, data)
    if topic is None:
        return Step((Say("topic.invalid"), *ask_topic(ctx, data)), State.ASK_TOPIC, data)
    if topic == "other":
        data = {**data, "topic": "other"}
        return Step((Say("topic.ask_text"),), State.ASK_TOPIC_TEXT, data)
    return _after_topic(ctx, {**data, "topic": topic, "topic_text": None})


def _free_words(text: str) -> bool:
    """Words that say what help is wanted, not a number, a yes or a no."""
    return bool(re.search(r"[^\W\d_]{3,}", text)) and read_yes_no(text) is None \
        and read_intent(text, "nl", ASIDES) is None


def on_topic_text(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """In the resident's own words; kept short for the coach's agenda."""
    words = re.sub(r"\s+", " ", text).strip()
    if len(words) < 2:
        return Step((Say("topic.ask_text"),), State.ASK_TOPIC_TEXT, data)
    return _after_topic(ctx, {**data, "topic_text": words[:200]})


def _after_topic(ctx: Context, data: dict[str, Any]) -> Step:
    if data.get("changing") and data.get("slot_id"):
        return _to_confirm(ctx, data, data["slot_id"])
    return _offer_first(ctx, data)


# ---------------------------------------------------------------------- choosing a time

def _window(ctx: Context) -> tuple[datetime, datetime]:
    return ctx.now + ctx.rules.min_notice, ctx.now + ctx.rules.max_ahead


def _postcode_for(ctx: Context, data: dict[str, Any]) -> str | None:
    if data.get("postcode"):
        return str(data["postcode"])
    booking = ctx.booking()
    return booking.postcode if booking else None


def _exclude(ctx: Context, data: dict[str, Any]) -> int | None:
    booking = ctx.booking() if data.get("mode") == "move" else None
    return booking.slot.id if booking else None


# Ranking a resident's wish looks at most this many candidate slots, and at days near
# the ones asked for: enough for "the nearest", and cheap on every message.
RANK_CANDIDATES = 400
NEAR_DAYS = timedelta(days=7)


def _free(ctx: Context, data: dict[str, Any], after: datetime | None = None,
          before: datetime | None = None, limit: int | None = None) -> list[SlotView]:
    start, end = _window(ctx)
    if after is not None:
        start = max(start, after)
    if before is not None:
        end = min(end, before)
    return ctx.free_slots(start, end, _postcode_for(ctx, data), _exclude(ctx, data), limit)


def _time_options(slots: list[SlotView]) -> tuple[Option, ...]:
    slot_options = tuple((str(s.id), "option.slot", {"start": s.starts_at, "end": s.ends_at})
                         for s in slots)
    return slot_options + (("other", "option.other_day", {}),)


def _offer(ctx: Context, data: dict[str, Any], slots: list[SlotView], intro: str) -> Step:
    if not slots:
        return Step((Say("time.none", {"phone": ctx.rules.city_phone},
                         (("menu", "option.menu", {}),)),), State.ASK_TIME,
                    {**data, "offers": []})
    data = {**data, "offers": [s.id for s in slots]}
    return Step((Say(intro, {}, _time_options(slots)),), State.ASK_TIME, data)


def _offer_first(ctx: Context, data: dict[str, Any]) -> Step:
    return _offer(ctx, data, _free(ctx, data, limit=ctx.rules.choices_offered), "time.offer")


def ask_time(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return _offer_first(ctx, data).replies


def on_time(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """A numbered slot, 'another day', or a time in the resident's own words."""
    offered = ctx.slots([int(i) for i in data.get("offers", [])])
    if not offered:  # nothing was free: "1 Menu", or look again (staff may have added slots)
        if _pick(text, (("menu", "option.menu", {}),)) == "menu":
            return _menu(ctx)
        return _offer_first(ctx, data)
    choice = _pick(text, _time_options(offered))
    if choice is None and read_when(text, ctx.now, ctx.rules.tz, ctx.language) is None \
            and read_intent(text, ctx.language, {Intent.MOVE}) is Intent.MOVE:
        choice = "other"   # "I need a different day": later days, as "another day"
    if choice == "other":
        last = max((s.starts_at for s in offered), default=None)
        after = _next_day_start(ctx, last) if last else None
        count = ctx.rules.choices_offered
        later = _free(ctx, data, after, limit=count)
        return _offer(ctx, data, later or _free(ctx, data, limit=count),
                      "time.offer_later" if later else "time.offer_wrap")
    if choice is not None:
        return _to_confirm(ctx, data, int(choice))
    when = read_when(text, ctx.now, ctx.rules.tz, ctx.language)
    if when is None:
        aside = read_intent(text, ctx.language, ASIDES)
        if aside is not None:   # "moet ik iets klaarleggen?" while choosing a time
            return _aside(ctx, aside, _offer(ctx, data, offered, "time.offer").replies,
                          State.ASK_TIME, data)
        return Step((Say("time.not_understood"), *_offer(ctx, data, offered, "time.offer")
                     .replies), State.ASK_TIME, data)
    return _offer_for(ctx, data, when)


def _next_day_start(ctx: Context, moment: datetime) -> datetime:
    local = moment.astimezone(ctx.rules.tz)
    return datetime.combine(local.date() + timedelta(days=1), datetime.min.time(),
                            tzinfo=ctx.rules.tz)


def _offer_for(ctx: Context, data: dict[str, Any], when: When) -> Step:
    """Map what was asked to the nearest free slots; an exact fit goes to confirmation."""
    after = before = None
    if when.days and not when.asap:
        tz = ctx.rules.tz
        after = datetime.combine(min(when.days), datetime.min.time(), tzinfo=tz) - NEAR_DAYS
        before = datetime.combine(max(when.days), datetime.min.time(), tzinfo=tz) + NEAR_DAYS
    free = _free(ctx, data, after, before, limit=RANK_CANDIDATES)
    if not free and after is not None:   # nothing near the days asked: look further
        free = _free(ctx, data, limit=RANK_CANDIDATES)
    ranked_ids = rank_slots(when, [(s.id, s.starts_at) for s in free], ctx.rules.tz,
                            ctx.rules.choices_offered)
    by_id = {s.id: s for s in free}
    ranked = [by_id[i] for i in ranked_ids]
    if ranked and _fits(ctx, when, ranked[0]):
        return _to_confirm(ctx, data, ranked[0].id)
    # Free times on the day and in the part of the day asked ("any time on friday") are
    # no 'that time is not free'.
    intro = "time.offer_fit" if ranked and _on_asked_day(ctx, when, ranked[0]) \
        else "time.offer_nearest"
    return _offer(ctx, data, ranked, intro)


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


def _to_confirm(ctx: Context, data: dict[str, Any], slot_id: int) -> Step:
    data = {**data, "slot_id": slot_id}
    data.pop("changing", None)
    return Step(ask_confirm(ctx, data), State.CONFIRM, data)


def _confirm_options(mode: str) -> tuple[Option, ...]:
    yes = "option.yes_move" if mode == "move" else "option.yes_book"
    options: tuple[Option, ...] = (("yes", yes, {}), ("time", "option.other_time", {}))
    if mode != "move":
        options += (("details", "option.change_details", {}),)
    return options


def ask_confirm(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    slot = ctx.slot(int(data["slot_id"]))
    if slot is None:
        return _offer_first(ctx, data).replies
    if data.get("mode") == "move":
        return (Say("confirm.move", {"start": slot.starts_at, "end": slot.ends_at},
                    _confirm_options("move")),)
    return (Say("confirm.book", {"start": slot.starts_at, "end": slot.ends_at,
                                 "street": data.get("street", ""),
                                 "postcode": data.get("postcode", ""),
                                 "number": show_phone(str(data.get("phone", "")),
                                                      ctx.rules.country),
                                 "topic": data.get("topic", "other")},
                _confirm_options("book")),)


def on_confirm(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """1 = book it; 2 = another time; 3 = change the address, phone or topic."""
    mode = data.get("mode", "book")
    choice = _answer(text, _confirm_options(mode))
    if choice is None and read_intent(text, ctx.language, {Intent.MOVE}) is Intent.MOVE:
        choice = "time"   # "non non je veux changer la date"
    if choice == "time":
        return _offer_first(ctx, data)
    if choice == "details":
        return Step(ask_details(ctx, data), State.CHANGE_DETAILS, data)
    if choice != "yes":
        return Step((Say("confirm.not_understood"), *ask_confirm(ctx, data)), State.CONFIRM,
                    data)
    slot = ctx.slot(int(data["slot_id"]))
    if slot is None or slot.starts_at < ctx.now + ctx.rules.min_notice:
        return _offer(ctx, data, _free(ctx, data, limit=ctx.rules.choices_offered), "time.gone")
    if mode == "move":
        booking = ctx.booking()
        if booking is None:
            return _start_over(ctx)
        return Step((Say("moved", _visit_params(slot, booking)),), State.MENU, {},
                    (fx.VisitMoved(booking.id, slot.id),))
    effect = fx.VisitBooked(cheque_id=int(data["cheque_id"]), slot_id=slot.id,
                            postcode=str(data["postcode"]), street=str(data["street"]),
                            phone=str(data["phone"]), topic=str(data["topic"]),
                            topic_text=data.get("topic_text"))
    return Step((Say("booked", {"start": slot.starts_at, "end": slot.ends_at,
                                "street": effect.street}),
                 Say("booked.prepare")), State.MENU, {}, (effect,))


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


def ask_details(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("details.ask", {}, _details_options()),)


def on_details(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """Before confirming: change the address, the phone number or the help asked."""
    choice = _pick(text, _details_options())
    if choice is None:
        words = set("".join(c if c.isalnum() else " " for c in fold(text)).split())
        hits = [name for name, said in _DETAIL_WORDS.items() if words & said]
        choice = hits[0] if len(hits) == 1 else None
    changing = {**data, "changing": True}
    if choice == "address":
        return Step(ask_postcode(ctx, changing), State.ASK_POSTCODE, changing)
    if choice == "phone":
        return Step(ask_phone(ctx, changing), State.ASK_PHONE, changing)
    if choice == "topic":
        return Step(ask_topic(ctx, changing), State.ASK_TOPIC, changing)
    return Step((Say("confirm.not_understood"), *ask_details(ctx, data)),
                State.CHANGE_DETAILS, data)


def after_failure(ctx: Context, failed: fx.EffectFailed, data: dict[str, Any]) -> Step:
    """An effect the database refused: say sorry and offer what is still possible."""
    if failed.reason == "cheque_unavailable":
        return Step((Say("code.used", {"phone": ctx.rules.city_phone}),), State.ASK_CODE, {})
    if failed.reason == "booking_changed":
        return _menu(ctx)
    # slot_taken: someone was faster; offer the nearest alternatives to the lost slot
    lost = ctx.slot(int(data["slot_id"])) if data.get("slot_id") else None
    if lost is not None:
        free = _free(ctx, data, lost.starts_at - NEAR_DAYS, lost.starts_at + NEAR_DAYS,
                     limit=RANK_CANDIDATES) or _free(ctx, data, limit=ctx.rules.choices_offered)
    else:
        free = _free(ctx, data, limit=ctx.rules.choices_offered)
    if lost is not None:
        free.sort(key=lambda s: abs((s.starts_at - lost.starts_at).total_seconds()))
    return _offer(ctx, data, sorted(free[:ctx.rules.choices_offered],
                                    key=lambda s: s.starts_at), "time.taken")


# ---------------------------------------------------------------------- managing a visit

def _menu_options() -> tuple[Option, ...]:
    return (("see", "option.see", {}), ("move", "option.move", {}),
            ("cancel", "option.cancel", {}), ("person", "option.person", {}))


def _visit_params(slot: SlotView, booking: BookingView) -> dict[str, Any]:
    return {"start": slot.starts_at, "end": slot.ends_at, "street": booking.street,
            "postcode": booking.postcode, "topic": booking.topic}


def ask_menu(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    booking = ctx.booking()
    if booking is None:
        return ask_code(ctx, data)
    return (Say("menu", {"start": booking.slot.starts_at}, _menu_options()),)


def _menu(ctx: Context) -> Step:
    if ctx.booking() is None:
        return _start_over(ctx)
    return Step(ask_menu(ctx, {}), State.MENU, {})


def _start_over(ctx: Context) -> Step:
    return Step(ask_code(ctx, {}), State.ASK_CODE, {})


def on_menu(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """1 see my visit, 2 move it, 3 cancel it, 4 talk to a person; or any intent in words."""
    booking = ctx.booking()
    if booking is None:
        return _no_visit(ctx, text)
    choice = _pick(text, _menu_options())
    if choice is not None:
        return _menu_choice(ctx, choice, booking)
    if find_code(text) is not None:   # "mijn man heeft ook een brief gekregen: NDXJ-..."
        return on_code(ctx, text, {})
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
    if _pick(text, _confirm_options("book") + _confirm_options("move")) == "yes":
        # "Ja, boek het" again: a button pressed twice, or a resident making sure.
        return Step((Say("menu.already_booked"), *ask_menu(ctx, data)), State.MENU, {})
    if read_yes_no(text) is not None:   # "oké", "👍", "nee": the visit stands
        return Step((Say("menu.ok", _visit_params(booking.slot, booking)),), State.MENU, {})
    if looks_like_code(text):
        return on_code(ctx, text, {})
    return Step((Say("menu.not_understood"), *ask_menu(ctx, data)), State.MENU, {})


def _menu_choice(ctx: Context, choice: str, booking: BookingView,
                 when: When | None = None) -> Step:
    if choice == "see":
        return Step((Say("visit", _visit_params(booking.slot, booking)),
                     *ask_menu(ctx, {})), State.MENU, {})
    if choice == "person":
        return Step((Say("person", {"phone": ctx.rules.city_phone}), *ask_menu(ctx, {})),
                    State.MENU, {})
    if booking.slot.starts_at - ctx.now < ctx.rules.change_deadline:
        return Step((Say("deadline", {"phone": ctx.rules.city_phone}),
                     *ask_menu(ctx, {})), State.MENU, {})
    if choice == "move":
        if when is not None:   # "kan het naar donderdag?": offer what was asked
            return _offer_for(ctx, {"mode": "move"}, when)
        return _offer_first(ctx, {"mode": "move"})
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
        return Step((Say("thanks", _visit_params(booking.slot, booking)),), State.MENU, {})
    if intent is Intent.NEW_PHONE:
        return _ask_phone_change(ctx, find_phone(text, ctx.rules.country))
    if intent is Intent.NEW_CODE:
        return Step((Say("code.ask_another"),), State.ASK_CODE, {})
    return Step((Say(f"faq.{intent}", _faq_params(ctx)),
                 *ask_menu(ctx, {})), State.MENU, {})


def _no_visit(ctx: Context, text: str) -> Step:
    """The visit is over or was cancelled by staff: a code starts a new booking."""
    if find_code(text) is not None or looks_like_code(text):
        return on_code(ctx, text, {})
    intent = read_intent(text, ctx.language, ASIDES | {Intent.THANKS})
    if intent is Intent.THANKS:
        return Step((Say("thanks.no_visit"),), State.ASK_CODE, {})
    if intent is not None:
        return _aside(ctx, intent, ask_code(ctx, {}), State.ASK_CODE, {})
    return Step((Say("menu.no_visit"), *ask_code(ctx, {})), State.ASK_CODE, {})


def _aside(ctx: Context, intent: Intent, question: tuple[Say, ...], state: State,
           data: dict[str, Any]) -> Step:
    """A question about the service answered, then our own question again."""
    if intent is Intent.NO_CODE:   # where the code is, what it looks like, a person
        return Step((Say("code.help", {"phone": ctx.rules.city_phone}),), state, data)
    if intent is Intent.PERSON:
        return Step((Say("person", {"phone": ctx.rules.city_phone}), *question), state, data)
    return Step((Say(f"faq.{intent}", _faq_params(ctx)), *question), state, data)


def _faq_params(ctx: Context) -> dict[str, Any]:
    return {"phone": ctx.rules.city_phone,
            "minutes": int(ctx.rules.visit_length.total_seconds() // 60)}


# ---------------------------------------------------------------------- a new phone number

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
        return _start_over(ctx)
    phone = find_phone(text, ctx.rules.country)
    if phone is not None:   # a (corrected) number: show it back first
        return _ask_phone_change(ctx, phone)
    if data.get("phone"):
        choice = _answer(text, _phone_options())
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
        return ask_code(ctx, data)
    return (Say("cancel.ask", {"start": booking.slot.starts_at}, _cancel_options()),)


def on_cancel(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """Cancelling is confirmed first; the cheque's visit comes back."""
    booking = ctx.booking()
    if booking is None:
        return _start_over(ctx)
    choice = _answer(text, _cancel_options())
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


# ---------------------------------------------------------------------- stop, resume

def _stop_options() -> tuple[Option, ...]:
    return (("yes", "option.yes_stop", {}), ("no", "option.no_go_on", {}))


def ask_stop(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("stop.ask", {}, _stop_options()),)


def on_stop(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """Opting out is confirmed, and says how to come back."""
    choice = _answer(text, _stop_options())
    back = State(data.get("return_to", State.ASK_CODE))
    back_data = data.get("return_data", {})
    if choice == "yes":
        booking = ctx.booking()
        done = Say("stop.done_visit", _visit_params(booking.slot, booking)) if booking \
            else Say("stop.done")   # say whether the visit still stands
        return Step((done,), State.STOPPED, {"return_to": back, "return_data": back_data},
                    (fx.OptedOut(),))
    if choice == "no":
        return Step(FLOW[back].ask(ctx, back_data), back, back_data)
    return Step((Say("confirm.not_understood"), *ask_stop(ctx, data)), State.CONFIRM_STOP, data)


def ask_stopped(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("stopped"),)


def on_stopped(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """No messages until START; a question about the visit still gets its answer."""
    intent = read_intent(text, ctx.language, QUESTIONS | {Intent.WHEN, Intent.MOVE,
                                                          Intent.CANCEL})
    booking = ctx.booking()
    if intent in QUESTIONS:
        return Step((Say(f"faq.{intent}", _faq_params(ctx)), Say("stopped")),
                    State.STOPPED, data)
    if intent is not None and booking is not None:
        return Step((Say("stopped.visit", _visit_params(booking.slot, booking)),),
                    State.STOPPED, data)
    if intent is not None:
        return Step((Say("menu.no_visit"), Say("stopped")), State.STOPPED, data)
    return Step((Say("stopped"),), State.STOPPED, data)


def _resume_options() -> tuple[Option, ...]:
    return (("on", "option.go_on", {}), ("again", "option.start_again", {}))


def ask_resume(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    where = data.get("return_to", State.ASK_CODE)
    return (Say("resume", {"where": f"where.{where}"}, _resume_options()),)


def on_resume(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """1 go on where we were, 2 start again."""
    choice = _answer(text, _resume_options())
    back = State(data.get("return_to", State.ASK_CODE))
    back_data = dict(data.get("return_data", {}))
    if choice == "on":
        if back == State.ASK_TIME or back == State.CONFIRM and not _slot_still_free(
                ctx, back_data):
            return _offer_first(ctx, back_data)
        return Step(FLOW[back].ask(ctx, back_data), back, back_data)
    if choice == "again":
        return _start_over(ctx)
    return Step((Say("confirm.not_understood"), *ask_resume(ctx, data)), State.RESUME, data)


def _slot_still_free(ctx: Context, data: dict[str, Any]) -> bool:
    slot = ctx.slot(int(data["slot_id"])) if data.get("slot_id") else None
    if slot is None:
        return False
    moment = slot.starts_at
    return any(s.id == slot.id for s in _free(ctx, data, moment, moment + timedelta(seconds=1)))


FLOW: dict[State, Node] = {
    State.ASK_CODE: Node(ask_code, on_code, ASIDES | {Intent.NO_CODE}),
    State.ASK_POSTCODE: Node(ask_postcode, on_postcode, ASIDES),
    State.ASK_STREET: Node(ask_street, on_street),
    State.ASK_PHONE: Node(ask_phone, on_phone, ASIDES),
    State.ASK_TOPIC: Node(ask_topic, on_topic),
    State.ASK_TOPIC_TEXT: Node(lambda ctx, data: (Say("topic.ask_text"),), on_topic_text),
    State.ASK_TIME: Node(ask_time, on_time),
    State.CONFIRM: Node(ask_confirm, on_confirm, ASIDES),
    State.CHANGE_DETAILS: Node(ask_details, on_details, ASIDES),
    State.MENU: Node(ask_menu, on_menu),
    State.CONFIRM_CANCEL: Node(ask_cancel, on_cancel, ASIDES),
    State.CHANGE_PHONE: Node(ask_phone_change, on_phone_change),
    State.CONFIRM_STOP: Node(ask_stop, on_stop),
    State.RESUME: Node(ask_resume, on_resume, ASIDES),
    State.STOPPED: Node(ask_stopped, on_stopped),
}


# ---------------------------------------------------------------------- the entry point

_LANGUAGE_OF = {Global.LANG_NL: "nl", Global.LANG_FR: "fr", Global.LANG_EN: "en"}
_KIND_KEYS = {Kind.STICKER: "input.sticker", Kind.PHOTO: "input.photo",
              Kind.VOICE: "input.voice", Kind.LOCATION: "input.location",
              Kind.OTHER: "input.other", Kind.EDITED: "input.edited"}


def first_state(ctx: Context) -> State:
    return State.MENU if ctx.booking() is not None else State.ASK_CODE


def step(ctx: Context, state: str | None, data: dict[str, Any], text: str, kind: Kind,
         idle: timedelta | None) -> Step:
    """One message in, one Step out. `state` None means a first contact.

    `idle` is how long the resident was silent (None for a first contact). Never raises
    on any input: a message we cannot read gets a kind answer and the current question.
    """
    text = text[:MAX_TEXT].replace("\x00", "")
    known = State(state) if state is not None and state in State.__members__.values() \
        else None
    if kind is Kind.GROUP:
        return Step((Say("input.group"),), known or State.ASK_CODE, data)
    current = known or first_state(ctx)
    if known is None:
        data = {}

    if kind is Kind.OPT_OUT:
        # The provider blocks every message to them from now on: nothing to say, and
        # START (or a new code) brings them back to where they were.
        stopped = data if known == State.STOPPED else {"return_to": current,
                                                         "return_data": data}
        return Step((), State.STOPPED, stopped, (fx.OptedOut(),))

    if known == State.STOPPED:
        if looks_like_code(text.strip()):   # a new cheque: writing to us again is opting in
            coded = on_code(ctx, text.strip(), {})
            return Step((Say("start.again"), *coded.replies), coded.state, coded.data,
                        (fx.OptedIn(), *coded.effects))
        if read_global(text) is Global.START:
            back = State(data.get("return_to", first_state(ctx)))
            back_data = data.get("return_data", {})
            return Step((Say("start.again"), *FLOW[back].ask(ctx, back_data)), back, back_data,
                        (fx.OptedIn(),))
        return on_stopped(ctx, text, data)

    if kind is Kind.PHOTO and current == State.ASK_CODE and ctx.booking() is None:
        # Most likely the letter: say where the code is (reading photos is a later step).
        return Step((Say("code.photo", {"phone": ctx.rules.city_phone}),), current, data)
    if kind is not Kind.TEXT:
        return Step((Say(_KIND_KEYS.get(kind, "input.other")), *FLOW[current].ask(ctx, data)),
                    current, data)

    stripped = text.strip()
    deep_link = re.match(r"^/start\s+(\S.*)$", stripped, flags=re.IGNORECASE)
    if deep_link:  # t.me/<bot>?start=CODE: the code arrives as '/start CODE'
        stripped = deep_link.group(1)
        if current != State.MENU:
            return _with_welcome(known, on_code(ctx, stripped, {}))

    word = read_global(stripped)
    if word is None and len(stripped) <= 80:   # "sorry I don't speak dutch", any state
        wish = read_intent(stripped, ctx.language, SPEAK)
        word = _GLOBAL_LANGUAGE[SPEAK[wish]] if wish is not None else None
    if word is not None:
        return _global(ctx, word, current, data, first=known is None)

    if not stripped:
        return Step((Say("input.empty"), *FLOW[current].ask(ctx, data)), current, data)

    if known is None:
        if current == State.ASK_CODE and not looks_like_code(stripped) \
                and find_code(stripped) is None:   # "Dag, hier is mijn code: ..." is read
            aside = read_intent(stripped, ctx.language, FLOW[State.ASK_CODE].listens)
            first = _with_welcome(None, _aside(ctx, aside, ask_code(ctx, {}), State.ASK_CODE,
                                               {}) if aside is not None else
                                  Step(ask_code(ctx, data), State.ASK_CODE, {}))
        elif current == State.MENU and _pick(stripped, _menu_options()) is None \
                and read_intent(stripped, ctx.language, MENU_INTENTS) is None \
                and find_code(stripped) is None:
            first = Step((Say("welcome"), *ask_menu(ctx, data)), State.MENU, {})
        else:
            first = _with_welcome(None, FLOW[current].handle(ctx, stripped, data))
        # A first sentence tells the language a resident writes best ("Hi, I got...").
        language = sentence_language(stripped)
        if language is not None and language in ctx.rules.languages \
                and language != ctx.language:
            return Step(_in_language(first.replies, language), first.state, first.data,
                        (fx.LanguageChosen(language), *first.effects))
        return first

    if idle is not None and idle >= ctx.rules.idle_after and known in MID_BOOKING:
        if not _answers(ctx, known, stripped, data):
            resume = {"return_to": known, "return_data": data}
            return Step(ask_resume(ctx, resume), State.RESUME, resume)

    node = FLOW[current]
    aside = read_intent(stripped, ctx.language, node.listens) if node.listens else None
    if aside is not None and not (current == State.ASK_CODE and ctx.booking() is not None):
        return _aside(ctx, aside, node.ask(ctx, data), current, data)
    return node.handle(ctx, stripped, data)


def _answers(ctx: Context, state: State, text: str, data: dict[str, Any]) -> bool:
    """After a long silence, an answer that clearly fits the question is taken as it is."""
    if state == State.ASK_POSTCODE:
        return bool(POSTCODE.search(text))
    if state == State.ASK_STREET:
        return street_ok(text)
    if state == State.ASK_PHONE:
        return read_phone(text, ctx.rules.country) is not None
    if state == State.ASK_TOPIC:
        return _pick(text, _topic_options()) is not None
    return False  # times and confirmations go stale: ask again rather than guess


def _with_welcome(known: State | None, step_: Step) -> Step:
    if known is not None:
        return step_
    return Step((Say("welcome"), *step_.replies), step_.state, step_.data, step_.effects)


def _global(ctx: Context, word: Global, current: State, data: dict[str, Any],
            first: bool) -> Step:
    """The words every state understands (G7), declared once."""
    if word in _LANGUAGE_OF:
        language = _LANGUAGE_OF[word]
        if language not in ctx.rules.languages:
            return Step((Say("language.unavailable"), *FLOW[current].ask(ctx, data)), current,
                        data)
        return Step((Say("language.changed", {"_language": language}),
                     *_in_language(FLOW[current].ask(ctx, data), language)), current, data,
                    (fx.LanguageChosen(language),))
    if word is Global.HELP:
        return Step((Say("help", {"phone": ctx.rules.city_phone}),
                     *FLOW[current].ask(ctx, data)), current, data)
    if word is Global.PERSON:
        return Step((Say("person", {"phone": ctx.rules.city_phone}),
                     *FLOW[current].ask(ctx, data)), current, data)
    if word is Global.MENU:
        if ctx.booking() is None and current in MID_BOOKING:
            # No visit yet: the way out is "go on or start again", not losing the answers.
            resume = {"return_to": current, "return_data": data}
            return Step(ask_resume(ctx, resume), State.RESUME, resume)
        return _menu(ctx)
    if word is Global.STOP:
        stop_data = {"return_to": current, "return_data": data}
        return Step(ask_stop(ctx, stop_data), State.CONFIRM_STOP, stop_data)
    # START (or /start) while not stopped: a friendly (re)opening of where we are.
    if first:
        return Step((Say("welcome"), *FLOW[current].ask(ctx, data)), current, data)
    return Step(FLOW[current].ask(ctx, data), current, data)


def _in_language(replies: tuple[Say, ...], language: str) -> tuple[Say, ...]:
    """Replies rendered in a language the resident just chose (before the effect lands)."""
    return tuple(Say(r.key, {**r.params, "_language": language}, r.options) for r in replies)
