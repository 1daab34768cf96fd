"""`digicheque slots`: cut a coach's weekly hours into visit slots, list, close, reopen."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from bot.app import App, check_day, parse_moment, pass_app
from bot.commands.common import DAY, DAY_NAMES, LIST_DAYS, booking_line, columns, get_coach, \
    listed_period, when
from bot.config import format_duration, parse_duration
from bot.wiring import conversation_engine
from conversations import notices
from conversations.engine import Engine
from storage.bookings import BookingRefused, cancel_reminders, move_visit
from storage.models import Booking, BookingStatus, Slot
from storage.residents import lock_resident_by_id
from storage.schedule import ScheduleError, belgian_holidays, parse_weekly, plan_slots
from storage.slots import Closed, close_slots, free_slots, list_slots, reopen_slots, \
    upsert_slots

DEFAULT_GAP = timedelta(minutes=30)
PROGRESS_FROM = 20   # visits to handle from which closing shows a progress bar


class DurationParam(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.4
    """A duration such as 90m, 1h30m or 45m; with `positive`, 0 is refused."""

    name = "DURATION"

    def __init__(self, *, positive: bool = False) -> None:
        self.positive = positive

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> timedelta:
        if isinstance(value, timedelta):
            duration = value
        else:
            try:
                duration = parse_duration(str(value))
            except ValueError as exc:
                self.fail(str(exc), param, ctx)
        if self.positive and duration <= timedelta(0):
            self.fail(f"expected a duration above 0, such as 90m, got {value!r}", param, ctx)
        return duration


DURATION = DurationParam()
VISIT = DurationParam(positive=True)


def read_moment(value: str, app: App, option: str, end_of_day: bool = False) -> datetime:
    """'2026-12-01T09:00' (local) as UTC; a bare date is the start of that day, or with
    `end_of_day` the start of the next one (so --to 2026-12-24 includes the 24th)."""
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise click.BadParameter(f"{value!r} is not a date", param_hint=option) from None
        try:
            check_day(day)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=option) from None
        if end_of_day:
            day += timedelta(days=1)
        return datetime.combine(day, time(0), tzinfo=app.settings.tz).astimezone(timezone.utc)
    return parse_moment(text, app.settings, option)


def _local(moment: datetime, app: App) -> str:
    return f"{moment.astimezone(app.settings.tz):%Y-%m-%d %H:%M}"


@click.group()
def slots() -> None:
    """Make, list and close the coaches' visit slots."""


@slots.command("generate")
@click.option("--coach", "coach_name", required=True, metavar="NAME", help="The coach.")
@click.option("--from", "first", type=DAY, required=True, help="First day, e.g. 2026-12-01.")
@click.option("--to", "last", type=DAY, required=True, help="Last day (included).")
@click.option("--weekly", required=True, metavar="SPEC",
              help="Weekly hours, local time, e.g. \"mon,thu 09:00-12:00; tue 13:00-16:30\". "
                   "Days in English or Dutch (mon..sun, ma..zo, maandag...), ranges such as "
                   "mon-fri; several windows per day allowed.")
@click.option("--visit", type=VISIT, default=None,
              help="Length of one visit, e.g. 90m. Default: [booking] visit_length.")
@click.option("--gap", type=DURATION, default=format_duration(DEFAULT_GAP), show_default=True,
              help="Travel time between two visits of the coach.")
@click.option("--capacity", type=click.IntRange(1, 50), default=1, show_default=True,
              help="Visits per slot (more than 1 for a group session).")
@click.option("--include-holidays", is_flag=True,
              help="Also make slots on Belgian public holidays (skipped by default).")
