"""`digicheque agenda`: a day's home visits per coach, as a table, CSV or iCalendar.

What a coach prints in the morning: when (local time), where (street and postcode),
whom to call, what help is asked and the resident's own words about it, and each
visit's state: booked, confirmed (the resident answered a reminder that they will be
there), done or no-show. Cancelled visits are left out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import date, datetime, timezone
from itertools import groupby
from zoneinfo import ZoneInfo

import click

from bot.app import App, pass_app
from bot.commands.common import DAY, DAY_NAMES, address_of, day_bounds, get_coach, today, \
    topic_of
from bot.commands.visits import find_visits, status_name
from storage.models import Booking

FORMATS = ("table", "csv", "ics")
CSV_HEADER = ["date", "start", "end", "coach", "booking", "street", "postcode", "phone",
              "topic", "topic_text", "status"]
# What the agenda shows: every visit of the day but the cancelled ones.
SHOWN = ("booked", "done", "no-show")
STATUS_TEXT = {"booked": "booked", "confirmed": "confirmed by the resident", "done": "done",
               "no-show": "no-show"}


# ---------------------------------------------------------------------------- table

def agenda_table(bookings: Sequence[Booking], day: date, tz: ZoneInfo) -> str:
    """Plain text: one block per coach, one line per visit."""
    title = f"{DAY_NAMES[day.weekday()]} {day}"
    if not bookings:
        return f"No visits on {title}."
    lines = [f"Agenda for {title}"]
    for _, group in groupby(bookings, key=lambda b: b.slot.coach_id):
        visits = list(group)
        coach = visits[0].slot.coach
        lines.append("")
        lines.append(f"{coach.name}" + (f" ({coach.phone})" if coach.phone else "")
                     + f": {len(visits)} visit(s)")
        for b in visits:
            start, end = b.slot.starts_at.astimezone(tz), b.slot.ends_at.astimezone(tz)
            lines.append(f"  {start:%H:%M}-{end:%H:%M}  #{b.id}  {status_name(b):<9}  "
                         f"{address_of(b)}  tel {b.phone}  {topic_of(b)}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------- csv

def _cell(text: str | None) -> str:
    """Free text from residents, defused for spreadsheets (no formula injection)."""
    text = text or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def agenda_csv(bookings: Sequence[Booking], tz: ZoneInfo) -> str:
    """CSV with a header line, RFC 4180 (CRLF), local times."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for b in bookings:
        start, end = b.slot.starts_at.astimezone(tz), b.slot.ends_at.astimezone(tz)
        writer.writerow([f"{start:%Y-%m-%d}", f"{start:%H:%M}", f"{end:%H:%M}",
                         b.slot.coach.name, b.id, _cell(b.street), b.postcode, b.phone,
                         _cell(b.topic), _cell(b.topic_text), status_name(b)])
    return out.getvalue()


# ---------------------------------------------------------------------------- iCalendar

def ics_escape(text: str) -> str:
    """TEXT value escaping of RFC 5545 (3.3.11); other control characters are dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\n", "\\n")
    return re.sub(r"[\x00-\x1f\x7f]", "", text)


def ics_fold(line: str) -> list[str]:
    """Fold a content line into pieces of at most 75 octets (RFC 5545, 3.1)."""
    pieces: list[str] = []
    current, size, limit = "", 0, 75
    for char in line:
        octets = len(char.encode("utf-8"))
        if size + octets > limit:
            pieces.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += octets
    pieces.append(current)
    return pieces


def _utc(moment: datetime) -> str:
    return f"{moment.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}"


def agenda_ics(bookings: Sequence[Booking], now: datetime, city: str) -> str:
    """An iCalendar (VCALENDAR of VEVENTs), times in UTC, CRLF line endings."""
    domain = re.sub(r"[^a-z0-9]+", "-", city.lower()).strip("-") or "digicheque"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//digicheque//agenda//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{ics_escape(f'digicheque {city}')}"]
    for b in bookings:
        description = "\n".join([
            f"Phone: {b.phone}",
            f"Topic: {topic_of(b)}",
            f"Address: {address_of(b)}",
            f"Coach: {b.slot.coach.name}",
            f"Booking: #{b.id}",
            f"Status: {STATUS_TEXT[status_name(b)]}",
        ])
        lines += [
            "BEGIN:VEVENT",
            f"UID:booking-{b.id}@digicheque.{domain}",
            f"SEQUENCE:{max(b.version - 1, 0)}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(b.slot.starts_at)}",
            f"DTEND:{_utc(b.slot.ends_at)}",
            f"SUMMARY:{ics_escape(f'Home visit #{b.id}: {b.topic} ({b.phone})')}",
            f"LOCATION:{ics_escape(f'{address_of(b)} {city}')}",
            f"DESCRIPTION:{ics_escape(description)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(piece + "\r\n" for line in lines for piece in ics_fold(line))


# ---------------------------------------------------------------------------- command

@click.command()
@click.option("--date", "day", type=DAY, default=None,
              help="The day, e.g. 2026-12-01, today or tomorrow. Default: today.")
@click.option("--coach", "coach_name", metavar="NAME", help="Only this coach's visits.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table to read or print, csv for a spreadsheet, ics for a calendar app.")
@pass_app
def agenda(app: App, day: date | None, coach_name: str | None, fmt: str) -> None:
    """The day's home visits per coach: time, state, address, phone, topic and note.

    The state is booked, confirmed (by the resident, answering a reminder), done or
    no-show; cancelled visits are left out.

    Redirect csv or ics to a file: digicheque agenda --format ics > visits.ics
    """
    tz = app.settings.tz
    day = day or today(app)
    start, end = day_bounds(day, day, tz)
    with app.sessions()() as session:
        coach_id = get_coach(session, coach_name, active_only=False).id if coach_name else None
        bookings = find_visits(session, start, end, coach_id=coach_id, statuses=SHOWN,
                               by_coach=True)
    # csv and ics go out as UTF-8 bytes so their CRLF line ends reach the file unchanged.
    if fmt == "csv":
        click.echo(agenda_csv(bookings, tz).encode("utf-8"), nl=False)
    elif fmt == "ics":
        click.echo(agenda_ics(bookings, app.clock(), app.settings.city.name).encode("utf-8"),
                   nl=False)
    else:
        click.echo(agenda_table(bookings, day, tz))
