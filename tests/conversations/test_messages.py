"""Every message in every language: complete catalogues, SMS-safe, within two segments."""

from __future__ import annotations

import re
import string
from datetime import datetime, timezone

import pytest

from conversations.gsm7 import is_gsm7, segments, to_gsm7
from conversations.answers import MENU_INTENTS
from conversations.intents import TABLES
from conversations.messages import CATALOGUES
from conversations.render import render
from conversations.step import Say
from tests.auxil.world import BRUSSELS, World

# Long but realistic parameters: the longest day and month names, a long street.
LONG = {
    "start": datetime(2026, 9, 30, 13, 30, tzinfo=timezone.utc),   # woensdag 30 september
    "end": datetime(2026, 9, 30, 15, 0, tzinfo=timezone.utc),
    "street": "Heilige-Geeststraat 123 bus 45, appartement 3 links",
    "postcode": "9100", "topic": "government", "phone": "03 778 30 00",
    "city": "Sint-Niklaas", "last": "456", "where": "where.ask_topic_text",
    "number": "0470 99 99 99", "minutes": 90, "weeks": 6, "hours": 168,
    "again": datetime(2026, 9, 30, 13, 30, tzinfo=timezone.utc),
    # several visits: two two-visit cheques on one phone
    "visits": [datetime(2026, 9, day, 13, 30, tzinfo=timezone.utc) for day in (2, 9, 16, 30)],
    "count": 4,
    # a staff member's answer in a hand-off (conversations/handoff.py)
    "text": "Goeiedag, ik bel u morgen tussen 10 en 11 uur op over uw afspraak.",
}
OPTION_SETS = {  # the longest option lists that go with a message
    "topic.ask": [("t", f"topic.{t}", {}) for t in ("smartphone", "computer", "itsme",
                                                   "banking", "email", "government", "other")],
    "time.offer": [("1", "option.slot", LONG)] * 3 + [("o", "option.other_day", {})],
    "confirm.book": [("y", "option.yes_book", {}), ("t", "option.other_time", {}),
                     ("d", "option.change_details", {})],
    "menu": [("s", "option.see", {}), ("m", "option.move", {}), ("c", "option.cancel", {}),
             ("p", "option.person", {})],
    "which.move": [("1", "option.visit", LONG)] * 4,
}
OPTION_SETS["menu.several"] = OPTION_SETS["menu"] + [("a", "option.another_visit", {})]
OPTION_SETS["which.cancel"] = OPTION_SETS["which.move"]
# the list of several visits: three lines, each with the long street
LONG["lines"] = [Say("visit.line_at", dict(LONG))] * 3
OPTION_SETS["menu.what"] = OPTION_SETS["menu.several"]
OPTION_SETS["code.visit_left"] = OPTION_SETS["menu.several"]
for key in ("time.offer_later", "time.offer_wrap", "time.offer_nearest", "time.offer_fit",
            "time.too_soon",
            "time.gone", "time.beyond",
            "time.taken"):
    OPTION_SETS[key] = OPTION_SETS["time.offer"]


def test_catalogues_have_the_same_keys():
    nl = set(CATALOGUES["nl"])
    for language, catalogue in CATALOGUES.items():
        assert set(catalogue) == nl, f"{language}: {set(catalogue) ^ nl}"


def test_placeholders_match_across_languages():
    names = lambda t: set(re.findall(r"{(\w+)}", t))  # noqa: E731
    for key, text in CATALOGUES["nl"].items():
        for language in ("fr", "en"):
            assert names(CATALOGUES[language][key]) == names(text), (language, key)


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_every_sms_is_gsm7_and_at_most_two_segments(language):
    for key in CATALOGUES[language]:
        options = tuple(OPTION_SETS.get(key, ()))
        [message] = render((Say(key, LONG, options),), language, "sms", BRUSSELS,
                           {"phone": LONG["phone"], "city": LONG["city"]})
        assert "{" not in message.body, (key, message.body)
        assert is_gsm7(message.body), (key, [c for c in message.body if not is_gsm7(c)])
        assert segments(message.body) <= 2, (key, segments(message.body), message.body)


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_catalogue_texts_themselves_need_no_transliteration(language):
    for key, text in CATALOGUES[language].items():
        assert is_gsm7(text), (language, key, [c for c in text if not is_gsm7(c)])


def test_joined_replies_split_before_a_third_segment():
    replies = tuple(Say("booked.prepare") for _ in range(4))
    messages = render(replies, "nl", "sms", BRUSSELS)
    assert len(messages) >= 2
    assert all(segments(m.body) <= 2 for m in messages)
    assert "".join(m.body for m in messages).count("stadsbadge") == 4


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_the_booking_confirmation_fits_one_sms(language):
    """One segment for a usual street (the longest month names), two for a long one."""
    replies = (Say("booked", {**LONG, "street": "Kerkstraat 12"}), Say("booked.prepare"))
    [message] = render(replies, language, "sms", BRUSSELS)
    assert segments(message.body) == 1, (len(message.body), message.body)


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_after_booking_we_say_the_coach_never_asks_for_a_pin(language):
    """Residents are warned about scams: no 'have your passwords ready'."""
    text = CATALOGUES[language]["booked.prepare"].lower()
    assert "pin" in text and "badge" in text and "MENU" in CATALOGUES[language]["booked.prepare"]


def test_to_gsm7_spells_accents_and_drops_emoji():
    assert to_gsm7("België “financiële” ça août 👍") == 'Belgie "financiele" ca aout '
    assert is_gsm7(to_gsm7(string.printable + "ëïçêâîôû€“”‘’…😀"))


def test_segments_counts_extension_characters_double():
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2
    assert segments("a" * 306) == 2 and segments("a" * 307) == 3


# Twilio opts a number out when a message is exactly one of these words (CONTEXT.md);
# STOP is left out on purpose: it is our own way to stop, and it means the same there.
TWILIO_OPT_OUT_WORDS = {"cancel", "end", "quit", "unsubscribe", "stopall", "revoke", "optout"}


@pytest.mark.parametrize("language", sorted(CATALOGUES))
def test_no_text_suggests_a_word_that_twilio_reads_as_opting_out(language):
    """A resident who types the word of an option or an instruction must not be cut off
    from every later SMS: no catalogue text (options included) contains such a word."""
    for key, text in CATALOGUES[language].items():
        shown = re.sub(r"\{[^}]*\}", " ", text)   # not the {end_time} placeholders
        words = set(re.findall(r"[a-z]+", shown.lower()))
        assert not words & TWILIO_OPT_OUT_WORDS, (language, key, text)


def test_every_intent_the_menu_listens_to_is_acted_on_or_has_its_text(sessions):
    """The menu acts on a few intents and answers the others with "faq.<intent>": each
    one said in the menu gets a real text, never a raw key."""
    world = World(sessions)
    world.coach(capacity=len(MENU_INTENTS) + 1)
    for n, intent in enumerate(sorted(MENU_INTENTS)):
        ann = world.resident(f"+3247011{n:04d}")
        ann.up_to_topic(world.cheque(seed=100 + n))
        for text in ("3", "1", "1"):
            ann.say(text)
        phrase = next(p for p in TABLES["nl"][str(intent)] if not p.startswith("="))
        reply = ann.say(phrase)
        assert reply and "faq." not in reply, (intent, phrase, reply)