@pass_app
def generate_command(app: App, coach_name: str, first: date, last: date, weekly: str,
                     visit: timedelta | None, gap: timedelta, capacity: int,
                     include_holidays: bool) -> None:
    """Cut the coach's weekly hours into visit slots from --from to --to.

    Each slot fits wholly inside its window: with 09:00-12:00, 90m visits and a 30m gap
    that is 09:00-10:30 only. Times stay local across daylight saving. Safe to run again:
    slots that exist already are left as they are.
    """
    settings = app.settings
    visit = visit if visit is not None else settings.booking.visit_length
    try:
        windows = parse_weekly(weekly)
    except ScheduleError as exc:
        raise click.BadParameter(str(exc), param_hint="'--weekly'") from None
    skip = {} if include_holidays else belgian_holidays(first, last)
    try:
        plan = plan_slots(windows, first, last, settings.tz, visit, gap, skip)
    except ScheduleError as exc:
        raise click.ClickException(str(exc)) from None
    with app.sessions().begin() as session:
        coach = get_coach(session, coach_name)
        created, existed = upsert_slots(session, coach.id, plan.spans, capacity)
    if plan.skipped:
        days = ", ".join(f"{DAY_NAMES[day.weekday()]} {day} ({name})" for day, name in plan.skipped)
        click.echo(f"Skipped {len(plan.skipped)} public holiday(s): {days}.")
    if not plan.spans:
        click.echo(f"No visit of {format_duration(visit)} fits the hours "
                   f"{', '.join(str(w) for w in windows)} between {first} and {last}.")
    click.echo(f"{coach.name}: created {created} slots, {existed} already existed "
               f"({first} to {last}, visits of {format_duration(visit)}, "
               f"gap {format_duration(gap)}).")


@slots.command("list")
@click.option("--date", "day", type=DAY, help="Only this day, e.g. 2026-12-01 or today.")
@click.option("--from", "first", type=DAY, help="First day. Default: today.")
@click.option("--to", "last", type=DAY,
              help=f"Last day (included). Default: {LIST_DAYS - 1} days after --from.")
@click.option("--coach", "coach_name", metavar="NAME", help="Only this coach's slots.")
@click.option("--free", is_flag=True, help="Only slots a resident can still book.")
@pass_app
def list_command(app: App, day: date | None, first: date | None, last: date | None,
                 coach_name: str | None, free: bool) -> None:
    """Show slots in local time with coach, seats booked and whether closed."""
    start, end, period = listed_period(app, day, first, last)
    tz = app.settings.tz
    with app.sessions()() as session:
        coach_id = get_coach(session, coach_name, active_only=False).id if coach_name else None
        found = list_slots(session, start, end, coach_id=coach_id, free_only=free)
    if not found:
        click.echo(f"No {'free ' if free else ''}slots {period}.")
        return
    rows = []
    for slot in found:
        if slot.closed_at is not None:
            state = f"closed: {slot.closed_reason or '-'}"
        elif not slot.coach.active:
            state = "coach removed"
        else:
            state = "full" if slot.booked >= slot.capacity else "free"
        rows.append([when(slot.starts_at, slot.ends_at, tz), slot.coach.name,
                     f"{slot.booked}/{slot.capacity}", state])
    click.echo(columns(["When", "Coach", "Booked", "State"], rows))
    open_seats = sum(1 for s in found if s.closed_at is None and s.booked < s.capacity
                     and s.coach.active)
    click.echo(f"{len(found)} slots {period}, {open_seats} free.")


def _period(app: App, start_text: str, end_text: str) -> tuple[datetime, datetime]:
    start = read_moment(start_text, app, "'--from'")
    end = read_moment(end_text, app, "'--to'", end_of_day=True)
    if end <= start:
        raise click.BadParameter(f"{end_text!r} is not after --from {start_text!r}",
                                 param_hint="'--to'")
    return start, end


F = TypeVar("F", bound=Callable[..., Any])


def _coach_period(command: F) -> F:
    """The --coach, --from and --to options that close and reopen share."""
    for option in reversed((
            click.option("--coach", "coach_name", required=True, metavar="NAME",
                         help="The coach."),
            click.option("--from", "start_text", required=True, metavar="DATETIME",
                         help="Start, local time: 2026-12-01T09:00 (a bare date: that "
                              "day's start)."),
            click.option("--to", "end_text", required=True, metavar="DATETIME",
                         help="End, local time: 2026-12-01T12:00 (a bare date: that whole "
                              "day)."))):
        command = option(command)
    return command


@slots.command("close")
@_coach_period
@click.option("--reason", required=True, help="Why, e.g. 'ill'; kept with the slots.")
@click.option("--notify", is_flag=True,
              help="Tell each resident with a visit in the period that it cannot go ahead, "
                   "and offer the nearest free times (their answer moves the visit); their "
                   "reminders are dropped.")
