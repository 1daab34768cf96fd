"""What residents type, and what conversations.understand reads in it.

The date and time phrases live in tests/conversations/date_phrases.py as one table.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conversations import dutch_time
from conversations.understand import (
    Choice,
    Global,
    When,
    rank_slots,
    read_choice,
    read_global,
    read_when,
    read_when_not,
    read_yes_no,
    warm_up,
)
from tests.conversations.date_phrases import BRUSSELS, CLOCKS, PHRASES, RANKED, SLOTS

# --- Numbered choices --------------------------------------------------------------------

OPTIONS = [
    Choice("morning", labels=("Voormiddag", "Matin", "Morning"), keywords=("vm",)),
    Choice("afternoon", labels=("Namiddag", "Après-midi", "Afternoon")),
    Choice("cancel", labels=("Bezoek annuleren",), keywords=("annuleren", "annuler")),
]

CHOICES = [
    ("1", "morning"), ("2", "afternoon"), ("2.", "afternoon"), (" 2 ", "afternoon"),
    ("2)", "afternoon"), ("nr 2", "afternoon"), ("Nr. 2", "afternoon"), ("n°2", "afternoon"),
    ("#3", "cancel"), ("2️⃣", "afternoon"), ("①", "morning"), ("２", "afternoon"),
    ("twee", "afternoon"), ("deux", "afternoon"), ("two", "afternoon"), ("drie", "cancel"),
    ("een", "morning"), ("één", "morning"), ("de tweede", "afternoon"),
    ("la première", "morning"), ("2e", "afternoon"), ("2 graag", "afternoon"),
    ("nummer 3 aub", "cancel"), ("ik kies 1", "morning"), ("le 2 svp", "afternoon"),
    ("namiddag", "afternoon"), ("NAMIDDAG", "afternoon"), ("Après-midi!", "afternoon"),
    ("apres midi", "afternoon"), ("morning", "morning"), ("vm", "morning"),
    ("annuleren", "cancel"), ("Bezoek annuleren.", "cancel"), ("ik wil annuleren", "cancel"),
    ("je veux annuler svp", "cancel"),
    ("4", None), ("0", None), ("10", None), ("1 2", None), ("", None), ("   ", None),
    ("hallo", None), ("👍", None), ("namiddag of voormiddag", None), ("2 personen", None),
]


@pytest.mark.parametrize(("text", "value"), CHOICES)
def test_read_choice(text: str, value: str | None) -> None:
    assert read_choice(text, OPTIONS) == value


def test_read_choice_ignores_keywords_of_two_options() -> None:
    options = [Choice("a", keywords=("dag",)), Choice("b", keywords=("week",))]
    assert read_choice("een dag of een week", options) is None
    assert read_choice("liefst een dag", options) == "a"


def test_read_choice_prefers_a_label_over_a_position() -> None:
    options = [Choice("x", labels=("2",)), Choice("y")]
    assert read_choice("2", options) == "x"


# --- Yes and no --------------------------------------------------------------------------

YES_NO = [
    *[(text, True) for text in (
        "ja", "Ja", "JA!", "jaa", "jaaaa!!!", "jep", "ok", "OK", "oké", "okee", "okay",
        "goed", "prima", "yes", "yess", "yep", "y", "oui", "ouais", "d'accord", "d’accord",
        "👍", "👍🏽", "✅", "✔️", "ja graag", "ja hoor", "Ja, dat is goed.", "oké merci",
        "yes please", "oui merci", "is goed", "c'est bon", "👍 ok", "no problem",
        "geen probleem", " ja ", "jawel", "zeker", "akkoord", "graag")],
    *[(text, False) for text in (
        "nee", "neen", "Nee!", "neeee", "no", "non", "nope", "👎", "❌", "nee dank u",
        "non merci", "no thanks", "liever niet", "nee bedankt", "niet", "NO!!")],
    *[(text, None) for text in (
        "", "   ", "1", "2", "misschien", "ja nee", "ja maar liever dinsdag", "👍👎",
        "dinsdag", "hallo", "ok 👎", "stop", "jaar", "🙂", "janee", "dat is het",
        "ja" * 200)],
]


@pytest.mark.parametrize(("text", "meaning"), YES_NO)
def test_read_yes_no(text: str, meaning: bool | None) -> None:
    assert read_yes_no(text) is meaning


# --- Global words ------------------------------------------------------------------------

GLOBALS = [
    *[(text, Global.HELP) for text in (
        "hulp", "Help", "HELP!", "?", "??", " ? ", "/help", "info", "aide", "hulp aub",
        "help me", "Info?")],
    *[(text, Global.MENU) for text in ("menu", "Menu.", "/menu", "hoofdmenu", "accueil")],
    *[(text, Global.STOP) for text in (
        "stop", "STOP", "Stop!", "/stop", "stoppen", "uitschrijven", "arrêt", "arrêter",
        "désinscrire", "unsubscribe", "stopall", "stop please")],
    *[(text, Global.START) for text in ("start", "START", "/start", "/start@DigichequeBot",
                                        "unstop")],
    *[(text, Global.PERSON) for text in (
        "mens", "persoon", "medewerker", "bellen", "iemand spreken", "met iemand spreken",
        "humain", "personne", "conseiller", "human", "person", "agent", "operator")],
    *[(text, Global.LANG_NL) for text in ("NL", "nl", "nederlands", "Vlaams", "dutch",
                                          "/nl", "🇳🇱")],
    *[(text, Global.LANG_FR) for text in ("FR", "français", "Francais", "frans",
                                          "french", "🇫🇷")],
    *[(text, Global.LANG_EN) for text in ("EN", "english", "engels", "anglais", "🇬🇧")],
    *[(text, None) for text in (
        "ik wil hulp met mijn gsm", "help mij met mijn gsm", "hulp bij itsme", "cancel",
        "CANCEL", "annuleren", "annuler", "opnieuw", "begin", "ja", "", "   ", "1",
        "/start ABC123", "stop met die berichten", "🇧🇪", "menu " * 50, "nl fr")],
]


@pytest.mark.parametrize(("text", "word"), GLOBALS)
def test_read_global(text: str, word: Global | None) -> None:
    assert read_global(text) == word


# --- Dates and times ---------------------------------------------------------------------

@pytest.mark.parametrize(("text", "language", "clock", "expected"), PHRASES,
                         ids=[f"{row[2]}-{row[1]}-{row[0]}" for row in PHRASES])
def test_read_when(text: str, language: str, clock: str, expected: When | None) -> None:
    assert read_when(text, CLOCKS[clock], BRUSSELS, language) == expected


def test_the_phrase_table_is_big_and_covers_three_languages() -> None:
    languages = {row[1] for row in PHRASES}
    assert len(PHRASES) >= 100 and languages == {"nl", "fr", "en"}
    assert len({(row[0], row[2]) for row in PHRASES}) == len(PHRASES), "a phrase twice"


def test_read_when_with_an_unknown_language_reads_dutch() -> None:
    assert read_when("dinsdag namiddag", CLOCKS["TUE"], BRUSSELS, "tr") == \
        read_when("dinsdag namiddag", CLOCKS["TUE"], BRUSSELS, "nl")


def test_read_when_does_not_read_a_very_long_message() -> None:
    assert read_when("morgen " + "x" * 400, CLOCKS["TUE"], BRUSSELS, "nl") is None


@pytest.fixture
def dateparser_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, Any]]]:
    """Every call to dateparser.parse, as (text, languages), still really parsed."""
    import dateparser

    calls: list[tuple[str, Any]] = []
    real = dateparser.parse

    def spy(text: str, *args: Any, **kwargs: Any) -> Any:
        calls.append((text, kwargs.get("languages")))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(dateparser, "parse", spy)
    yield calls


DATE_PART = re.compile(r"\d{1,2}/\d{1,2}(/\d{2}|/\d{4})?|\d{1,2} [a-z]+( 20\d\d)?")


def test_dateparser_gets_only_the_date_part(dateparser_calls: list[tuple[str, Any]]) -> None:
    for text, language, clock, _ in PHRASES:
        read_when(text, CLOCKS[clock], BRUSSELS, language)
    assert len(dateparser_calls) > 20
    for text, languages in dateparser_calls:
        assert DATE_PART.fullmatch(text), f"dateparser was handed {text!r}"
        assert isinstance(languages, list) and len(languages) == 1


def test_dateparser_is_not_asked_about_words_we_read_ourselves(
        dateparser_calls: list[tuple[str, Any]]) -> None:
    for text in ("overmorgen om 10u", "volgende dinsdag", "dinsdag namiddag",
                 "vrijdag 10 uur", "morgen om 9 uur", "zo snel mogelijk"):
        read_when(text, CLOCKS["TUE"], BRUSSELS, "nl")
    assert dateparser_calls == []


def test_warm_up_loads_dateparser(dateparser_calls: list[tuple[str, Any]]) -> None:
    warm_up()
    assert "dateparser" in sys.modules
    assert {tuple(languages) for _, languages in dateparser_calls} == \
        {("nl",), ("fr",), ("en",)}


# --- Ranking slots -----------------------------------------------------------------------

def _slots() -> list[tuple[str, datetime]]:
    return [(key, datetime.fromisoformat(key).replace(tzinfo=BRUSSELS)) for key in SLOTS]


@pytest.mark.parametrize(("text", "language", "best"), RANKED)
def test_rank_slots(text: str, language: str, best: list[str]) -> None:
    when = read_when(text, CLOCKS["TUE"], BRUSSELS, language)
    assert when is not None
    assert rank_slots(when, _slots(), BRUSSELS, len(best)) == best


def test_rank_slots_prefers_the_later_day_on_a_tie() -> None:
    slots = [("monday", datetime(2026, 12, 7, 10, 30, tzinfo=BRUSSELS)),
             ("wednesday", datetime(2026, 12, 9, 10, 30, tzinfo=BRUSSELS))]
    when = read_when("dinsdag", CLOCKS["TUE"], BRUSSELS, "nl")
    assert when is not None
    assert rank_slots(when, slots, BRUSSELS, 2) == ["wednesday", "monday"]


def test_rank_slots_on_another_day_also_prefers_the_later_of_two_equally_near_times() -> None:
    slots = [("09:00", datetime(2026, 12, 2, 9, 0, tzinfo=BRUSSELS)),
             ("10:30", datetime(2026, 12, 2, 10, 30, tzinfo=BRUSSELS))]
    when = read_when("donderdag om 9u45", CLOCKS["TUE"], BRUSSELS, "nl")
    assert when is not None
    assert rank_slots(when, slots, BRUSSELS, 2) == ["10:30", "09:00"]


def test_rank_slots_compares_local_times_across_summer_time() -> None:
    # 08:00 UTC is 09:00 in Brussels before Sunday 28 March 2027 and 10:00 after it.
    when = read_when("om 10u", CLOCKS["DST"], BRUSSELS, "nl")
    assert when == When(exact=time(10, 0))
    slots = [("friday", datetime.fromisoformat("2027-03-26T08:00+00:00")),
             ("monday", datetime.fromisoformat("2027-03-29T08:00+00:00"))]
    assert rank_slots(when, slots, BRUSSELS, 2) == ["monday", "friday"]


def test_rank_slots_edges() -> None:
    slots = _slots()
    assert rank_slots(When(asap=True), slots, BRUSSELS, 0) == []
    assert rank_slots(When(asap=True), [], BRUSSELS, 3) == []
    assert rank_slots(When(asap=True), slots[:2], BRUSSELS, 5) == [slots[0][0], slots[1][0]]


# --- Nothing breaks them -----------------------------------------------------------------

VOCABULARY = sorted({
    *dutch_time.DAY_WORDS, *dutch_time.WEEKDAYS, *dutch_time.PART_WORDS,
    *dutch_time.CLOCK_ROLES, *dutch_time.RANGE_PARTS, *dutch_time.WEEK_WORDS,
    *dutch_time.ASAP_WORDS[:5], "om", "u", "uur", "h", "half", "kwart", "over", "voor",
    "heures", "et", "demie", "pm", "am", "/", ":", ".", "-", "'s", "niet", "pas", "le",
    "december", "dec", "janvier", "3rd", "1er", "15de", "+", "@", "12", "3", "0", "99",
    "2026", "14u30", "3/12", "31/2", "29/02/2027", "👍", "\x00", "\u202e"})
ANY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.lists(st.sampled_from(VOCABULARY), max_size=15).map(" ".join),
    st.lists(st.sampled_from(VOCABULARY), max_size=15).map("".join),
    st.builds(lambda chunk, n: chunk * n, st.text(min_size=1, max_size=20),
              st.integers(1, 10_000 // 20)),
)
ALL_CLOCKS = st.sampled_from(sorted(CLOCKS.values()))


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT, now=ALL_CLOCKS, language=st.sampled_from(["nl", "fr", "en", "xx"]))
def test_no_reader_raises_on_any_text(text: str, now: datetime, language: str) -> None:
    assert read_choice(text, OPTIONS) in {None, "morning", "afternoon", "cancel"}
    assert read_yes_no(text) in {None, True, False}
    assert read_global(text) is None or isinstance(read_global(text), Global)
    when = read_when(text, now, BRUSSELS, language)
    if when is not None:
        assert when.days is None or (when.days and list(when.days) == sorted(set(when.days)))
        assert when.start is None or when.end is None or when.start < when.end
        slots = _slots()
        ranked = rank_slots(when, slots, BRUSSELS, 3)
        assert len(ranked) == 3 and len(set(ranked)) == 3


@settings(max_examples=100, deadline=None)
@given(days=st.one_of(st.none(), st.lists(st.dates(), min_size=1, max_size=40).map(
           lambda days: tuple(sorted(set(days))))),
       start=st.one_of(st.none(), st.times()), end=st.one_of(st.none(), st.times()),
       exact=st.one_of(st.none(), st.times()), asap=st.booleans(),
       limit=st.integers(0, 60))
def test_rank_slots_returns_distinct_keys_up_to_the_limit(
        days: tuple[Any, ...] | None, start: time | None, end: time | None,
        exact: time | None, asap: bool, limit: int) -> None:
    slots = _slots()
    ranked = rank_slots(When(days, start, end, exact, asap), slots, BRUSSELS, limit)
    assert len(ranked) == min(limit, len(slots)) and len(set(ranked)) == len(ranked)


@pytest.mark.parametrize(("text", "language"), [
    ("de week erna", "nl"), ("kan het de week daarna?", "nl"), ("een week later", "nl"),
    ("la semaine d'après", "fr"), ("la semaine suivante", "fr"),
    ("the week after", "en"), ("the following week", "en")])
def test_the_week_after_is_after_the_week_of_what_was_offered_or_booked(text, language):
    now = datetime(2026, 12, 1, 9, 0, tzinfo=BRUSSELS)   # Tuesday 1 December
    offered = date(2026, 12, 10)                           # Thursday of the next week
    when = read_when(text, now, BRUSSELS, language, offered)
    assert when is not None
    assert when.days == tuple(date(2026, 12, 14) + timedelta(days=n) for n in range(7))
    alone = read_when(text, now, BRUSSELS, language)      # nothing seen: next week
    assert alone is not None and alone.days is not None and alone.days[0] == date(2026, 12, 7)


NOW = datetime(2026, 12, 1, 9, 0, tzinfo=BRUSSELS)   # a Tuesday
WED, THU, FRI = date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)


@pytest.mark.parametrize(("text", "language", "wished", "refused"), [
    ("ik kan niet komen woensdag", "nl", None, [WED]),
    ("ik kan woensdag niet komen", "nl", None, [WED]),
    ("niet op woensdag, liever donderdag", "nl", [THU], [WED]),
    ("woensdag niet maar vrijdag", "nl", [FRI], [WED]),
    ("ik kan pas vrijdag", "nl", [FRI], []),                # Dutch "pas": from then on
    ("maakt niet uit", "nl", None, []),                     # a "not" that wishes
    ("geen probleem, donderdag is goed", "nl", [THU], []),
    ("ik kan woensdag niet om 13u, wel om 15u", "nl", [WED], []),   # the time refused
    ("je ne peux pas venir mercredi", "fr", None, [WED]),
    ("pas mercredi", "fr", None, [WED]),
    ("je ne serai pas là jeudi, vendredi?", "fr", [FRI], [THU]),
    ("I can't come on Wednesday", "en", None, [WED]),
    ("not on Wednesday, Thursday is fine", "en", [THU], [WED]),
    ("doesn't matter", "en", None, []),
    ("dinsdag 8 december", "nl", [date(2026, 12, 8)], []),
])
def test_read_when_not_tells_the_days_refused_from_the_days_wished(
        text: str, language: str, wished: list[date] | None, refused: list[date]) -> None:
    when, days = read_when_not(text, NOW, BRUSSELS, language)
    assert list(days) == refused
    assert (None if when is None or when.days is None else list(when.days)) == wished


def test_read_when_not_keeps_the_time_wished_beside_a_day_refused() -> None:
    when, days = read_when_not("ik kan woensdag niet, donderdag om 10u", NOW, BRUSSELS, "nl")
    assert days == (WED,)
    assert when is not None and when.days == (THU,) and when.exact == time(10, 0)


@pytest.mark.parametrize(("text", "language"), [
    ("liever niet 's morgens", "nl"), ("niet in de voormiddag", "nl"),
    ("pas le matin", "fr"), ("not in the morning", "en")])
def test_read_when_not_leaves_a_part_of_the_day_refused_to_read_when(text, language):
    when, days = read_when_not(text, NOW, BRUSSELS, language)
    assert days == () and when is not None and when.start == time(12, 0)
