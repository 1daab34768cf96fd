"""Cutting a coach's weekly hours into visit slots: pure, no database.

A weekly spec reads like a staff member writes it: ``"mon,thu 09:00-12:00; tue 13:00-16:30"``.
Parts are separated by ``;``; each part is one or more days (English or Dutch names,
comma-separated, or a range such as ``mon-fri`` / ``ma-vr``) followed by one or more time
windows (``09:00-12:00``, several separated by commas or spaces).

Slots are cut in **local wall-clock time** (G8): a window of 09:00-12:00 gives a 09:00 slot
on every matching day, also across the daylight-saving switches (the UTC offset changes,
the local time does not). A slot fits wholly inside its window; the next one starts after
the visit plus the gap. Starts and ends are returned as aware UTC datetimes.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import holidays as holidays_lib

#: The longest period one `plan_slots` call accepts: a guard against a mistyped year.
MAX_DAYS = 400

_DAY_NAMES: dict[str, int] = {}
for _index, _names in enumerate((
    ("mon", "monday", "ma", "maandag"),
    ("tue", "tues", "tuesday", "di", "dinsdag"),
    ("wed", "wednesday", "wo", "woensdag"),
    ("thu", "thur", "thurs", "thursday", "do", "donderdag"),
    ("fri", "friday", "vr", "vrijdag"),
    ("sat", "saturday", "za", "zaterdag"),
    ("sun", "sunday", "zo", "zondag"),
)):
    for _name in _names:
        _DAY_NAMES[_name] = _index

DAY_ABBREVIATIONS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_TIME = r"(\d{1,2})[:.hu](\d{2})"
_WINDOW = re.compile(rf"{_TIME}\s*-\s*{_TIME}")
_HELP = ("write it like 'mon,thu 09:00-12:00; tue 13:00-16:30' "
         "(days: mon..sun or ma..zo, ranges such as mon-fri)")


class ScheduleError(ValueError):
    """A weekly spec or slot setting is wrong; the message names the bad part."""


@dataclass(frozen=True, order=True)
class Window:
    """One weekday's working hours, in local wall-clock time; weekday 0 is Monday."""

    weekday: int
    start: time
    end: time

    def __str__(self) -> str:
        return f"{DAY_ABBREVIATIONS[self.weekday]} {self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Span:
    """A slot to be: aware UTC start and end."""

    starts_at: datetime
    ends_at: datetime


@dataclass
class Plan:
    """What `plan_slots` cut, and the days it skipped because they are public holidays."""

    spans: list[Span] = field(default_factory=list)
    skipped: list[tuple[date, str]] = field(default_factory=list)


def _parse_day(token: str, part: str) -> list[int]:
    token = token.strip().lower().rstrip(".:")
    if "-" in token:
        first, _, last = token.partition("-")
        a, b = _parse_day(first, part), _parse_day(last, part)
        start, end = a[0], b[0]
        if end < start:
            raise ScheduleError(f"day range {token!r} in {part!r} runs backwards; "
                                f"write it from the earlier day, e.g. mon-fri")
        return list(range(start, end + 1))
    if token not in _DAY_NAMES:
        raise ScheduleError(f"unknown day {token!r} in {part!r}; {_HELP}")
    return [_DAY_NAMES[token]]


def _parse_time(hour: str, minute: str, text: str, part: str) -> time:
    try:
        return time(int(hour), int(minute))
    except ValueError:
        raise ScheduleError(f"{text!r} in {part!r} is not a time of day; {_HELP}") from None


