"""`digicheque stats`: the numbers for the funder, as a table, CSV or JSON.

Cheques issued, redeemed, fully used, expired and void; visits booked, moved, cancelled,
done, no-show and still to come; the median wait from a resident's first message to their
first visit; how reminders were delivered; hand-offs to a person. Split by the resident's
channel and language. Works on a database whose personal data is already purged.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from datetime import date, datetime
from zoneinfo import ZoneInfo

import click

from bot.app import App, pass_app
from bot.commands.common import DateParam, columns
from storage.stats import NONE, Kind, Period, Stats, collect

FORMATS = ("table", "csv", "json")
CSV_HEADER = ["from", "to", "section", "metric", "channel", "language", "value"]
ALL = "all"
WIDTH = 96
PERIOD_DAY = DateParam(relative=True, belgian=True, bounded=True)


def heading(stats: Stats, tz: ZoneInfo) -> str:
    as_of = stats.as_of.astimezone(tz)
    return (f"digicheque numbers for {stats.period.describe()} (days in {tz.key}), "
            f"as of {as_of:%Y-%m-%d %H:%M}")


def no_reminder_data(stats: Stats) -> bool:
    return stats.figure("reminders", "queued").value() == 0


# ---------------------------------------------------------------------------- table

def _cell(value: int | float | None, kind: Kind) -> str:
    if value is None:
        return "-"
    if kind == Kind.PERCENT:
        return f"{value:.1f}%"
    if kind == Kind.DAYS:
        return f"{value:g}"
    return str(value)


def stats_table(stats: Stats, tz: ZoneInfo) -> str:
    """Plain text: the period, then one block per section with its basis and its table."""
    languages = [lang for lang in stats.languages if lang != NONE]  # none: as the channel
    lines = [heading(stats, tz),
             "Each figure counts what happened in the period by its own date (see each "
             "section); -: no data."]
    for section in stats.sections:
        lines += ["", section.title.upper()]
        lines += textwrap.wrap(f"Dated: {section.basis}.", WIDTH, initial_indent="  ",
                               subsequent_indent="  ")
        if section.name == "reminders" and no_reminder_data(stats):
            lines.append("  No data: no reminders were queued in this period.")
        # The column of things without a resident only where the section has some.
        channels = [c for c in stats.channels if c != NONE or any(
            figure.value(lambda group: group[0] == NONE) for figure in section.figures)]
        headers = ["", "total", *(("(no resident)" if c == NONE else c) for c in channels),
                   *languages]
        rows = []
        for figure in section.figures:
            split = stats.split(figure)
            rows.append([figure.label, _cell(split["total"], figure.kind),
                         *(_cell(split["by_channel"][c], figure.kind) for c in channels),
                         *(_cell(split["by_language"][lang], figure.kind)
                           for lang in languages)])
        table = columns(headers, rows)
        lines += ["  " + line if line else line for line in table.splitlines()]
    return "\n".join(lines)


# ---------------------------------------------------------------------------- csv

def _csv_value(value: int | float | None) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def stats_csv(stats: Stats) -> str:
    """Long CSV, RFC 4180: one row per figure and split; an empty value is no data."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    first = stats.period.first.isoformat() if stats.period.first else ""
    last = stats.period.last.isoformat() if stats.period.last else ""
    for section in stats.sections:
        for figure in section.figures:
            split = stats.split(figure)
            cells = [(ALL, ALL, split["total"])]
            cells += [(c, ALL, v) for c, v in split["by_channel"].items()]
            cells += [(ALL, lang, v) for lang, v in split["by_language"].items()]
            for channel, language, value in cells:
                writer.writerow([first, last, section.name, figure.name, channel, language,
                                 _csv_value(value)])
    return out.getvalue()


# ---------------------------------------------------------------------------- json

def stats_json(stats: Stats, tz: ZoneInfo) -> str:
    """JSON: the period and, per section, its basis and figures (null: no data)."""
    document = {
        "period": {
            "from": stats.period.first.isoformat() if stats.period.first else None,
            "to": stats.period.last.isoformat() if stats.period.last else None,
            "time_zone": tz.key,
            "as_of": stats.as_of.isoformat(),
            "description": heading(stats, tz),
        },
        "sections": {
            section.name: {
                "title": section.title,
                "dated": section.basis,
                "figures": {figure.name: {"label": figure.label.strip(), "kind": figure.kind.value,
                                          **stats.split(figure)}
                            for figure in section.figures},
            }
            for section in stats.sections
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


# ---------------------------------------------------------------------------- command

@click.command()
@click.option("--from", "first", type=PERIOD_DAY, default=None,
              help="First day of the period (2026-01-01 or 01/01/2026). Default: the "
                   "beginning.")
@click.option("--to", "last", type=PERIOD_DAY, default=None,
              help="Last day of the period, included. Default: no end (also what is "
                   "planned later).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table",
              show_default=True,
              help="table to read, csv for a spreadsheet, json for another program.")
@pass_app
def stats(app: App, first: date | None, last: date | None, fmt: str) -> None:
    """The numbers for the funder: cheques, visits, waiting time, reminders, hand-offs.

    Each figure counts what happened in the period by its own date: a cheque issued by
    the day it was created, a visit by its start, a hand-off by when it was opened or
    closed; the output says which date each section uses. Split by the resident's
    channel and language. Nothing personal is shown or needed: it works the same after
    the privacy purge, except the reminder figures, which come from messages the purge
    deletes.

    Example: digicheque stats --from 2026-01-01 --to 2026-12-31 --format csv > 2026.csv
    """
    if first is not None and last is not None and first > last:
        raise click.UsageError(f"--from {first} is after --to {last}; give the earlier day "
                               "first.")
    tz = app.settings.tz
    period = Period(first, last, tz)
    now: datetime = app.clock()
    with app.sessions()() as session:
        figures = collect(session, period, now)
    if fmt == "csv":
        click.echo(stats_csv(figures).encode("utf-8"), nl=False)
    elif fmt == "json":
        click.echo(stats_json(figures, tz))
    else:
        click.echo(stats_table(figures, tz))
