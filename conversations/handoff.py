"""Hand-off to a person: a resident who asks for one waits for a staff member.

With a staff group configured (Rules.staff_group), a wish to talk to a person (the global
words, the visit menu's "a person", the intent in a sentence) opens a hand-off
(HandoffRequested: the engine writes the request to the staff Telegram group) and the
conversation waits in State.HANDOFF. While it waits the bot does not answer for staff:
every message is forwarded to the group (ForwardedToStaff) and the resident hears
"we will answer soon" at most once an hour (HandoffNoticed). STOP still works, and MENU
is the way back to the bot, said with every "we will answer" (HandoffLeft: the hand-off
closes and staff are told). Staff answer by replying in the group; bot/handoffs.py
sends their words with `staff_says` and, on /done, gives the resident back to the bot
with `handed_back`. The request shows staff the resident's last messages, which the
engine keeps with the conversation (`remember`).
Without a staff group, a person is the city's phone number, as before.

The texts for staff (Dutch: the city's staff read them in their Telegram group) are
here, not in the residents' catalogues: they are no SMS and follow no resident's
language. Each one starts with a mark and the hand-off's number ("🙋 #12"), which is how
a reply to any of them finds its hand-off (bot/handoffs.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from conversations import effects as fx
from conversations.incoming import Kind
from conversations.messages import template
from conversations.states import State, ask_in, to_menu
from conversations.step import BookingView, Context, Say, Step
from conversations.understand import Global, read_global

NOTICE_EVERY = timedelta(hours=1)   # "we will answer soon", at most this often
MAX_QUOTED = 500                    # characters of one resident message shown to staff
MAX_SMS_ANSWER = 600                # a staff answer by SMS: four segments at most
KEEP_RECENT = 3                     # the resident's last messages kept for a request
MAX_REMEMBERED = 200                # characters kept of each of them

REQUEST, FORWARD = "🙋", "💬"
_REF = re.compile(rf"^({REQUEST}|{FORWARD}) #(\d+)\b")
# A phone number in a text: digits, maybe after a +, in groups; nine digits or more.
_PHONE_LIKE = re.compile(r"\+?\d(?:[\s./-]?\d){8,}")


# ---------------------------------------------------------------------- the resident

def available(ctx: Context) -> bool:
    """Whether a staff group takes hand-offs (else a person is the city's phone)."""
    return bool(ctx.rules.staff_group)


def request(ctx: Context, current: State) -> Step:
    """A wish to talk to a person, with a staff group: wait for a staff member here.

    A hand-off still open (its conversation forgotten meanwhile) is asked for again:
    the engine opens no second one, and the group gets the request again."""
    return Step((Say("handoff.requested"),), State.HANDOFF, {},
                (fx.HandoffRequested(str(current)),))


def ask_waiting(ctx: Context, data: dict[str, Any]) -> tuple[Say, ...]:
    return (Say("handoff.waiting"),)


def on_waiting(ctx: Context, text: str, data: dict[str, Any]) -> Step:
    """A text while waiting (as a handler of the table)."""
    return on_message(ctx, text, Kind.TEXT, data)


def on_message(ctx: Context, text: str, kind: Kind, data: dict[str, Any]) -> Step:
    """Anything the resident sends while waiting goes to staff; STOP still stops."""
    handoff = ctx.handoff()
    if handoff is None:   # closed by staff meanwhile: the bot is back
        return _back_to_bot(ctx)
    stripped = text.strip()
    word = read_global(stripped) if kind is Kind.TEXT else None
    if word is Global.STOP:
        stop_data = {"return_to": State.HANDOFF, "return_data": data}
        return Step(ask_in(State.CONFIRM_STOP, ctx, stop_data), State.CONFIRM_STOP, stop_data)
    if word is Global.MENU:   # no longer waiting: back to the bot, staff are told
        back = to_menu(ctx)
        return Step((Say("handoff.left"), *back.replies), back.state, back.data,
                    (fx.HandoffLeft(),))
    effects: list[object] = []
    replies: list[Say] = []
    if stripped or kind is not Kind.TEXT:
        effects.append(fx.ForwardedToStaff(stripped[:MAX_QUOTED], str(kind)))
    if kind in (Kind.PHOTO, Kind.VOICE, Kind.LOCATION, Kind.OTHER):
        replies.append(Say("handoff.text_only"))   # staff would get only its name
    last = handoff.last_notice_at or handoff.opened_at
    if ctx.now - last >= NOTICE_EVERY:
        replies.append(Say("handoff.waiting"))
        effects.append(fx.HandoffNoticed())
    return Step(tuple(replies), State.HANDOFF, data, tuple(effects))


def _back_to_bot(ctx: Context) -> Step:
    back = to_menu(ctx)
    return Step((Say("handoff.closed"), *back.replies), back.state, back.data)


def staff_says(text: str) -> Any:
    """What Engine.push tells a resident a staff member wrote; where they are stays."""
    def make(ctx: Context, state: str | None, data: dict[str, Any]) -> Step:
        return Step((Say("handoff.staff", {"text": text}),), state or State.HANDOFF,
                    data if state else {})
    return make


def handed_back(ctx: Context, state: str | None, data: dict[str, Any]) -> Step:
    """Staff closed the hand-off (/done): the resident is told and the bot takes over.

    One whom something took out of waiting meanwhile (a closed slot's new times to
    choose from) keeps their place: told, and asked their question again."""
    if state is None or state == State.HANDOFF or state not in State.__members__.values():
        return _back_to_bot(ctx)
    current = State(state)
    return Step((Say("handoff.closed"), *ask_in(current, ctx, data)), current, data)


def remember(recent: Sequence[Mapping[str, str]], text: str, kind: Kind, said_in: str | None,
             now: datetime) -> list[dict[str, str]]:
    """The resident's last messages, this one included, as the engine keeps them with
    the conversation (Conversation.recent) so a request shows staff what went before.

    The least that does that: the last KEEP_RECENT, each cut to MAX_REMEMBERED
    characters, phone numbers masked to their last digits; what is not text by its kind
    ("photo"); and the state it answered (`said_in`: "2" means nothing without it).
    They go when the conversation is forgotten, and on STOP (the engine)."""
    flat = re.sub(r"\s+", " ", text).strip()
    kept = {"at": now.isoformat(), "in": said_in or "",
            "text": _PHONE_LIKE.sub(lambda m: masked(m[0]), flat)[:MAX_REMEMBERED],
            "kind": str(kind)}
    return [*(dict(r) for r in recent), kept][-KEEP_RECENT:]


# ---------------------------------------------------------------------- staff's texts

def read_ref(body: str) -> tuple[int, bool] | None:
    """The hand-off number a staff-group text of ours starts with, and whether it is the
    request itself (not a forwarded message)."""
    found = _REF.match(body)
    return (int(found[2]), found[1] == REQUEST) if found else None


def masked(phone: str) -> str:
    """A phone number as staff see it: its last three digits."""
    digits = re.sub(r"\D", "", phone)
    return f"…{digits[-3:]}" if len(digits) >= 3 else "…"


def _quoted(text: str) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return f"“{flat[:MAX_QUOTED]}”" if flat else "(leeg)"


def _visit(booking: BookingView, tz: ZoneInfo) -> str:
    start = booking.slot.starts_at.astimezone(tz)
    topic = template("nl", f"topic.{booking.topic}")
    if booking.topic_text:
        topic += f" ({_quoted(booking.topic_text)})"
    return (f"Bezoek: {start:%d-%m-%Y %H:%M}, postcode {booking.postcode}, {topic}, "
            f"coach belt {masked(booking.phone)}")


def request_text(ref: int, *, name: str | None, channel: str, address: str, language: str,
                 where: str, said: str, bookings: Sequence[BookingView], tz: ZoneInfo,
                 earlier: Sequence[Mapping[str, str]] = ()) -> str:
    """The request in the staff group: who, how to reach them (never the full number),
    their last messages before this one (`earlier`, from `remember`), what they said,
    where they were, and their visits."""
    contact = f", nummer {masked(address)}" if channel == "sms" else ""
    lines = [
        f"{REQUEST} #{ref} {name or 'Een bewoner'} vraagt een medewerker.",
        f"Kanaal: {channel}{contact}, taal: {language}",
        *(["Eerder:", *(_earlier(r, tz) for r in earlier)] if earlier else []),
        f"Schreef: {_quoted(said)}",
        f"Was bij: {_where(where)}",
        *([_visit(b, tz) for b in bookings] or ["Nog geen bezoek geboekt."]),
        "Antwoord met 'Beantwoorden' op dit bericht: dat gaat naar de bewoner. "
        "/done als antwoord geeft de bewoner terug aan de bot.",
    ]
    return "\n".join(lines)


# Where a resident was, as staff read it (their language is Dutch, whatever the
# resident's); a state not listed shows by its name.
STAFF_WHERE = {
    State.ASK_CODE: "de code", State.ASK_POSTCODE: "het adres", State.ASK_STREET: "het adres",
    State.ASK_PHONE: "het telefoonnummer", State.ASK_TOPIC: "de hulpvraag",
    State.ASK_TOPIC_TEXT: "de hulpvraag", State.ASK_TIME: "een moment kiezen",
    State.CONFIRM: "het bezoek bevestigen", State.CHANGE_DETAILS: "gegevens wijzigen",
    State.MENU: "het menu van een geboekt bezoek", State.CONFIRM_CANCEL: "annuleren bevestigen",
    State.WHICH_VISIT: "kiezen welk bezoek", State.CHANGE_PHONE: "nummer wijzigen",
    State.CONFIRM_STOP: "STOP bevestigen", State.RESUME: "verder na een stilte",
    State.STOPPED: "gestopt (STOP)", State.HANDOFF: "wachten op een medewerker",
    State.NEW_TIME: "een nieuw moment na een gemist bezoek",
}


def _where(state: str) -> str:
    return STAFF_WHERE.get(State(state), state) if state in State.__members__.values() \
        else state or "het begin"


def _earlier(remembered: Mapping[str, str], tz: ZoneInfo) -> str:
    """One remembered message: its time, what it was, and what it answered."""
    try:
        at = f"{datetime.fromisoformat(remembered['at']).astimezone(tz):%d-%m %H:%M} "
    except (KeyError, ValueError):
        at = ""
    sent, text = _sent(remembered.get("kind", "")), remembered.get("text", "")
    said = f"(stuurde {sent})" + (f" {_quoted(text)}" if text else "") if sent \
        else _quoted(text)
    return f"- {at}{said} (bij {_where(remembered.get('in', ''))})"


_KIND_NAMES = {Kind.PHOTO: "een foto", Kind.VOICE: "een spraakbericht",
               Kind.LOCATION: "een locatie", Kind.OTHER: "een bestand"}


def _sent(kind: str) -> str | None:
    """What a message that is not text was, for staff ("een foto"); None for text."""
    return _KIND_NAMES.get(Kind(kind)) if kind in Kind.__members__.values() else None


def forward_text(ref: int, name: str | None, text: str, kind: str) -> str:
    """A resident's message while waiting, as the staff group sees it."""
    who = name or "Bewoner"
    sent = _sent(kind)
    if sent is not None:
        said = f"(stuurde {sent}; de bot kan die niet doorsturen)"
        if text:
            said += f" {_quoted(text)}"
    else:
        said = _quoted(text) + (" (aangepast bericht)" if kind == Kind.EDITED else "")
    return f"{FORWARD} #{ref} {who}: {said}"


def staff_note(ref: int | None, what: str, **params: Any) -> str:
    """A short answer of the bot to staff in the group."""
    text = STAFF_NOTES[what].format(**params)
    return f"#{ref} {text}" if ref is not None else text


STAFF_NOTES = {
    "closed": "afgesloten door {who}: de bot neemt het gesprek weer over.",
    "left": "afgesloten: {who} ging terug naar de bot (MENU). Antwoorden gaan niet meer "
            "naar de bewoner.",
    "already_closed": "is al afgesloten: dit bericht ging niet naar de bewoner.",
    "stopped": "niet verstuurd: de bewoner wil geen berichten meer (STOP).",
    "too_long": "niet verstuurd: te lang voor een sms ({length} tekens, hoogstens {most}). "
                "Stuur het korter of in twee antwoorden.",
    "text_only": "niet verstuurd: alleen tekst gaat naar de bewoner.",
    "not_staff": "Niet verstuurd: alleen medewerkers in [staff] telegram_ids kunnen "
                 "bewoners antwoorden.",
    "unknown": "Dit bericht hoort bij geen hand-off: antwoord op een bericht van de bot "
               "dat met 🙋 of 💬 begint.",
}
