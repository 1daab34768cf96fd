"""Read when a resident wants the coach: days, parts of the day, clock times; rank slots.

"dinsdag namiddag", "mardi 8", "next week after 2pm", "zo snel mogelijk": `read_when`
turns such a message into a `When` (local dates and a window of start times), and
`rank_slots` orders free slots by how well they meet it. Clock times ("14u30", "half
drie", "2pm") are read by `conversations.dutch_time` before the scan here.

Pure: no database, no I/O, no clock; whatever needs the time takes `now` (aware) and the
resident's `tz`.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from conversations.dutch_time import (
    CLOCK_SUFFIX_PHRASES,
    CONNECTORS,
    FILLER_WORDS,
    LANGUAGES,
    LONGEST_PHRASE,
    MONTHS,
    MORNING,
    NEGATIONS,
    NOON,
    WHEN_PHRASES,
    fold,
    near,
    parse_clock_token,
    resolve_clock,
    words,
)

__all__ = ["When", "rank_slots", "read_when", "read_when_not", "warm_up"]

@dataclass(frozen=True)
class When:
    """What a resident asked for, in local time.

    days: candidate dates, ascending; None means any day.
    start, end: the wanted window of visit start times, half-open: start <= t < end
        ("voormiddag" is 08:00-12:00, "voor 11u" ends at 11:00, "na 14u" starts at 14:00).
    exact: a clock time asked for ("om 10u"); rank_slots offers the nearest.
    asap: "zo snel mogelijk", and also "maakt niet uit": the earliest slot is best.
    """

    days: tuple[date, ...] | None = None
    start: time | None = None
    end: time | None = None
    exact: time | None = None
    asap: bool = False


MAX_WHEN_CHARS = 300  # a longer message is not an answer to "when?"
EXCLUSION_HORIZON = 14  # days offered when the resident only excludes a day ("niet maandag")


@dataclass
class _Reading:
    """What the scan of one message found; `read_when` turns it into a When."""

    today: date
    anchor: date | None = None   # the day of what was offered or booked
    dates: list[date] = field(default_factory=list)
    weekdays: list[int] = field(default_factory=list)
    ranges: list[list[date]] = field(default_factory=list)
    not_dates: set[date] = field(default_factory=set)
    not_weekdays: set[int] = field(default_factory=set)
    parts: list[tuple[time, time]] = field(default_factory=list)
    clocks: list[tuple[str, tuple[int, int, bool]]] = field(default_factory=list)
    asap: bool = False
    last: tuple[str, Any] | None = None  # the last thing added, for a trailing "niet"

    def add(self, kind: str, value: Any, negate: bool = False) -> None:
        """Add a day, weekday, range of days or part of the day, or exclude it."""
        if not negate:
            self._positive(kind).append(value)
            self.last = (kind, value)
        elif kind == "day":
            self.not_dates.add(value)
        elif kind == "weekday":
            self.not_weekdays.add(value)
        elif kind == "range":
            self.not_dates.update(value)
        else:
            # "niet 's morgens" is from noon on; "niet 's avonds" ends before 18:00.
            low, high = value
            role, bound = ("start", high) if low <= MORNING[0] else ("end", low)
            self.clocks.append((role, (bound.hour, bound.minute, False)))

    def _positive(self, kind: str) -> list[Any]:
        lists: dict[str, list[Any]] = {"day": self.dates, "weekday": self.weekdays,
                                       "range": self.ranges, "part": self.parts}
        return lists[kind]

    def negate_last(self) -> None:
        """"morgen niet", "volgende week niet": the last thing said, excluded after all."""
        if self.last is not None:
            kind, value = self.last
            self._positive(kind).remove(value)
            self.add(kind, value, negate=True)
            self.last = None


_NUMERIC_DATE = re.compile(r"(\d{1,2})[/\-.](\d{1,2})(?:[/\-.](\d{4}|\d{2}))?")
_DAY_NUMBER = re.compile(r"(\d{1,2})(?:e|de|ste|st|nd|rd|th|er|eme|ieme)?")
_ORDINAL = re.compile(r"(\d{1,2})(?:e|de|ste|st|nd|rd|th|er|eme|ieme)")
_YEAR = re.compile(r"20\d\d")
_COUNT = re.compile(r"\+([dw])(\d+)")
_DATE_KINDS = {"day", "weekday", "date", "week", "month", "clock", "part", "today_part",
               "asap", "count"}


def _next_weekday(today: date, weekday: int) -> date:
    """The first such weekday strictly after today: "dinsdag" said on a Tuesday is next week."""
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _week(today: date, offset: int | None, first: int, last: int) -> list[date]:
    monday = today - timedelta(days=today.weekday())
    if offset is None:
        offset = 0 if monday + timedelta(days=last) >= today else 1
    start = monday + timedelta(weeks=offset)
    return [start + timedelta(days=i) for i in range(first, last + 1)
            if start + timedelta(days=i) >= today]


def _month(today: date, year: int, month: int, part: str | None) -> list[date]:
    first = date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    low, high = {"begin": (1, 10), "middle": (11, 20), "end": (21, 31)}.get(part or "", (1, 31))
    days = [first + timedelta(days=i) for i in range((following - first).days)]
    return [day for day in days if low <= day.day <= high and day >= today]


def _dated(today: date, day: int, month: int, year: int | None) -> date | None:
    """A day and month with the year said, else the first such date from today on."""
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    for candidate_year in range(today.year, today.year + 5):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _dateparser_date(span: str, language: str, base: datetime) -> date | None:
    """dateparser's reading of a date part ("3 december", "3/12", "le 3 decembre").

    Only ever a date part: clock times, weekdays and parts of the day are read before, so
    dateparser's known slips ("3 december om 14u" in 2114, "overmorgen om 10u" as +10 h)
    cannot happen. The resident's language is tried first, then the others, each with
    an explicit language list: auto-detection costs up to 2 s on a miss.
    """
    import dateparser  # deferred: importing this module stays cheap; warm_up() pays once

    settings = {"PREFER_DATES_FROM": "future", "DATE_ORDER": "DMY", "RELATIVE_BASE": base,
                "RETURN_AS_TIMEZONE_AWARE": False}
    for candidate in (language, *(other for other in LANGUAGES if other != language)):
        try:
            parsed = dateparser.parse(span, languages=[candidate], settings=settings)
        except Exception:  # noqa: BLE001 - a parser bug must not cost the resident an answer
            parsed = None
        if isinstance(parsed, datetime):
            return parsed.date()
    return None


def _date_span(tokens: list[str], i: int) -> tuple[int, int, str | None, str, int] | None:
    """A date written at tokens[i]: (day, month, year as written, date part, tokens used).

    "3/12", "03-12-2026", "3 dec", "3de december", "3rd of December", "December 3 2027".
    """
    token, rest = tokens[i], tokens[i + 1:i + 4]
    if numeric := _NUMERIC_DATE.fullmatch(token):
        day, month, year = int(numeric[1]), int(numeric[2]), numeric[3]
        return day, month, year, f"{day}/{month}" + (f"/{year}" if year else ""), 1
    if number := _DAY_NUMBER.fullmatch(token):
        skipped = int(bool(rest) and rest[0] in {"of", "de", "van"})
        if len(rest) <= skipped or rest[skipped] not in MONTHS:
            return None
        day, month_word, used = int(number[1]), rest[skipped], 2 + skipped
    elif (token in MONTHS and rest and (number := _DAY_NUMBER.fullmatch(rest[0]))
          and not (len(rest) > 1 and rest[1] in MONTHS)):  # "mar 8 dec": 8 goes with dec
        day, month_word, used = int(number[1]), token, 2
    else:
        return None
    year = tokens[i + used] if i + used < len(tokens) and _YEAR.fullmatch(tokens[i + used]) \
        else None
    span = f"{day} {month_word}" + (f" {year}" if year else "")
    return day, MONTHS[month_word], year, span, used + (year is not None)


def _explicit_date(tokens: list[str], i: int, reading: _Reading, language: str,
                   base: datetime) -> int:
    """Read a date written with digits or a month name at tokens[i]; tokens used, or 0."""
    found = _date_span(tokens, i)
    if found is None:
        return 0
    day, month, year, span, used = found
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return 0
    parsed = _dateparser_date(span, language, base)
    if parsed is not None and parsed.day == day:
        month = parsed.month  # dateparser knows more month spellings than our table
    full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
    date_read = _dated(reading.today, day, month, full_year)
    if date_read is None:
        return 0
    reading.add("day", date_read)
    return used


def _day_of_month(today: date, day: int) -> date | None:
    """"le 3", "de 15de": the next date, from today on, with that day of the month."""
    for months_ahead in range(3):
        month = (today.month - 1 + months_ahead) % 12 + 1
        year = today.year + (today.month - 1 + months_ahead) // 12
        found = _dated(today, day, month, year)
        if found is not None and found >= today:
            return found
    return None


def _scan(tokens: list[str], reading: _Reading, language: str, base: datetime) -> None:
    """One pass over the words, left to right, filling the reading.

    Pending state carries a word's meaning to the next one: a role ("na", "voor", "tussen")
    to the next clock time, a negation ("niet") to the next day, a range part ("begin",
    "eind") to the next week or month.
    """
    phrases = WHEN_PHRASES.get(language, WHEN_PHRASES["nl"])
    trailing_negation = len(tokens) > 1 and phrases.get((tokens[-1],), ("",))[0] == "negation"
    if trailing_negation:
        tokens = tokens[:-1]
    known: list[str | None] = [None] * len(tokens)  # the kind each token was read as
    weak: list[tuple[int, int]] = []
    role: str | None = None
    last_role: str | None = None
    negate, range_part, dates_read = False, None, 0
    i = 0
    while i < len(tokens):
        token, used, kind, meaning = tokens[i], 1, None, None
        previous = known[i - 1] if i else None
        clock = parse_clock_token(token)
        count = _COUNT.fullmatch(token)
        date_used = 0
        if clock is None and count is None and dates_read < 4:
            date_used = _explicit_date(tokens, i, reading, language, base)
        if clock is not None:
            kind, this_role = "clock", role or "exact"
            reading.clocks.append(("start" if this_role == "range" else this_role, clock))
            last_role, role = this_role, None
        elif count is not None:
            kind = "count"
            if count[1] == "d":
                reading.add("day", reading.today + timedelta(days=int(count[2])), negate)
            else:
                reading.add("range", _week(reading.today, int(count[2]), 0, 6), negate)
        elif date_used:
            kind, used, dates_read = "date", date_used, dates_read + 1
            if negate:
                reading.negate_last()
        elif previous == "clock" and (suffix := _longest(tokens, i, CLOCK_SUFFIX_PHRASES)):
            kind, (used, suffix_role) = "role", suffix
            reading.clocks[-1] = (suffix_role, reading.clocks[-1][1])
        elif token in CONNECTORS and last_role == "range" and previous == "clock":
            kind, role = "role", "end"
        elif token in {"morgen", "vroeg"} and previous in {"day", "weekday", "date"}:
            kind = "part"
            reading.add("part", MORNING)
        elif found := _longest(tokens, i, phrases) or _fuzzy(token, phrases):
            used, (kind, meaning) = found
            if kind == "part" and meaning == NOON and role is not None:
                kind = "clock"
                reading.clocks.append(("start" if role == "range" else role, (12, 0, False)))
                last_role, role = role, None
            elif kind == "role":
                role = role or meaning
            elif kind == "negation":
                negate = True
            elif kind == "range_part":
                range_part = meaning
            else:
                _take(kind, meaning, i, reading, negate, range_part, weak)
                range_part = None if kind in {"week", "month", "month_offset"} else range_part
        elif (ordinal := _ORDINAL.fullmatch(token)) or (
                token.isdigit() and i and tokens[i - 1] in {"le", "the"}):
            kind = "date"
            day = _day_of_month(reading.today, int(ordinal[1] if ordinal else token))
            if day is not None:
                reading.add("day", day, negate)
        elif token in FILLER_WORDS or token in CONNECTORS:
            kind = "filler"
        for j in range(i, i + used):
            known[j] = kind
        if kind not in {"negation", "filler", "greeting", "range_part", "role"}:
            negate = False
        if kind not in {"role", "filler"}:
            role = None
        i += used
    _accept_weak(known, weak, reading)
    if trailing_negation:
        reading.negate_last()


def _fuzzy(token: str, phrases: dict[tuple[str, ...], tuple[str, Any]]
           ) -> tuple[int, tuple[str, Any]] | None:
    typo_of = near(token)
    return None if typo_of is None else (1, phrases[(typo_of,)])


def _longest(tokens: list[str], i: int,
             table: dict[tuple[str, ...], Any]) -> tuple[int, Any] | None:
    for size in range(min(LONGEST_PHRASE, len(tokens) - i), 0, -1):
        meaning = table.get(tuple(tokens[i:i + size]))
        if meaning is not None:
            return size, meaning
    return None


def _take(kind: str, meaning: Any, i: int, reading: _Reading, negate: bool,
          range_part: str | None, weak: list[tuple[int, int]]) -> None:
    """Add one recognised phrase to the reading."""
    today = reading.today
    if kind == "day":
        reading.add("day", today + timedelta(days=meaning), negate)
    elif kind == "weekday":
        reading.add("weekday", meaning, negate)
    elif kind == "weak_weekday":
        weak.append((i, meaning))
    elif kind == "week_after":   # the week after the anchor's (offered or booked) week
        anchor = reading.anchor or today
        days = _week(anchor, meaning, 0, 6)
        reading.add("range", [day for day in days if day > today], negate)
    elif kind == "week":
        offset, first, last = meaning
        if range_part:
            first, last = {"begin": (0, 2), "middle": (1, 3), "end": (3, 6)}[range_part]
        if offset is not None or range_part or first == 5:  # a bare "week" says nothing
            reading.add("range", _week(today, offset, first, last), negate)
    elif kind == "month":
        year = today.year + (meaning < today.month)
        reading.add("range", _month(today, year, meaning, range_part), negate)
    elif kind == "month_offset":
        reading.add("range", _month(today, today.year, today.month + meaning, range_part),
                    negate)
    elif kind == "part":
        reading.add("part", meaning, negate)
    elif kind == "today_part":
        reading.add("day", today)
        reading.add("part", meaning)
    elif kind == "asap":
        reading.asap = True


def _accept_weak(known: list[str | None], weak: list[tuple[int, int]],
                 reading: _Reading) -> None:
    """Keep "di", "ma", "sun" only beside another date or time, or among known words."""
    everything_known = all(kind is not None for kind in known)
    for index, weekday in weak:
        neighbours = [known[j] for j in (index - 1, index + 1) if 0 <= j < len(known)]
        if everything_known or any(kind in _DATE_KINDS for kind in neighbours):
            reading.add("weekday", weekday)


def _days(reading: _Reading) -> tuple[date, ...] | None:
    """The candidate days: explicit dates, weekdays, ranges, minus excluded days.

    A weekday and a date that disagree ("dinsdag 3 december" when the 3rd is a Thursday)
    both stay candidates: the resident sees the dates offered and picks.
    """
    today, explicit = reading.today, set(reading.dates)
    nearest = {_next_weekday(today, weekday) for weekday in reading.weekdays}
    pool: set[date] | None
    if reading.ranges:
        in_ranges = set().union(*reading.ranges)
        if explicit:
            pool = explicit & in_ranges or explicit
        elif reading.weekdays:
            pool = {day for day in in_ranges if day.weekday() in reading.weekdays} or nearest
        else:
            pool = in_ranges
    elif explicit:
        said = {day.weekday() for day in explicit}
        pool = explicit | {day for day in nearest if day.weekday() not in said}
    else:
        pool = nearest or None
    if reading.not_dates or reading.not_weekdays:
        if pool is None:
            pool = {today + timedelta(days=n) for n in range(1, EXCLUSION_HORIZON + 1)}
        pool = {day for day in pool if day not in reading.not_dates
                and day.weekday() not in reading.not_weekdays}
    return tuple(sorted(pool)) if pool else None


def _times(reading: _Reading) -> tuple[time | None, time | None, time | None]:
    """(start, end, exact): parts of the day narrowed by clock times, which win a conflict."""
    window = None
    if reading.parts:
        window = (min(part[0] for part in reading.parts), max(part[1] for part in reading.parts))
    resolved: dict[str, list[time]] = {"start": [], "end": [], "exact": []}
    for role, (hour, minute, twelve_hour) in reading.clocks:
        resolved[role].append(resolve_clock(hour, minute, twelve_hour, window))
    starts, ends, exacts = resolved["start"], resolved["end"], resolved["exact"]
    start, end = window or (None, None)
    if starts:
        start = max(starts) if start is None else max(start, *starts)
    if ends:
        end = min(ends) if end is None else min(end, *ends)
    if start is not None and end is not None and start >= end:
        start, end = (max(starts) if starts else None), (min(ends) if ends else None)
    if start is not None and end is not None and start >= end:
        end = None  # "na 14u voor 11u": keep the first thing a visit needs, its start
    return start, end, exacts[0] if exacts else None


def read_when(text: str, now: datetime, tz: ZoneInfo, language: str,
              anchor: date | None = None) -> When | None:
    """What day and time the resident asks for, or None if the text names none.

    "dinsdag namiddag", "morgen om 10u", "volgende week", "3/12", "le 3 décembre à 14h",
    "next tuesday after 2pm", "zo snel mogelijk". Days are local dates relative to `now`
    in `tz`; a weekday is its next occurrence strictly after today, also after
    "volgende", "komende", "prochain" or "next" ("volgende dinsdag" said on a Monday is
    tomorrow); a date without a year is the first one from today on ("3/11" said on
    27 November is next year). Only the date part of a date written with digits or a
    month name goes to dateparser. Messages over MAX_WHEN_CHARS are not read.
    `anchor` is the day of what was offered or booked: "de week erna" is the week after
    its week.
    """
    if len(text) > MAX_WHEN_CHARS:
        return None
    local = now.astimezone(tz)
    reading = _Reading(today=local.date(), anchor=anchor)
    _scan(words(text), reading, language, local.replace(tzinfo=None))
    days = _days(reading)
    start, end, exact = _times(reading)
    if days is None and start is None and end is None and exact is None and not reading.asap:
        return None
    return When(days=days, start=start, end=end, exact=exact, asap=reading.asap)


# Words that make the days of their part of a message days the resident cannot: "ik kan
# niet komen woensdag", "je ne peux pas mercredi", "I can't come on Wednesday". French
# "pas" only beside "ne" or in French: Dutch "pas vrijdag" is "from Friday on".
REFUSALS = frozenset(NEGATIONS | {"nie", "ni", "nooit", "kannie", "never", "cannot", "cant",
                                  "t", "unable", "ne", "n", "jamais"})
# Where a message turns from what cannot to what can: "niet woensdag, liever donderdag".
_CLAUSES = re.compile(r"[,;!?]+|\.(?!\d)|\b(?:maar|liever|wel|mais|plutot|sinon|but|rather|"
                      r"instead|though)\b")
_REFUSAL = re.compile(r"(?<!\w)(?:" + "|".join(sorted(REFUSALS | {"pas"}, key=len, reverse=True))
                      + r")(?!\w)")


def _refuses(clause: str, language: str) -> bool:
    tokens = set("".join(c if c.isalnum() else " " for c in clause).split())
    french = language == "fr" or bool(tokens & {"ne", "n"})
    return bool(tokens & REFUSALS) or (french and "pas" in tokens)


def read_when_not(text: str, now: datetime, tz: ZoneInfo, language: str,
                  anchor: date | None = None) -> tuple[When | None, tuple[date, ...]]:
    """What the resident asks for, and the days they say they cannot come.

    Each part of the message ("ik kan niet woensdag" | "liever donderdag") is read on
    its own: a part with a "not" names days refused, the others what is wished. "ik kan
    woensdag niet om 13u" refuses the time, not the day: its day stays a wish. A message
    without any "not" is `read_when` alone; "maakt niet uit" is no refusal.
    """
    if len(text) > MAX_WHEN_CHARS:
        return None, ()
    folded = fold(text)
    clauses = [part for part in _CLAUSES.split(folded) if part and part.strip()]
    if not any(_refuses(part, language) for part in clauses):
        return read_when(text, now, tz, language, anchor), ()
    wished: list[str] = []
    refused: set[date] = set()
    for part in clauses:
        if not _refuses(part, language) or _says_any(part, now, tz, language):
            wished.append(part)
            continue
        said = read_when(_REFUSAL.sub(" ", part), now, tz, language, anchor)
        if said is None:
            continue
        if not said.days:   # "liever niet 's morgens": read_when reads that "not" itself
            if read_when(part, now, tz, language, anchor) != said:
                wished.append(part)
        elif said.exact is not None or said.start is not None or said.end is not None:
            wished.append(" ".join(f"{day.day}/{day.month}" for day in said.days))
        else:
            refused.update(said.days)
    when = read_when(" ".join(wished), now, tz, language, anchor) if wished else None
    if when is not None and when.days is not None and refused:
        days = tuple(day for day in when.days if day not in refused)
        when = replace(when, days=days) if days else None
    return when, tuple(sorted(refused))


def _says_any(part: str, now: datetime, tz: ZoneInfo, language: str) -> bool:
    """"maakt niet uit", "n'importe quand", "doesn't matter": a "not" that wishes."""
    said = read_when(part, now, tz, language)
    return said is not None and said.asap


def warm_up() -> None:
    """Import dateparser and load its three languages now, not on a resident's message."""
    base = datetime(2026, 1, 1)
    for language, sample in (("nl", "3 december"), ("fr", "3 décembre"), ("en", "December 3")):
        _dateparser_date(sample, language, base)


