"""The words of dates and times in Dutch (Flemish), French and English, and the clock pass.

`understand.read_when` reads a time expression in two passes. This module holds the data
of both (every table of words is here, at the top) and does the first pass: `words()`
folds the text and rewrites every clock time it finds into one token, so the second pass
(a plain left-to-right scan over words, in `understand`) never has to know that "14u30",
"half drie", "kwart voor elf", "deux heures et demie", "2pm" and "om 10" are all clock
times. A clock token looks like `@1430` (24-hour, certain) or `@0230a`: the `a` marks a
12-hour reading ("half drie", "om 2u") that `resolve_clock` later turns into 02:30 or
14:30 from context. "over 3 dagen" and "in two weeks" become `+d3` and `+w2`.

The name says Dutch because Flemish clock talk ("om 2u" meaning 14:00, "half drie"
meaning 2:30) is what forces this pass; French and English ride along.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import time
from typing import Any

LANGUAGES = ("nl", "fr", "en")

# --- Clock words ------------------------------------------------------------------------

HOUR_WORDS: dict[str, dict[str, int]] = {
    "nl": {"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
           "acht": 8, "negen": 9, "tien": 10, "elf": 11, "twaalf": 12},
    "fr": {"une": 1, "un": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
           "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12},
    "en": {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12},
}
# Minutes said before "over/voor" (nl), after "moins" (fr), before "past/to" (en).
MINUTE_WORDS: dict[str, dict[str, int]] = {
    "nl": {"vijf": 5, "tien": 10, "kwart": 15, "twintig": 20},
    "fr": {"cinq": 5, "dix": 10, "quart": 15, "le quart": 15, "vingt": 20},
    "en": {"five": 5, "ten": 10, "quarter": 15, "a quarter": 15, "twenty": 20, "half": 30},
}
# "over 3 dagen", "dans deux semaines", "in a week": counts up to twelve.
COUNT_WORDS: dict[str, int] = {
    **HOUR_WORDS["nl"], **HOUR_WORDS["fr"], **HOUR_WORDS["en"], "a": 1, "an": 1}

# Words after which a bare number is a clock time: "om 10", "na 2", "before 11".
# Only the last word of a longer phrase is needed ("ten laatste 11", "later dan 3").
CLOCK_PREPOSITIONS = (
    "om", "rond", "rondom", "omstreeks", "tegen", "ongeveer", "na", "vanaf", "voor", "tot",
    "tussen", "van", "uiterlijk", "laatste", "vroegste", "dan",
    "a", "vers", "apres", "avant", "jusqu", "entre",
    "at", "around", "about", "after", "from", "before", "until", "till", "between", "than",
)
DAY_UNITS = ("dagen", "dag", "days", "day", "jours", "jour")
WEEK_UNITS = ("weken", "week", "weeks", "semaines", "semaine")
# Dutch writes a part of the day glued to the day: "donderdagvoormiddag", "morgenavond".
GLUED_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag",
              "zondag", "overmorgen", "morgen", "vandaag")
GLUED_PARTS = ("voormiddag", "namiddag", "ochtend", "middag", "avond", "morgen", "vroeg")
# Month names and abbreviations (folded) of the three languages. `understand` uses them
# to find the date part it hands to dateparser; here they keep "om 3 december" from
# reading 3 as a clock time.
MONTHS: dict[str, int] = {
    "januari": 1, "janvier": 1, "january": 1, "jan": 1, "janv": 1,
    "februari": 2, "fevrier": 2, "february": 2, "feb": 2, "fev": 2, "fevr": 2,
    "maart": 3, "mars": 3, "march": 3, "mrt": 3, "mar": 3,
    "april": 4, "avril": 4, "apr": 4, "avr": 4,
    "mei": 5, "mai": 5, "may": 5,
    "juni": 6, "juin": 6, "june": 6, "jun": 6,
    "juli": 7, "juillet": 7, "july": 7, "jul": 7, "juil": 7,
    "augustus": 8, "aout": 8, "august": 8, "aug": 8,
    "september": 9, "septembre": 9, "sep": 9, "sept": 9,
    "oktober": 10, "octobre": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "novembre": 11, "nov": 11,
    "december": 12, "decembre": 12, "dec": 12,
}

# The reading of a 12-hour time when nothing says morning or evening: "half drie" is
# 14:30, "om 9u" is 09:00. Home visits happen by day.
DAYTIME = (time(8, 0), time(20, 0))

# --- Days, parts of the day, and everything else read in the scan ---------------------

MORNING, NOON, AFTERNOON, EVENING = (
    (time(8), time(12)), (time(12), time(14)), (time(12), time(18)), (time(18), time(21)))
# Relative days.
DAY_WORDS = {
    "vandaag": 0, "today": 0, "aujourdhui": 0, "auj": 0, "morgen": 1, "tomorrow": 1,
    "tmrw": 1, "demain": 1, "overmorgen": 2, "day after tomorrow": 2, "apres demain": 2,
}
WEEKDAYS = {
    "maandag": 0, "dinsdag": 1, "woensdag": 2, "donderdag": 3, "vrijdag": 4, "zaterdag": 5,
    "zondag": 6, "lundi": 0, "mardi": 1, "mercredi": 2, "jeudi": 3, "vendredi": 4,
    "samedi": 5, "dimanche": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3,
    "friday": 4, "saturday": 5, "sunday": 6,
}
# Abbreviations are also ordinary words ("ma", "do", "sun"), so they count only in the
# resident's language and next to another date or time ("di 14u", "ma 7/12").
WEEKDAY_ABBREVIATIONS = {
    "nl": {"ma": 0, "di": 1, "wo": 2, "do": 3, "vr": 4, "vrij": 4, "za": 5, "zo": 6},
    "fr": {"lun": 0, "mar": 1, "mer": 2, "jeu": 3, "ven": 4, "sam": 5, "dim": 6},
    "en": {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
           "fri": 4, "sat": 5, "sun": 6},
}
# (week offset, first day, last day) with days 0=Monday; offset None: this week if any
# of those days is still to come, else next week.
WEEK_WORDS = {
    "deze week": (0, 0, 6), "this week": (0, 0, 6), "cette semaine": (0, 0, 6),
    "volgende week": (1, 0, 6), "komende week": (1, 0, 6), "next week": (1, 0, 6),
    "semaine prochaine": (1, 0, 6), "prochaine semaine": (1, 0, 6),
    "na het weekend": (1, 0, 6), "after the weekend": (1, 0, 6), "apres le weekend": (1, 0, 6),
    "week": (None, 0, 6), "semaine": (None, 0, 6),
    "weekend": (None, 5, 6), "week end": (None, 5, 6), "volgend weekend": (1, 5, 6),
    "next weekend": (1, 5, 6), "weekend prochain": (1, 5, 6),
}
# "de week erna", "la semaine d'après", "the week after": the week after the one of what
# was offered or booked (the reader's anchor), else next week. The value: weeks later.
WEEK_AFTER_WORDS = {
    "week erna": 1, "week daarna": 1, "week nadien": 1, "week later": 1, "een week later": 1,
    "semaine d apres": 1, "semaine apres": 1, "semaine suivante": 1,
    "semaine plus tard": 1, "une semaine plus tard": 1, "week after": 1,
    "a week later": 1, "following week": 1, "week after that": 1,
}
MONTH_OFFSETS = {"deze maand": 0, "this month": 0, "ce mois": 0, "ce mois ci": 0,
                 "volgende maand": 1, "next month": 1, "mois prochain": 1}
# Which part of a week or month: "begin volgende week", "eind december".
RANGE_PARTS = {
    "begin": "begin", "begin van": "begin", "early": "begin", "beginning of": "begin",
    "start of": "begin", "debut": "begin", "debut de": "begin", "midden": "middle",
    "midden van": "middle", "middle of": "middle", "mid": "middle", "milieu de": "middle",
    "eind": "end", "einde": "end", "eind van": "end", "einde van": "end", "end of": "end",
    "later": "end", "late": "end", "fin": "end", "fin de": "end",
}
PART_WORDS = {
    "voormiddag": MORNING, "ochtend": MORNING, "s morgens": MORNING, "smorgens": MORNING,
    "morgens": MORNING, "s ochtends": MORNING, "ochtends": MORNING, "voormiddags": MORNING,
    "s voormiddags": MORNING, "voor de middag": MORNING, "matin": MORNING,
    "matinee": MORNING, "avant midi": MORNING, "morning": MORNING, "am": MORNING,
    "middag": NOON, "noen": NOON, "over de middag": NOON, "rond de middag": NOON,
    "midi": NOON, "noon": NOON, "midday": NOON, "lunchtime": NOON,
    "namiddag": AFTERNOON, "namiddags": AFTERNOON, "s namiddags": AFTERNOON,
    "s middags": AFTERNOON, "smiddags": AFTERNOON, "middags": AFTERNOON,
    "na de middag": AFTERNOON, "na de noen": AFTERNOON, "apres midi": AFTERNOON,
    "apresmidi": AFTERNOON, "aprem": AFTERNOON, "afternoon": AFTERNOON, "pm": AFTERNOON,
    "avond": EVENING, "avonds": EVENING, "s avonds": EVENING, "savonds": EVENING,
    "soir": EVENING, "soiree": EVENING, "evening": EVENING,
}
TODAY_PART_WORDS = {
    "vanmorgen": MORNING, "vanochtend": MORNING, "vanvoormiddag": MORNING,
    "deze voormiddag": MORNING, "deze morgen": MORNING, "ce matin": MORNING,
    "this morning": MORNING, "vanmiddag": AFTERNOON, "vannamiddag": AFTERNOON,
    "deze namiddag": AFTERNOON, "cet apres midi": AFTERNOON, "cette apres midi": AFTERNOON,
    "this afternoon": AFTERNOON, "vanavond": EVENING, "deze avond": EVENING,
    "ce soir": EVENING, "tonight": EVENING, "this evening": EVENING,
}
# What a clock time after these words means: the start, the end or the time itself.
CLOCK_ROLES = {
    "om": "exact", "rond": "exact", "rondom": "exact", "omstreeks": "exact",
    "tegen": "exact", "ongeveer": "exact", "a": "exact", "vers": "exact", "at": "exact",
    "around": "exact", "about": "exact",
    "na": "start", "vanaf": "start", "ten vroegste": "start", "niet voor": "start",
    "pas na": "start", "later dan": "start", "apres": "start", "a partir de": "start",
    "pas avant": "start", "after": "start", "not before": "start", "later than": "start",
    "voor": "end", "tot": "end", "ten laatste": "end", "uiterlijk": "end",
    "niet na": "end", "avant": "end", "jusqu a": "end", "pas apres": "end",
    "before": "end", "until": "end", "till": "end", "not after": "end",
    "tussen": "range", "van": "range", "entre": "range", "de": "range",
    "between": "range", "from": "range",
}
# After a clock time: "14u of later" is a start, "11u ten laatste" an end.
CLOCK_SUFFIXES = {
    "of later": "start", "or later": "start", "ou plus tard": "start", "of na": "start",
    "at the earliest": "start", "au plus tot": "start", "op zijn vroegst": "start",
    "of vroeger": "end", "of eerder": "end", "or earlier": "end", "ou plus tot": "end",
    "ten laatste": "end", "uiterlijk": "end", "au plus tard": "end", "at the latest": "end",
}
ASAP_WORDS = (
    "zo snel mogelijk", "zo vlug mogelijk", "zo rap mogelijk", "zo vroeg mogelijk",
    "zo spoedig mogelijk", "zsm", "dringend", "meteen", "onmiddellijk", "eerst mogelijke",
    "eerste vrije", "eerstvolgende", "des que possible", "le plus tot possible",
    "au plus vite", "le plus vite possible", "rapidement", "urgent", "tout de suite",
    "premier disponible", "asap", "as soon as possible", "as soon as you can", "soonest",
    "earliest", "right away", "first available",
    # No preference at all: then the earliest slot is as good as any, and soonest helps.
    "maakt niet uit", "om het even", "eender wanneer", "wanneer je wil", "wanneer u wil",
    "geen voorkeur", "altijd", "peu importe", "n importe quand", "quand vous voulez",
    "quand tu veux", "pas de preference", "any time", "anytime", "whenever",
    "doesnt matter", "does not matter", "no preference", "any day",
)
# "niet op maandag": the next day word is excluded. French "pas" only in French: in
# Dutch "pas dinsdag" means "not before Tuesday", which we read as Tuesday.
NEGATIONS = {"niet", "geen", "behalve", "not", "except", "sauf", "excepte"}
GREETINGS = ("goede morgen", "goeiemorgen", "goedemorgen", "goede middag", "goedemiddag",
             "goedenavond", "goede avond", "bonjour", "bonsoir", "good morning",
             "good afternoon", "good evening")
# Between two clock times of a range: "tussen 10 en 12", "from 10 to 12", "de 10h a 12h".
CONNECTORS = {"en", "and", "et", "tot", "to", "until", "till", "a", "-"}
# Words that never change the meaning of a date; a weekday abbreviation standing among
# only these and date words is read ("liefst di", "op vr").
FILLER_WORDS = {
    "om", "op", "de", "het", "den", "der", "in", "te", "van", "graag", "liefst", "liefste",
    "best", "bij", "voorkeur", "aub", "ok", "oke", "ja", "of", "ofwel", "en", "dan",
    "ook", "volgende", "komende", "aanstaande", "deze", "dit", "le", "la", "les", "l",
    "du", "des", "un", "une", "au", "ou", "plutot", "svp", "prochain", "prochaine", "ce",
    "cet", "cette", "dans", "the", "on", "at", "or", "and", "next", "this", "coming",
    "please", "preferably", "maybe", "misschien", "peut", "etre", "uur", "heure",
}
# Typos of long words are read at one edit ("dinsdg", "vrijdga", "namidag").
FUZZY_WORDS = tuple(word for word in (*WEEKDAYS, "namiddag", "voormiddag", "overmorgen",
                                      "tomorrow", "afternoon", "morning", "evening")
                    if len(word) >= 7)


# --- The phrase table the scan looks words up in ------------------------------------------

def _phrase_table(language: str) -> dict[tuple[str, ...], tuple[str, Any]]:
    """Every multi-word phrase of the tables above, keyed by its words, with its meaning."""
    tables: list[tuple[str, dict[str, Any]]] = [
        ("day", DAY_WORDS), ("weekday", WEEKDAYS), ("week_after", WEEK_AFTER_WORDS),
        ("week", WEEK_WORDS),
        ("month_offset", MONTH_OFFSETS), ("range_part", RANGE_PARTS), ("part", PART_WORDS),
        ("today_part", TODAY_PART_WORDS), ("role", CLOCK_ROLES),
        ("month", {word: month for word, month in MONTHS.items()
                   if len(word) > 3 and word != "may"}),
        ("asap", dict.fromkeys(ASAP_WORDS, True)), ("greeting", dict.fromkeys(GREETINGS)),
        ("negation", dict.fromkeys(NEGATIONS | ({"pas"} if language == "fr" else set()))),
        ("weak_weekday", WEEKDAY_ABBREVIATIONS.get(language, WEEKDAY_ABBREVIATIONS["nl"])),
    ]
    phrases: dict[tuple[str, ...], tuple[str, Any]] = {}
    for kind, table in tables:
        for phrase, meaning in table.items():
            phrases.setdefault(tuple(phrase.split()), (kind, meaning))
    return phrases


# Per language (weekday abbreviations differ): words -> (kind, meaning).
WHEN_PHRASES = {language: _phrase_table(language) for language in LANGUAGES}
CLOCK_SUFFIX_PHRASES = {tuple(phrase.split()): role for phrase, role in CLOCK_SUFFIXES.items()}
LONGEST_PHRASE = max(len(phrase) for table in WHEN_PHRASES.values() for phrase in table)


def _one_edit(word: str, target: str) -> bool:
    """True when word is target with one letter changed, added, dropped or swapped."""
    if abs(len(word) - len(target)) > 1 or word == target:
        return False
    if len(word) == len(target):
        diff = [i for i, (a, b) in enumerate(zip(word, target, strict=True)) if a != b]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and word[diff[0]] == target[diff[1]]
                                  and word[diff[1]] == target[diff[0]])
    short, long_ = sorted((word, target), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def near(word: str) -> str | None:
    """The one long date word this word is a typo of ("dinsdg" -> "dinsdag"), if any."""
    if len(word) < 6:
        return None
    matches = [target for target in FUZZY_WORDS if _one_edit(word, target)]
    return matches[0] if len(matches) == 1 else None


# --- Folding -----------------------------------------------------------------------------

_DROPPED = {"Mn", "Me", "Sk", "Cf"}  # accents, keycap marks, skin tones, joiners
_SPACES = {"Cc", "Zs", "Zl", "Zp"}
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201b": "'"})


def fold(text: str) -> str:
    """Lower case, no accents, one space between words; emoji survive, control chars don't.

    Compatibility decomposition also turns "2️⃣" into "2", "①" into "1" and full-width
    digits into ASCII, which is what a numbered choice wants.
    """
    kept = []
    for char in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(char)
        if category in _DROPPED:
            continue
        kept.append(" " if category in _SPACES else char)
    return " ".join("".join(kept).casefold().translate(_QUOTES).split())


# --- Clock tokens ------------------------------------------------------------------------

def clock_token(hour: int, minute: int, twelve_hour: bool) -> str:
    """`@HHMM`, with an `a` when the hour is a 12-hour reading still to resolve."""
    if twelve_hour:
        return f" @{hour % 12:02d}{minute:02d}a "
    return f" @{hour:02d}{minute:02d} "


CLOCK_TOKEN = re.compile(r"@(\d\d)(\d\d)(a?)")


def parse_clock_token(token: str) -> tuple[int, int, bool] | None:
    """(hour, minute, twelve_hour) from a token made by `clock_token`."""
    match = CLOCK_TOKEN.fullmatch(token)
    if match is None:
        return None
    return int(match[1]), int(match[2]), match[3] == "a"


def resolve_clock(hour: int, minute: int, twelve_hour: bool,
                  window: tuple[time, time] | None) -> time:
    """The 24-hour time meant: of the two 12-hour readings, the one nearest the window.

    The window is the part of day also said ("'s avonds om 8" is 20:00, "'s morgens om 7"
    is 07:00), else DAYTIME; on a tie the earlier reading wins ("om 8" is 08:00).
    """
    if not twelve_hour:
        return time(hour % 24, minute)
    low, high = window or DAYTIME

    def distance(candidate: time) -> int:
        at = candidate.hour * 60 + candidate.minute
        start, end = low.hour * 60 + low.minute, high.hour * 60 + high.minute
        return max(start - at, at - end, 0)

    readings = [time(hour % 12, minute), time(hour % 12 + 12, minute)]
    return min(readings, key=distance)


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation that tries longer words first ("overmorgen" before "morgen")."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def _hour_of(word: str, language: str | None = None) -> int | None:
    if word.isdigit():
        return int(word)
    tables = [HOUR_WORDS[language]] if language else list(HOUR_WORDS.values())
    for table in tables:
        if word in table:
            return table[word]
    return None


_NL_HOUR = "(?:" + _alternation(HOUR_WORDS["nl"]) + r"|\d{1,2})"
_FR_HOUR = "(?:" + _alternation(HOUR_WORDS["fr"]) + r"|\d{1,2})"
_EN_HOUR = "(?:" + _alternation(HOUR_WORDS["en"]) + r"|\d{1,2})"
_NOT_A_DATE = r"(?![/.\-]?\d)(?!\s*(?:" + _alternation((*MONTHS, *DAY_UNITS, *WEEK_UNITS)) + r")\b)"


def _twelve(hour: int, minute: int) -> str:
    return clock_token(hour, minute, True)


def _literal_or_twelve(hour_text: str, minute: int) -> str | None:
    """Digits as written: "08" and "14" are 24-hour, "8" and "2" are 12-hour readings."""
    hour = int(hour_text)
    if hour > 24 or minute > 59:
        return None
    twelve = 1 <= hour <= 11 and not hour_text.startswith("0")
    return clock_token(hour % 24, minute, twelve)


def _units(match: re.Match[str]) -> str:
    token = _literal_or_twelve(match["h"], int(match["m"] or 0))
    return match[0] if token is None else token


def _ampm(match: re.Match[str]) -> str:
    hour, minute = int(match["h"]), int(match["m"] or 0)
    if not 1 <= hour <= 12 or minute > 59:
        return match[0]
    return clock_token(hour % 12 + (12 if match["p"] == "pm" else 0), minute, False)


def _dotted(match: re.Match[str]) -> str:
    """"14.30" is a time, "3.12" a date (3 December) unless a clock word says otherwise."""
    left, right = int(match["h"]), int(match["m"])
    could_be_date = 1 <= left <= 31 and 1 <= right <= 12
    if could_be_date and not match["prep"]:
        return f"{match['prep'] or ''}{left}/{right}"
    token = _literal_or_twelve(match["h"], right)
    return match[0] if token is None else f"{match['prep'] or ''}{token}"


def _dutch(match: re.Match[str]) -> str:
    """"half drie" 2:30, "kwart over tien" 10:15, "vijf voor half drie" 2:25."""
    hour = _hour_of(match["hour"], "nl")
    if hour is None or not 1 <= hour <= 12:
        return match[0]
    minutes = hour * 60 - (30 if match["half"] else 0)
    if match["min"]:
        offset = MINUTE_WORDS["nl"][match["min"]]
        minutes += offset if match["dir"] == "over" else -offset
    return _twelve(minutes // 60 % 24, minutes % 60)


def _french(match: re.Match[str]) -> str:
    """"dix heures", "deux heures et demie", "trois heures moins le quart"."""
    hour = _hour_of(match["hour"], "fr" if not match["hour"].isdigit() else None)
    if hour is None or hour > 23:
        return match[0]
    minutes = hour * 60
    tail = match["tail"] or ""
    if "quart" in tail:
        minutes += -15 if "moins" in tail else 15
    elif "demi" in tail:
        minutes += 30
    elif match["less"]:
        minutes -= MINUTE_WORDS["fr"][match["less"]]
    if match["hour"].isdigit() and hour > 12:
        return clock_token(minutes // 60, minutes % 60, False)
    return _twelve(minutes // 60 % 24, minutes % 60)


def _english(match: re.Match[str]) -> str:
    """"half past two", "quarter to eleven", "ten past nine", British "half two"."""
    hour = _hour_of(match["hour"], "en" if not match["hour"].isdigit() else None)
    if hour is None or not 1 <= hour <= 12:
        return match[0]
    offset = MINUTE_WORDS["en"][match["min"]]
    minutes = hour * 60 + (-offset if match["dir"] == "to" else offset)
    return _twelve(minutes // 60 % 24, minutes % 60)


def _word_hour(match: re.Match[str]) -> str:
    hour = _hour_of(match["hour"])
    return match[0] if hour is None else _twelve(hour, 0)


def _count(match: re.Match[str]) -> str:
    count = int(match["n"]) if match["n"].isdigit() else COUNT_WORDS[match["n"]]
    kind = "d" if match["unit"] in DAY_UNITS else "w"
    return f" +{kind}{count} " if 0 < count <= 60 else match[0]


def _bare(match: re.Match[str]) -> str:
    token = _literal_or_twelve(match["h"], 0)
    return match[0] if token is None else f"{match['prep']}{token}"


_COUNT_WORD = "(?:" + _alternation(COUNT_WORDS) + r"|\d{1,2})"
_PREP = "(?:" + _alternation(CLOCK_PREPOSITIONS) + ")"
_CONNECTOR = "(?:" + _alternation(CONNECTORS) + ")"
_UNITS = "(?:" + _alternation(DAY_UNITS + WEEK_UNITS) + ")"

# (pattern, replacement) in order: each later pattern only sees what earlier ones left.
REWRITES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    # French elision and English contraction: "l'après-midi", "jusqu'à", "o'clock", "'s avonds".
    (re.compile(r"\b([ldjnmtsc]|qu|jusqu|lorsqu|puisqu)'"), r"\1 "),
    (re.compile(r"'"), ""),
    (re.compile(r"\b[a-z](?:\.[a-z])+\.?(?![a-z0-9])"), lambda m: m[0].replace(".", "")),
    (re.compile(r"(?<=[a-z])-(?=[a-z])"), " "),
    (re.compile(r"\b(" + _alternation(GLUED_DAYS) + ")(" + _alternation(GLUED_PARTS) + r")\b"),
     r"\1 \2"),
    # "14-16u" is a range of hours, not the 14th of the 16th month.
    (re.compile(r"\b(\d{1,2})\s*-\s*(\d{1,2})\s*(u|uur|h)\b"), r"tussen \1\3 en \2\3"),
    (re.compile(r"\b(?:over|in|dans|na|after|apres) (?P<n>" + _COUNT_WORD + ") (?P<unit>"
                + _UNITS + r")\b"), _count),
    (re.compile(r"\b(?P<h>\d{1,2})(?:[:.h](?P<m>\d\d))?\s*(?P<p>am|pm)\b"), _ampm),
    (re.compile(r"\b(?P<hour>" + _FR_HOUR + r") heures?(?: (?P<tail>et quart|et demie?"
                r"|moins (?:le )?quart)| moins (?P<less>cinq|dix|vingt))?\b"), _french),
    (re.compile(r"\b(?P<min>" + _alternation(MINUTE_WORDS["en"]) + r") (?P<dir>past|to) "
                r"(?P<hour>" + _EN_HOUR + r")\b"), _english),
    (re.compile(r"\b(?:(?P<min>" + _alternation(MINUTE_WORDS["nl"]) + r") (?P<dir>over|voor) )?"
                r"(?P<half>half )?(?P<hour>" + _NL_HOUR + r")\b(?: uur)?"),
     lambda m: _dutch(m) if (m["half"] or m["min"]) else m[0]),
    (re.compile(r"\bhalf (?P<hour>" + _alternation(HOUR_WORDS["en"]) + r")\b"),
     lambda m: _twelve(HOUR_WORDS["en"][m["hour"]], 30)),
    (re.compile(r"\b(?P<hour>" + _alternation({**HOUR_WORDS["nl"], **HOUR_WORDS["en"]})
                + r") (?:uur|oclock)\b"), _word_hour),
    (re.compile(r"\b(?P<h>\d{1,2})\s*(?:u|uur|h|hr|hrs|heures?|oclock)(?:\s*(?P<m>\d\d))?\b"),
     _units),
    (re.compile(r"\b(?P<h>\d{1,2}):(?P<m>\d\d)\b"), _units),
    (re.compile(r"(?P<prep>\b" + _PREP + r" )?(?<![\d.])(?P<h>\d{1,2})\.(?P<m>\d\d)"
                r"(?![\d.]?\d)"), _dotted),
    (re.compile(r"(?P<prep>\b" + _PREP + r" )(?P<h>\d{1,2})\b" + _NOT_A_DATE), _bare),
    # The second end of a range: "tussen @1000a en 12", "from @1000a to 12".
    (re.compile(r"(?P<prep>@\d{4}a? +" + _CONNECTOR + r" +)(?P<h>\d{1,2})\b" + _NOT_A_DATE),
     _bare),
]

_EDGE_PUNCTUATION = ".,;:!?()[]{}\"«»…*_~<>|\\/"


def words(text: str) -> list[str]:
    """The folded text as a list of words, clock times already turned into `@` tokens."""
    prepared = fold(text)
    for pattern, replacement in REWRITES:
        prepared = pattern.sub(replacement, prepared)
    prepared = re.sub(r"[,;!?()\[\]{}\"«»…]", " ", prepared)
    tokens = (token.strip(_EDGE_PUNCTUATION) for token in prepared.split())
    return [token for token in tokens if token]