def parse_weekly(spec: str) -> list[Window]:
    """Read a weekly spec into windows sorted by weekday and start; raise ScheduleError."""
    windows: set[Window] = set()
    parts = [p.strip() for p in spec.split(";")]
    if not any(parts):
        raise ScheduleError(f"the weekly hours are empty; {_HELP}")
    for part in parts:
        if not part:
            continue
        match = re.match(r"^([^\d]+?)\s*(\d.*)$", re.sub(r"\s*-\s*", "-", part))
        if match is None:
            raise ScheduleError(f"{part!r} needs days and hours; {_HELP}")
        days_text, hours_text = match.groups()
        days: list[int] = []
        for token in re.split(r"[,\s]+", days_text.strip()):
            if token:
                days.extend(_parse_day(token, part))
        if not days:
            raise ScheduleError(f"{part!r} names no day; {_HELP}")
        found: list[tuple[time, time]] = []
        for chunk in re.split(r"[,\s]+(?=\d)", hours_text.strip()):
            chunk = chunk.strip().strip(",")
            m = _WINDOW.fullmatch(chunk)
            if m is None:
                raise ScheduleError(f"hours {chunk!r} in {part!r} are not a time range "
                                    f"such as 09:00-12:00; {_HELP}")
            start = _parse_time(m.group(1), m.group(2), chunk, part)
            end = _parse_time(m.group(3), m.group(4), chunk, part)
            if end <= start:
                raise ScheduleError(f"hours {chunk!r} in {part!r} end before they start; "
                                    "a window cannot run past midnight")
            found.append((start, end))
        for day in days:
            for start, end in found:
                windows.add(Window(day, start, end))
    ordered = sorted(windows)
    for a, b in itertools.pairwise(ordered):
        if a.weekday == b.weekday and b.start < a.end:
            raise ScheduleError(f"hours overlap on {DAY_ABBREVIATIONS[a.weekday]}: "
                                f"{a} and {b}; give each hour once")
    return ordered


def _to_utc(day: date, at: time, tz: ZoneInfo) -> datetime | None:
    """The UTC moment of a local wall-clock time, or None if it does not exist that day.

    In the spring-forward hour (02:00-03:00 on the last Sunday of March in Brussels) local
    times do not exist; in the autumn hour that happens twice, the first one is taken.
    """
    local = datetime.combine(day, at, tzinfo=tz)
    moment = local.astimezone(timezone.utc)
    if moment.astimezone(tz).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return moment


def cut_window(day: date, window: Window, tz: ZoneInfo, visit: timedelta,
               gap: timedelta) -> list[Span]:
    """The slots of one window on one day: each wholly inside it, `gap` apart."""
    spans: list[Span] = []
    start = datetime.combine(day, window.start)
    limit = datetime.combine(day, window.end)
    while start + visit <= limit:
        moment = _to_utc(day, start.time(), tz)
        if moment is not None:
            spans.append(Span(moment, moment + visit))
        start += visit + gap
    return spans


def belgian_holidays(first: date, last: date, language: str = "en_US") -> dict[date, str]:
    """Belgian public holidays from `first` to `last` inclusive: date -> name."""
    found = holidays_lib.country_holidays(
        "BE", years=range(first.year, last.year + 1), language=language)
    return {day: str(name) for day, name in found.items() if first <= day <= last}


def plan_slots(windows: Iterable[Window], first: date, last: date, tz: ZoneInfo,
               visit: timedelta, gap: timedelta,
               skip: Mapping[date, str] | None = None) -> Plan:
    """Cut the weekly windows into slots for every day from `first` to `last` inclusive.

    Days in `skip` (public holidays: date -> name) get no slots; the plan lists those that
    would have had some.
    """
    if visit <= timedelta(0):
        raise ScheduleError("the visit length must be more than zero, e.g. 90m")
    if gap < timedelta(0):
        raise ScheduleError("the gap between visits cannot be negative")
    if last < first:
        raise ScheduleError(f"the period ends ({last}) before it starts ({first})")
    if (last - first).days + 1 > MAX_DAYS:
        raise ScheduleError(f"the period {first} to {last} is longer than {MAX_DAYS} days; "
                            "generate it in parts")
    by_day: dict[int, list[Window]] = {}
    for window in windows:
        by_day.setdefault(window.weekday, []).append(window)
    skip = skip or {}
    plan = Plan()
    day = first
    while day <= last:
        todays = by_day.get(day.weekday(), [])
        spans = [span for window in todays for span in cut_window(day, window, tz, visit, gap)]
        if spans and day in skip:
            plan.skipped.append((day, skip[day]))
        else:
            plan.spans.extend(spans)
        day += timedelta(days=1)
    return plan