# --- Matching a When to free slots --------------------------------------------------------

K = TypeVar("K")
EXACT_TOLERANCE = 60  # minutes: "om 10u" is met by 10:30 before any other day is tried


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def rank_slots(when: When, slots: Sequence[tuple[K, datetime]], tz: ZoneInfo,
               limit: int) -> list[K]:
    """Up to `limit` slot keys, best first, for what the resident asked.

    Three tiers. First, slots on a requested day that fit the time asked: inside the
    start-end window, or within EXACT_TOLERANCE of the exact time, nearest first (a tie
    goes to the later slot: 09:45 asked, 10:30 beats 09:00). Then slots that fit the time
    on other days, the nearest day first; on a tie the later day, since a day before the
    one asked for may be too soon for the resident. Then everything else by how far
    it is from the nearest requested day and window. With `asap`, each tier is simply
    earliest first. Slots are (key, aware start); days and times are compared in `tz`.
    """
    if limit <= 0:
        return []
    days = sorted(set(when.days)) if when.days else None  # () is read as any day, like None
    low = _minutes(when.start) if when.start is not None else 0
    high = _minutes(when.end) if when.end is not None else 24 * 60
    target = _minutes(when.exact) if when.exact is not None else None
    ranked = []
    for index, (_, start) in enumerate(slots):
        local = start.astimezone(tz)
        minute = local.hour * 60 + local.minute
        if target is not None:
            off_time = abs(minute - target)
            fits_time = off_time <= EXACT_TOLERANCE
        else:
            off_time = max(low - minute, minute - high + 1, 0)
            fits_time = off_time == 0
        day_gap, before_asked = _day_gap(days, local.date())
        moment = start.timestamp()
        if day_gap == 0 and fits_time:
            key: tuple[float, ...] = (0, moment) if when.asap or target is None else (
                0, off_time, local.date().toordinal(), -minute)
        elif fits_time:
            key = (1, moment) if when.asap else (
                1, day_gap, before_asked, off_time, moment if target is None else -minute)
        else:
            key = (2, moment) if when.asap else (
                2, day_gap * 24 * 60 + off_time, before_asked, moment)
        ranked.append((*key, index))
    return [slots[int(row[-1])][0] for row in heapq.nsmallest(limit, ranked)]


def _day_gap(days: list[date] | None, day: date) -> tuple[int, int]:
    """(days to the nearest requested day, 1 if that day is after this one else 0)."""
    if days is None:
        return 0, 0
    at = bisect_left(days, day)
    after = (days[at] - day).days if at < len(days) else None
    before = (day - days[at - 1]).days if at > 0 else None
    if after == 0:
        return 0, 0
    if before is not None and (after is None or before <= after):
        return before, 0
    return after or 0, 1