@click.option("--reassign", is_flag=True,
              help="Move each visit to another coach free at the very same time and tell "
                   "the resident; the visits that cannot be moved are listed (and told, "
                   "with --notify).")
@click.option("--yes", is_flag=True, help="Do it without asking for confirmation (scripts).")
@pass_app
def close_command(app: App, coach_name: str, start_text: str, end_text: str,
                  reason: str, notify: bool, reassign: bool, yes: bool) -> None:
    """Close the coach's slots in a period and deal with the booked visits in it.

    Every slot overlapping the period is closed: residents are no longer offered it.
    Without --notify or --reassign the booked visits stay booked and are listed, for
    staff to move or cancel; nothing is cancelled silently.
    """
    start, end = _period(app, start_text, end_text)
    reason = reason.strip()
    if not reason:
        raise click.BadParameter("give a reason", param_hint="'--reason'")
    tz = app.settings.tz
    if (notify or reassign) and not yes:
        with app.sessions()() as session:
            coach = get_coach(session, coach_name, active_only=False)
            ahead = [b for b in visits_in(session, coach.id, start, end)
                     if b.slot.starts_at > app.clock()]
        if ahead:
            click.echo(f"{len(ahead)} booked visit(s) of {coach.name} in the period:")
            for booking in ahead:
                click.echo(f"  {booking_line(booking, tz)}")
            doing = " and ".join(
                (["move them to another coach free at the same time"] if reassign else [])
                + (["tell the residents and offer them new times"
                    + (" (those not moved)" if reassign else "")] if notify else []))
            click.confirm(f"Close the slots, {doing}?", abort=True)
    engine = conversation_engine(app.settings, app.sessions(), app.clock) \
        if notify or reassign else None
    with app.sessions().begin() as session:
        coach = get_coach(session, coach_name, active_only=False)
        try:
            result, handled = close_and_handle(session, engine, coach.id, start, end,
                                               reason, app.clock(), notify=notify,
                                               reassign=reassign)
        except BookingRefused:
            raise click.ClickException("A visit in the period changed while closing; nothing "
                                       "was changed. Run the command again.") from None
    period = f"{_local(start, app)} to {_local(end, app)}"
    if result.closed + result.already_closed == 0:
        click.echo(f"{coach.name} has no slots from {period}; nothing closed.")
        return
    click.echo(f"Closed {result.closed} slots of {coach.name} from {period} "
               f"({result.already_closed} were already closed). Reason: {reason}")
    if not result.bookings:
        click.echo("No booked visits are affected.")
        return
    _report(handled, tz, notify, reassign)


def _report(handled: Handled, tz: ZoneInfo, notify: bool, reassign: bool) -> None:
    def block(title: str, lines: list[str]) -> None:
        if lines:
            click.echo(title)
            click.echo("".join(f"  {line}\n" for line in lines), nl=False)

    block(f"{len(handled.reassigned)} visit(s) moved to another coach at the same time:",
          [f"{booking_line(b, tz)}  ({_told(told)})" for b, told in handled.reassigned])
    block(f"{len(handled.notified)} resident(s) told the visit cannot go ahead, new times "
          "offered:", [booking_line(b, tz) for b, told in handled.notified if told])
    block(f"{sum(1 for _, t in handled.notified if not t)} resident(s) stopped messages "
          "from us, NOT told: call them:",
          [booking_line(b, tz) for b, told in handled.notified if not told])
    unmoved = "could not be moved to another coach (none free then)" if reassign \
        else "need moving"
    if notify:
        unmoved = "need moving by staff (the resident is already offered times for another " \
            "visit in the period)"
    block(f"{len(handled.left)} booked visit(s) {unmoved}:",
          [booking_line(b, tz) for b in handled.left])
    block(f"{len(handled.past)} visit(s) already started, left as they are:",
          [booking_line(b, tz) for b in handled.past])
    if handled.left and notify:
        click.echo("Move or cancel them with: digicheque visits move|cancel VISIT")
    elif handled.left:
        click.echo("Tell their residents and offer new times with --notify"
                   + ("" if reassign else ", or move them to another coach free at the same "
                      "time with --reassign") + " (run the same close again), or use "
                   "digicheque visits move|cancel.")


