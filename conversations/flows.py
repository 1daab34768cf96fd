"""The resident's conversation as a table of states (drawn in flows.mmd beside this file).

Every handler is pure: `(ctx, text, data) -> Step`. The global words (help, menu, stop,
start, a person, a language) are handled once, before any state, in `step()`. Every
reply ends with the question the resident can answer, so no state is a dead end (G7).

This module holds the table (FLOW), the entry point, the questions before a time is
chosen (code, address, phone, topic) and stopping; choosing a time and confirming it
live in conversations/choosing.py, managing a booked visit in conversations/visit.py,
the states and handing over between them in conversations/states.py, and the declared
transitions (what flows.mmd is drawn from) in conversations/transitions.py.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from conversations import effects as fx
from conversations import handoff
from conversations.address import POSTCODE, clean_street, postcode_in, street_ok
from conversations.incoming import Kind
from conversations.intents import QUESTIONS, SPEAK, Intent, is_word, read_intent
from conversations.phone import read_phone
from conversations.step import Context, Option, Say, Step
from conversations.understand import (
    Global,
    fold,
    read_global,
    read_yes_no,
    sentence_language,
)
from conversations.codes import (
    CHECK_FAILED,
    find_code,
    find_code_attempt,
    looks_like_code,
    looks_like_word,
    read_code,
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
)
from conversations.choosing import (
    after_failure,
    ask_confirm,
    ask_details,
    ask_time,
    free_times,
    offer_first,
    on_confirm,
    on_details,
    on_time,
    to_confirm,
)
from conversations.states import FLOW, MID_BOOKING, Node, State, start_over, to_menu
from conversations.after_visit import answer_open, ask_new_time, on_new_time
from conversations.visit import (
    ask_cancel,
    ask_menu,
    ask_phone_change,
    ask_which,
    menu_options,
    on_cancel,
    on_menu,
    on_phone_change,
    on_which,
)

__all__ = ["FLOW", "State", "after_failure", "first_state", "step"]


MAX_TEXT = 1000          # longer input is cut before reading: nothing we ask needs more


MAX_STREET = 120


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


_GLOBAL_LANGUAGE = {"nl": Global.LANG_NL, "fr": Global.LANG_FR, "en": Global.LANG_EN}


def ask_code(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("code.ask"),)


def on_code(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """A cheque code, read forgivingly; each kind of wrong code gets its own answer."""
    if find_code(text, ctx.codes) is None and not looks_like_code(text, ctx.codes) \
            and ctx.booking() is not None:
        return on_menu(ctx, text, {})   # words of a resident with a visit: the visit menu
    if ctx.codes_locked:
        return Step((Say("code.locked", {"phone": ctx.rules.city_phone}),), State.ASK_CODE, {})
    code, problem = read_code(text, ctx.codes)
    if code is None:
        if problem == CHECK_FAILED and (looks_like_word(text) or is_word(text)):
            # "verzetten" is nine symbols of the code alphabet, but a word, not a guess.
            return Step((Say("code.not_a_code"),), State.ASK_CODE, {})
        if problem == CHECK_FAILED:
            return _wrong_code(ctx, "code.typo")
        found = find_code(text, ctx.codes)   # "mijn code is abcd efgh k"
        if found is not None:
            code = found
        elif find_code_attempt(text, ctx.codes) is not None:   # "mijn code is NDXJ-HZ1M-7"
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
            return to_menu(ctx)
        return Step((Say(key, {"phone": ctx.rules.city_phone}),), State.ASK_CODE, {})
    new_data: dict[str, Any] = {"cheque_id": cheque.id, "visits_left": cheque.visits_left}
    if ctx.booking() is not None:   # a second code: never offer the time of a visit they have
        new_data["busy"] = True
    return Step((Say("code.accepted"), *ask_postcode(ctx, new_data)), State.ASK_POSTCODE,
                new_data)


def _wrong_code(ctx: Context, key: str) -> Step:
    if ctx.wrong_codes + 1 >= ctx.rules.code_attempts:
        return Step((Say("code.locked", {"phone": ctx.rules.city_phone}),), State.ASK_CODE, {},
                    (fx.WrongCodeEntered(),))
    return Step((Say(key),), State.ASK_CODE, {}, (fx.WrongCodeEntered(),))


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
        return to_confirm(ctx, data, data["slot_id"]) if data.get("slot_id") else \
            offer_first(ctx, data)
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
    return (Say("phone.ask", {}, share_number(ctx)),)   # Telegram: "Deel mijn nummer"


def on_phone(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """A number the coach can call; an SMS resident may keep the number they write from."""
    phone: str | None
    if ctx.channel == "sms" and (pick(text, (("own", "option.own_number", {}),)) == "own"
                                 or read_yes_no(text)):
        phone = ctx.address
    else:
        phone = read_phone(text, ctx.rules.country)
        if phone is None:
            return Step((Say("phone.invalid"), *ask_phone(ctx, data)), State.ASK_PHONE, data)
    data = {**data, "phone": phone}
    if data.get("changing") and data.get("slot_id"):
        return to_confirm(ctx, data, data["slot_id"])
    return Step(ask_topic(ctx, data), State.ASK_TOPIC, data)


def _topic_options() -> tuple[Option, ...]:
    return tuple((t, f"topic.{t}", {}) for t in TOPICS)


def ask_topic(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("topic.ask", {}, _topic_options()),)


def on_topic(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """What help is wanted: a number, a label, or a word such as 'itsme' or 'gsm'."""
    topic = pick(text, _topic_options())
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
        return answer_aside(ctx, aside, ask_topic(ctx, data), State.ASK_TOPIC, data)
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
        return to_confirm(ctx, data, data["slot_id"])
    return offer_first(ctx, data)


def _stop_options() -> tuple[Option, ...]:
    return (("yes", "option.yes_stop", {}), ("no", "option.no_go_on", {}))


def ask_stop(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("stop.ask", {}, _stop_options()),)


def on_stop(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """Opting out is confirmed, and says how to come back."""
    choice = answer(text, _stop_options())
    back = State(data.get("return_to", State.ASK_CODE))
    back_data = data.get("return_data", {})
    if choice == "yes":
        booking = ctx.booking()
        done = recall(ctx, "stop.done_visit") if booking \
            else Say("stop.done")   # say whether the visits still stand, every one
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
        return Step((Say(f"faq.{intent}", faq_params(ctx)), Say("stopped")),
                    State.STOPPED, data)
    if intent is not None and booking is not None:
        return Step((recall(ctx, "stopped.visit"),),
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
    choice = answer(text, _resume_options())
    back = State(data.get("return_to", State.ASK_CODE))
    back_data = dict(data.get("return_data", {}))
    if choice == "on":
        if back == State.ASK_TIME or back == State.CONFIRM and not _slot_still_free(
                ctx, back_data):
            return offer_first(ctx, back_data)
        return Step(FLOW[back].ask(ctx, back_data), back, back_data)
    if choice == "again":
        return start_over(ctx)
    return Step((Say("confirm.not_understood"), *ask_resume(ctx, data)), State.RESUME, data)


def _slot_still_free(ctx: Context, data: dict[str, Any]) -> bool:
    slot = ctx.slot(int(data["slot_id"])) if data.get("slot_id") else None
    if slot is None:
        return False
    moment = slot.starts_at
    return any(s.id == slot.id
               for s in free_times(ctx, data, moment, moment + timedelta(seconds=1)))


FLOW.update({
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
    State.WHICH_VISIT: Node(ask_which, on_which, ASIDES),
    State.CHANGE_PHONE: Node(ask_phone_change, on_phone_change),
    State.CONFIRM_STOP: Node(ask_stop, on_stop),
    State.RESUME: Node(ask_resume, on_resume, ASIDES),
    State.STOPPED: Node(ask_stopped, on_stopped),
    State.HANDOFF: Node(handoff.ask_waiting, handoff.on_waiting),
    State.NEW_TIME: Node(ask_new_time, on_new_time, ASIDES),
})


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
        if looks_like_code(text.strip(), ctx.codes):   # a new cheque: writing again opts in
            coded = on_code(ctx, text.strip(), {})
            return Step((Say("start.again"), *coded.replies), coded.state, coded.data,
                        (fx.OptedIn(), *coded.effects))
        if read_global(text) is Global.START:
            back = State(data.get("return_to", first_state(ctx)))
            back_data = data.get("return_data", {})
            return Step((Say("start.again"), *FLOW[back].ask(ctx, back_data)), back, back_data,
                        (fx.OptedIn(),))
        return on_stopped(ctx, text, data)

    if known == State.HANDOFF:   # waiting for staff: they answer, not the bot (STOP aside)
        # ...except an answer to a reminder or follow-up sent since their last message
        # (and since staff last wrote to them): "1" is then "I'll be there", not a text
        # for staff.
        answered = answer_open(ctx, current, data, text.strip()) \
            if kind is Kind.TEXT and text.strip() else None
        if answered is None:
            return handoff.on_message(ctx, text, kind, data)
        if answered.state == State.HANDOFF:   # still waiting, and told so again
            return Step(answered.replies, answered.state, answered.data,
                        (*answered.effects, fx.HandoffNoticed()))
        return answered

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

    # An answer to the reminder or follow-up we sent last, whatever the resident was
    # doing (conversations/after_visit.py); anything else goes on below.
    answered = answer_open(ctx, current, data, stripped)
    if answered is not None:
        return answered

    if known is None:
        if current == State.ASK_CODE and not looks_like_code(stripped, ctx.codes) \
                and find_code(stripped, ctx.codes) is None:   # "Dag, hier is mijn code: ..."
            aside = read_intent(stripped, ctx.language, FLOW[State.ASK_CODE].listens)
            first = _with_welcome(None, answer_aside(ctx, aside, ask_code(ctx, {}),
                                                     State.ASK_CODE, {})
                                  if aside is not None else
                                  Step(ask_code(ctx, data), State.ASK_CODE, {}))
        elif current == State.MENU and pick(stripped, menu_options(ctx)) is None \
                and read_intent(stripped, ctx.language, MENU_INTENTS) is None \
                and find_code(stripped, ctx.codes) is None:
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
        return answer_aside(ctx, aside, node.ask(ctx, data), current, data)
    return _thanked(ctx, stripped, node.handle(ctx, stripped, data))


def _thanked(ctx: Context, text: str, answered: Step) -> Step:
    """A thanks where a choice was asked ("merci beaucoup" at a confirmation): welcome,
    not "reply with a number", and the question again. Only when the state did not
    understand the message: "ja, bedankt" is a yes, "2 merci" a choice."""
    if answered.replies and answered.replies[0].key == "confirm.not_understood" \
            and read_intent(text, ctx.language, {Intent.THANKS}) is Intent.THANKS:
        return Step((Say("thanks.asked"), *answered.replies[1:]), answered.state,
                    answered.data, answered.effects)
    return answered


def _answers(ctx: Context, state: State, text: str, data: dict[str, Any]) -> bool:
    """After a long silence, an answer that clearly fits the question is taken as it is."""
    if state == State.ASK_POSTCODE:
        return bool(POSTCODE.search(text))
    if state == State.ASK_STREET:
        return street_ok(text)
    if state == State.ASK_PHONE:
        return read_phone(text, ctx.rules.country) is not None
    if state == State.ASK_TOPIC:
        return pick(text, _topic_options()) is not None
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
        if handoff.available(ctx):
            return handoff.request(ctx, current)
        return Step((Say("person", {"phone": ctx.rules.city_phone}),
                     *FLOW[current].ask(ctx, data)), current, data)
    if word is Global.MENU:
        if ctx.booking() is None and current in MID_BOOKING:
            # No visit yet: the way out is "go on or start again", not losing the answers.
            resume = {"return_to": current, "return_data": data}
            return Step(ask_resume(ctx, resume), State.RESUME, resume)
        return to_menu(ctx)
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