def _told(told: bool) -> str:
    return "resident told" if told else "resident stopped messages: NOT told, call them"


@dataclass
class Handled:
    """What closing did with each booked visit in the period."""

    reassigned: list[tuple[Booking, bool]] = field(default_factory=list)
    notified: list[tuple[Booking, bool]] = field(default_factory=list)
    left: list[Booking] = field(default_factory=list)
    past: list[Booking] = field(default_factory=list)


def visits_in(session: Session, coach_id: int, start: datetime, end: datetime
              ) -> list[Booking]:
    """The booked visits in the coach's slots overlapping [start, end), by time."""
    return list(session.scalars(
        select(Booking).join(Booking.slot).join(Slot.coach)
        .options(contains_eager(Booking.slot).contains_eager(Slot.coach))
        .where(Slot.coach_id == coach_id, Slot.starts_at < end, Slot.ends_at > start,
               Booking.status == BookingStatus.BOOKED)
        .order_by(Slot.starts_at, Booking.id)))


def close_and_handle(session: Session, engine: Engine | None, coach_id: int,
                     start: datetime, end: datetime, reason: str, now: datetime, *,
                     notify: bool, reassign: bool) -> tuple[Closed, Handled]:
    """Close the slots, then move (`reassign`) and/or tell (`notify`) each visit still to
    come, all in the caller's transaction. The residents are locked first, as for a
    message of theirs (G3), before any slot row, so a resident answering at that moment
    waits for this, or this for them, never both."""
    handled = Handled()
    if engine is not None:
        for resident_id in sorted({b.resident_id for b in
                                   visits_in(session, coach_id, start, end)}):
            lock_resident_by_id(session, resident_id)
    result = close_slots(session, coach_id, start, end, reason, now)
    todo = [b for b in result.bookings if b.slot.starts_at > now]
    handled.past = [b for b in result.bookings if b.slot.starts_at <= now]
    if engine is None:
        handled.left = todo
        return result, handled
    offered: set[int] = set()   # residents offered new times: one question at a time
    with _progress(todo, "Visits") as bookings:
        for booking in bookings:
            if reassign and _reassign(session, engine, booking, now):
                told = engine.push(session, booking.resident_id,
                                   notices.reassigned(booking.id), now)
                handled.reassigned.append((booking, bool(told)))
            elif notify and booking.resident_id not in offered:
                offered.add(booking.resident_id)
                cancel_reminders(session, booking.id)
                told = engine.push(session, booking.resident_id,
                                   notices.slot_closed(booking.id), now)
                handled.notified.append((booking, bool(told)))
            else:
                handled.left.append(booking)
    return result, handled


def _reassign(session: Session, engine: Engine, booking: Booking, now: datetime) -> bool:
    """Move the visit to another coach's free slot at the very same time, if any."""
    old = booking.slot
    candidates = [s for s in free_slots(session, old.starts_at,
                                        old.starts_at + timedelta(seconds=1), booking.postcode)
                  if s.ends_at == old.ends_at and s.id != old.id]
    for slot in candidates:
        try:
            move_visit(session, booking, slot.id, now, engine.reminders)
        except BookingRefused as refused:
            if refused.reason == "slot_taken":
                continue   # taken meanwhile: the next coach
            raise
        session.refresh(booking)
        booking.slot.coach.name  # noqa: B018 - loaded now, for the report after commit
        return True
    return False


@contextmanager
def _progress(items: list[Booking], label: str) -> Iterator[Iterable[Booking]]:
    """A progress bar on stderr for a long list (each visit is a message to write)."""
    if len(items) < PROGRESS_FROM:
        yield items
        return
    with click.progressbar(items, label=label, file=sys.stderr) as bar:
        yield bar


@slots.command("reopen")
@_coach_period
@pass_app
def reopen_command(app: App, coach_name: str, start_text: str, end_text: str) -> None:
    """Open again the coach's closed slots in a period (undoes `slots close`)."""
    start, end = _period(app, start_text, end_text)
    with app.sessions().begin() as session:
        coach = get_coach(session, coach_name)
        count = reopen_slots(session, coach.id, start, end)
    click.echo(f"Reopened {count} slots of {coach.name} from {_local(start, app)} "
               f"to {_local(end, app)}.")
