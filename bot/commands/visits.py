"""`digicheque visits`: list and show booked visits; move or cancel one, and record
whether it happened (done, no-show), telling the resident.

Every change is one transaction: the resident is locked first (like a message of
theirs, G3), the booking changes atomically (storage.bookings: seats, the cheque's
visit, reminders replaced, G4/G5), and what the resident is told is written to the
outbox by `Engine.push` in the same transaction, so a change and its notice are
committed together or not at all. The running `digicheque run` delivers the notice.

A command first shows what will change and asks for confirmation (`--yes` for
scripts); the change is then made only if the visit is still as shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload

from bot.app import App, parse_moment, pass_app
from bot.commands.common import DAY, DAY_NAMES, LIST_DAYS, columns, day_bounds, get_coach, \
    listed_period, when
from bot.config import Settings
from bot.wiring import conversation_engine
from conversations import notices
from conversations.engine import Engine
from storage.bookings import BookingRefused, cancel_visit, move_visit, record_outcome
from storage.codes import display
from storage.models import Booking, BookingStatus, Cheque, ChequeStatus, Coach, Slot, Timer
from storage.residents import lock_resident_by_id
from storage.slots import serves_postcode

STATUSES = ("booked", "confirmed", "done", "no-show", "cancelled")
_STORED = {"booked": BookingStatus.BOOKED, "confirmed": BookingStatus.BOOKED,
           "done": BookingStatus.DONE, "no-show": BookingStatus.NO_SHOW,
           "cancelled": BookingStatus.CANCELLED}


def status_name(booking: Booking) -> str:
    """booked, confirmed (booked, and the resident said they will be there), done,
    no-show or cancelled."""
    if booking.status == BookingStatus.BOOKED:
        return "confirmed" if booking.confirmed_at is not None else "booked"
    return "no-show" if booking.status == BookingStatus.NO_SHOW else str(booking.status)


def find_visits(session: Session, start: datetime, end: datetime, *,
                coach_id: int | None = None, statuses: Sequence[str] = (),
                by_coach: bool = False) -> list[Booking]:
    """Visits whose slot starts in [start, end), slot and coach loaded; `statuses` are
    names of STATUSES (none: all). By time, or with `by_coach` by coach then time."""
    stmt = (select(Booking).join(Booking.slot).join(Slot.coach)
            .options(contains_eager(Booking.slot).contains_eager(Slot.coach))
            .where(Slot.starts_at >= start, Slot.starts_at < end))
    stmt = stmt.order_by(Coach.name, Slot.starts_at, Booking.id) if by_coach else \
        stmt.order_by(Slot.starts_at, Coach.name, Booking.id)
    if coach_id is not None:
        stmt = stmt.where(Slot.coach_id == coach_id)
    if statuses:
        stored = {_STORED[name] for name in statuses}
        stmt = stmt.where(Booking.status.in_(stored))
    found = list(session.scalars(stmt))
    if statuses and "booked" not in statuses and "confirmed" in statuses:
        found = [b for b in found if b.status != BookingStatus.BOOKED
                 or b.confirmed_at is not None]
    return found


class VisitParam(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.4
    """A visit's number as the lists show it: 12 or #12."""

    name = "VISIT"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip().lstrip("#")
        if not text.isdigit() or len(text) > 12:
            self.fail(f"expected a visit number such as 12 or #12, got {value!r}", param, ctx)
        return int(text)


VISIT = VisitParam()

_YES = click.option("--yes", is_flag=True,
                    help="Do it without asking for confirmation (for scripts).")


def _load(session: Session, visit_id: int) -> Booking:
    booking = session.scalars(
        select(Booking).where(Booking.id == visit_id)
        .options(joinedload(Booking.slot).joinedload(Slot.coach),
                 joinedload(Booking.resident), joinedload(Booking.cheque))).first()
    if booking is None:
        raise click.ClickException(f"No visit #{visit_id}. See: digicheque visits list")
    return booking


def _locked(session: Session, visit_id: int) -> Booking:
    """The visit, its resident locked first, as for a message of theirs (G3): a resident
    answering at the same moment waits for this change, or this change for them."""
    resident_id = session.scalar(select(Booking.resident_id).where(Booking.id == visit_id))
    if resident_id is None:
        raise click.ClickException(f"No visit #{visit_id}. See: digicheque visits list")
    lock_resident_by_id(session, resident_id)
    return _load(session, visit_id)


def _outcome_text(booking: Booking, tz: ZoneInfo) -> str:
    """'cancelled by staff on 2026-11-30 10:00'."""
    by = f" by {booking.outcome_by}" if booking.outcome_by else ""
    at = f" on {booking.outcome_at.astimezone(tz):%Y-%m-%d %H:%M}" \
        if booking.outcome_at is not None else ""
    return f"{status_name(booking)}{by}{at}"


def _require_booked(booking: Booking, settings: Settings, doing: str) -> None:
    if booking.status != BookingStatus.BOOKED:
        raise click.ClickException(
            f"Visit #{booking.id} is {_outcome_text(booking, settings.tz)}; only a booked "
            f"visit can be {doing}.")


def _require_to_come(booking: Booking, now: datetime, settings: Settings,
                     doing: str) -> None:
    _require_booked(booking, settings, doing)
    if booking.slot.starts_at <= now:
        raise click.ClickException(
            f"Visit #{booking.id} was on {_when(booking.slot, settings)}, in the past; "
            f"record how it went with: digicheque visits done|noshow {booking.id}")


def _changed(booking: Booking, version: int | None) -> None:
    if version is not None and booking.version != version:
        raise click.ClickException(
            f"Visit #{booking.id} changed meanwhile; nothing done. Run the command again to "
            "see it as it is now.")


def _when(slot: Slot, settings: Settings) -> str:
    return when(slot.starts_at, slot.ends_at, settings.tz)


def _engine(app: App) -> Engine:
    return conversation_engine(app.settings, app.sessions(), app.clock)


def _confirm(yes: bool, question: str) -> None:
    if not yes:
        click.confirm(question, abort=True)


@dataclass(frozen=True)
class Told:
    """Whether the resident was told (False: they stopped messages from us)."""

    told: bool
    channel: str
    language: str
    phone: str

    def line(self) -> str:
        if self.told:
            return (f"The resident is told by {self.channel}, in {self.language} (queued; "
                    "the running digicheque run sends it).")
        return ("The resident stopped messages from us: NOT told. Call them on "
                f"{self.phone}.")


def _rebook(session: Session, booking: Booking, day: date) -> dict[str, object] | None:
    """What the resident needs to book again with the cheque's visit that came back;
    None when the cheque cannot be booked with (void, expired, no visit left)."""
    status, visits, used, expires_on = session.execute(
        select(Cheque.status, Cheque.visits, Cheque.visits_used, Cheque.expires_on)
        .where(Cheque.id == booking.cheque_id)).one()
    if status != ChequeStatus.OPEN or used >= visits or (expires_on is not None
                                                         and expires_on < day):
        return None
    return {"cheque_id": booking.cheque_id, "visits_left": visits - used,
            "postcode": booking.postcode, "street": booking.street, "phone": booking.phone,
            "topic": booking.topic, "topic_text": booking.topic_text}


# ---------------------------------------------------------------------------- changes

def move_booking(engine: Engine, settings: Settings, visit_id: int, slot_id: int,
                 version: int | None = None) -> Told:
    """Move the visit to the slot and tell the resident, in one transaction."""
    now = engine.clock()
    with engine.sessions.begin() as session:
        booking = _locked(session, visit_id)
        _require_to_come(booking, now, settings, "moved")
        _changed(booking, version)
        slot = session.get(Slot, slot_id)
        if slot is None:
            raise click.ClickException(f"No slot {slot_id}.")
        _check_slot(slot, booking, now, settings)
        try:
            move_visit(session, booking, slot_id, now, engine.reminders)
        except BookingRefused as refused:
            if refused.reason == "slot_taken":
                raise click.ClickException(
                    f"Slot {slot_id} ({_when(slot, settings)}, {slot.coach.name}) was "
                    "taken or closed meanwhile; nothing done.") from None
            raise click.ClickException(f"Visit #{visit_id} changed meanwhile; nothing "
                                       "done.") from None
        resident = booking.resident
        sent = engine.push(session, booking.resident_id, notices.moved(visit_id), now)
        return Told(bool(sent), resident.channel, resident.language, booking.phone)


def cancel_booking(engine: Engine, settings: Settings, visit_id: int, reason: str,
                   version: int | None = None) -> Told:
    """Cancel the visit (the seat and the cheque's visit come back), tell the resident
    and offer new times when the cheque can be booked with again."""
    now = engine.clock()
    with engine.sessions.begin() as session:
        booking = _locked(session, visit_id)
        _require_to_come(booking, now, settings, "cancelled")
        _changed(booking, version)
        start, end = booking.slot.starts_at, booking.slot.ends_at
        resident = booking.resident
        try:
            cancel_visit(session, booking, now, by="staff", reason=reason)
        except BookingRefused:
            raise click.ClickException(f"Visit #{visit_id} changed meanwhile; nothing "
                                       "done.") from None
        rebook = _rebook(session, booking, now.astimezone(settings.tz).date())
        sent = engine.push(session, booking.resident_id,
                           notices.called_off("notice.cancelled", start, end, rebook), now)
        return Told(bool(sent), resident.channel, resident.language, booking.phone)


def record_visit(engine: Engine, settings: Settings, visit_id: int, status: BookingStatus,
                 by: str, give_back: bool, version: int | None = None) -> Told | None:
    """Record a visit done or a no-show; a no-show is told to the resident (with new
    times when its visit went back to the cheque). None: nobody was told (done)."""
    now = engine.clock()
    with engine.sessions.begin() as session:
        booking = _locked(session, visit_id)
        _changed(booking, version)
        _check_outcome(booking, now, settings)
        start, end = booking.slot.starts_at, booking.slot.ends_at
        resident = booking.resident
        try:
            record_outcome(session, visit_id, status, by, now, give_back)
        except BookingRefused:
            raise click.ClickException(f"Visit #{visit_id} changed meanwhile; nothing "
                                       "done.") from None
        if status == BookingStatus.DONE:
            return None
        key = "notice.no_show_coach" if by == "coach" else "notice.no_show_resident"
        rebook = _rebook(session, booking, now.astimezone(settings.tz).date()) \
            if give_back else None
        sent = engine.push(session, booking.resident_id,
                           notices.called_off(key, start, end, rebook), now)
        return Told(bool(sent), resident.channel, resident.language, booking.phone)


def _check_outcome(booking: Booking, now: datetime, settings: Settings) -> None:
    """How a visit went is recorded once it has started, for a booked visit or one only
    assumed done (no answer to the follow-up), which staff may correct."""
    assumed = booking.status == BookingStatus.DONE and booking.outcome_by == "auto"
    if booking.status != BookingStatus.BOOKED and not assumed:
        raise click.ClickException(
            f"Visit #{booking.id} is {_outcome_text(booking, settings.tz)}; nothing changed.")
    if booking.slot.starts_at > now:
        raise click.ClickException(
            f"Visit #{booking.id} is still to come ({_when(booking.slot, settings)}); "
            f"to call it off use: digicheque visits cancel {booking.id} --reason ...")


# ---------------------------------------------------------------------------- slots

def _check_slot(slot: Slot, booking: Booking, now: datetime, settings: Settings) -> None:
    """A slot the visit can move to, or a ClickException that says why not."""
    shown = f"Slot {slot.id} ({_when(slot, settings)}, {slot.coach.name})"
    if slot.id == booking.slot_id:
        raise click.ClickException(f"Visit #{booking.id} is already in slot {slot.id}.")
    if slot.starts_at <= now:
        raise click.ClickException(f"{shown} is in the past.")
    if slot.closed_at is not None:
        raise click.ClickException(f"{shown} is closed: {slot.closed_reason or '-'}.")
    if not slot.coach.active:
        raise click.ClickException(f"{shown} is of a removed coach.")
    if slot.booked >= slot.capacity:
        raise click.ClickException(f"{shown} is full.")


def _serves(coach: Coach, postcode: str) -> bool:
    return not coach.postcodes or postcode in coach.postcodes.split(",")


def find_target(session: Session, booking: Booking, target: str, coach_name: str | None,
                now: datetime, settings: Settings) -> Slot:
    """The slot `--to` names: a slot id, or a local time at which a coach (the one named,
    else any serving the visit's postcode) has a free slot."""
    text = target.strip().lstrip("#")
    if text.isdigit():
        if coach_name:
            raise click.UsageError("--coach goes with a time (--to \"2027-01-12 13:00\"), "
                                   "not with a slot id")
        slot = session.get(Slot, int(text))
        if slot is None:
            raise click.ClickException(f"No slot {text}. See: digicheque slots list --free")
        _check_slot(slot, booking, now, settings)
        return slot
    moment = parse_moment(target.strip(), settings, "'--to'")
    shown = when(moment, moment, settings.tz).rsplit("-", 1)[0]
    if moment <= now:
        raise click.ClickException(f"{shown} is in the past.")
    coach = get_coach(session, coach_name) if coach_name else None
    stmt = (select(Slot).join(Slot.coach).options(contains_eager(Slot.coach))
            .where(Slot.starts_at == moment, Slot.id != booking.slot_id)
            .order_by(Slot.booked, Coach.name))
    if coach is not None:
        stmt = stmt.where(Slot.coach_id == coach.id)
    else:
        stmt = stmt.where(serves_postcode(booking.postcode))
    candidates = list(session.scalars(stmt))
    free = [s for s in candidates if s.closed_at is None and s.coach.active
            and s.booked < s.capacity]
    if free:
        return free[0]
    who = coach.name if coach is not None else f"No coach serving {booking.postcode}"
    why = "; ".join(f"{s.coach.name}: {'closed' if s.closed_at else 'full'}"
                    for s in candidates)
    day = _free_that_day(session, booking, moment, coach, settings)
    raise click.ClickException(
        f"{who} {'has no free slot' if coach is not None else 'is free'} at {shown}"
        f"{f' ({why})' if why else ''}. {day}")


def _free_that_day(session: Session, booking: Booking, moment: datetime,
                   coach: Coach | None, settings: Settings) -> str:
    local_day = moment.astimezone(settings.tz).date()
    start, end = day_bounds(local_day, local_day, settings.tz)
    stmt = (select(Slot).join(Slot.coach).options(contains_eager(Slot.coach))
            .where(Slot.starts_at >= start, Slot.starts_at < end, Slot.closed_at.is_(None),
                   Slot.booked < Slot.capacity, Coach.active.is_(True))
            .order_by(Slot.starts_at, Coach.name).limit(8))
    stmt = stmt.where(Slot.coach_id == coach.id) if coach is not None else \
        stmt.where(serves_postcode(booking.postcode))
    found = list(session.scalars(stmt))
    if not found:
        return f"Nothing is free on {local_day}."
    return f"Free on {local_day}: " + ", ".join(
        f"{s.starts_at.astimezone(settings.tz):%H:%M} {s.coach.name} (slot {s.id})"
        for s in found) + "."


# ---------------------------------------------------------------------------- commands

@click.group()
def visits() -> None:
    """List and show booked visits; move, cancel, or record how a visit went.

    Changes ask for confirmation (--yes for scripts) and tell the resident on their own
    channel, in their language; the running `digicheque run` sends the message.
    """


@visits.command("list")
@click.option("--date", "day", type=DAY, help="Only this day, e.g. 2026-12-01 or today.")
@click.option("--from", "first", type=DAY, help="First day. Default: today.")
@click.option("--to", "last", type=DAY,
              help=f"Last day (included). Default: {LIST_DAYS - 1} days after --from.")
@click.option("--coach", "coach_name", metavar="NAME", help="Only this coach's visits.")
@click.option("--status", "status", type=click.Choice(STATUSES), default=None,
              help="Only visits in this state; booked includes those the resident "
                   "confirmed, confirmed only those.")
@pass_app
def list_command(app: App, day: date | None, first: date | None, last: date | None,
                 coach_name: str | None, status: str | None) -> None:
    """Visits in a period: number, day, time, coach, postcode, topic and state."""
    start, end, period = listed_period(app, day, first, last)
    tz = app.settings.tz
    with app.sessions()() as session:
        coach_id = get_coach(session, coach_name, active_only=False).id if coach_name else None
        found = find_visits(session, start, end, coach_id=coach_id,
                            statuses=(status,) if status else ())
    if not found:
        click.echo(f"No {status + ' ' if status else ''}visits {period}.")
        return
    rows = []
    for b in found:
        starts, ends = b.slot.starts_at.astimezone(tz), b.slot.ends_at.astimezone(tz)
        rows.append([f"#{b.id}", f"{DAY_NAMES[starts.weekday()]} {starts:%Y-%m-%d}",
                     f"{starts:%H:%M}-{ends:%H:%M}", b.slot.coach.name, b.postcode, b.topic,
                     status_name(b)])
    click.echo(columns(["Visit", "Day", "Time", "Coach", "Postcode", "Topic", "Status"], rows))
    click.echo(f"{len(found)} visit(s) {period}.")


@visits.command("show")
@click.argument("visit", type=VISIT)
@pass_app
def show_command(app: App, visit: int) -> None:
    """Everything about one VISIT: when, where, whom to call, what help, its state,
    who changed it and its reminders. VISIT is its number as listed: 12 or #12."""
    tz = app.settings.tz
    with app.sessions()() as session:
        b = _load(session, visit)
        coach = b.slot.coach
        resident = b.resident
        timers = list(session.scalars(select(Timer).where(Timer.booking_id == b.id)
                                      .order_by(Timer.due_at, Timer.id)))
        lines = [
            f"Visit     #{b.id}",
            f"Status    {status_name(b)}",
            f"When      {_when(b.slot, app.settings)} (slot {b.slot.id})",
            f"Coach     {coach.name}" + (f" ({coach.phone})" if coach.phone else ""),
            f"Address   {b.street}, {b.postcode}",
            f"Phone     {b.phone}",
            f"Topic     {b.topic}",
            f"Note      {(b.topic_text or '').strip() or '-'}",
            f"Resident  {resident.channel}, {resident.language}"
            + (", stopped messages from us" if resident.opted_out_at is not None else ""),
            f"Cheque    {display(b.cheque.code)} ({b.cheque.visits_used} of "
            f"{b.cheque.visits} visit(s) used)",
            f"Booked    {b.created_at.astimezone(tz):%Y-%m-%d %H:%M}",
            f"Moved     {b.moves} time(s)",
        ]
        if b.confirmed_at is not None:
            lines.append(f"Confirmed {b.confirmed_at.astimezone(tz):%Y-%m-%d %H:%M} "
                         "by the resident")
        if b.outcome_at is not None:
            lines.append(f"Outcome   {_outcome_text(b, tz)}")
        if b.reason:
            lines.append(f"Reason    {b.reason}")
        lines.append(f"Changed   {b.updated_at.astimezone(tz):%Y-%m-%d %H:%M}")
        if timers:
            lines.append("Reminders")
            lines += [f"  {t.due_at.astimezone(tz):%Y-%m-%d %H:%M}  {t.kind}  {t.status}"
                      for t in timers]
    click.echo("\n".join(lines))


@visits.command("move")
@click.argument("visit", type=VISIT)
@click.option("--to", "target", required=True, metavar="SLOT|TIME",
              help="A slot id (see slots list --free), or a local time such as "
                   "\"2027-01-12 13:00\": a free slot starting then.")
@click.option("--coach", "coach_name", metavar="NAME",
              help="With a time: this coach's slot. Default: any coach serving the "
                   "visit's postcode.")
@_YES
@pass_app
def move_command(app: App, visit: int, target: str, coach_name: str | None,
                 yes: bool) -> None:
    """Move VISIT to another slot and tell the resident the new day and time."""
    settings, now = app.settings, app.clock()
    with app.sessions()() as session:
        booking = _load(session, visit)
        _require_to_come(booking, now, settings, "moved")
        slot = find_target(session, booking, target, coach_name, now, settings)
        version, slot_id = booking.version, slot.id
        click.echo(f"Visit #{visit}: {booking.postcode}, {booking.topic}")
        click.echo(f"  from {_when(booking.slot, settings)}  {booking.slot.coach.name}")
        click.echo(f"  to   {_when(slot, settings)}  {slot.coach.name} (slot {slot.id})")
        if not _serves(slot.coach, booking.postcode):
            click.echo(f"Note: {slot.coach.name} does not serve postcode {booking.postcode}.")
        new_when = _when(slot, settings)
    _confirm(yes, "Move the visit and tell the resident?")
    told = move_booking(_engine(app), settings, visit, slot_id, version)
    click.echo(f"Visit #{visit} moved to {new_when}. {told.line()}")


@visits.command("cancel")
@click.argument("visit", type=VISIT)
@click.option("--reason", required=True,
              help="Why (kept with the visit, not sent to the resident), e.g. 'coach ill'.")
@_YES
@pass_app
def cancel_command(app: App, visit: int, reason: str, yes: bool) -> None:
    """Cancel VISIT: the seat and the cheque's visit come back, and the resident is told,
    with new times to choose from when the cheque can still be booked with."""
    reason = reason.strip()
    if not reason:
        raise click.BadParameter("give a reason", param_hint="'--reason'")
    settings, now = app.settings, app.clock()
    with app.sessions()() as session:
        booking = _load(session, visit)
        _require_to_come(booking, now, settings, "cancelled")
        version = booking.version
        click.echo(f"Visit #{visit}: {_when(booking.slot, settings)}  "
                   f"{booking.slot.coach.name}  {booking.postcode}, {booking.topic}")
        click.echo(f"  will be cancelled (by staff: {reason}); its cheque's visit comes back.")
    _confirm(yes, "Cancel the visit and tell the resident?")
    told = cancel_booking(_engine(app), settings, visit, reason, version)
    click.echo(f"Visit #{visit} cancelled. {told.line()}")


def _outcome_plan(app: App, visit: int) -> tuple[Booking, int]:
    settings, now = app.settings, app.clock()
    with app.sessions()() as session:
        booking = _load(session, visit)
        _check_outcome(booking, now, settings)
        click.echo(f"Visit #{visit}: {_when(booking.slot, settings)}  "
                   f"{booking.slot.coach.name}  {booking.postcode}, {booking.topic}  "
                   f"({_outcome_text(booking, settings.tz)})")
        return booking, booking.version


@visits.command("done")
@click.argument("visit", type=VISIT)
@click.option("--by", "by", type=click.Choice(["coach", "resident"]), default=None,
              help="Who said the visit took place. Default: staff.")
@_YES
@pass_app
def done_command(app: App, visit: int, by: str | None, yes: bool) -> None:
    """Record that VISIT took place: its cheque's visit stays used. Also corrects a
    visit only assumed done. The resident is not messaged."""
    _, version = _outcome_plan(app, visit)
    click.echo("  will be recorded as done.")
    _confirm(yes, "Record it?")
    record_visit(_engine(app), app.settings, visit, BookingStatus.DONE, by or "staff", False,
                 version)
    click.echo(f"Visit #{visit} recorded as done.")


@visits.command("noshow")
@click.argument("visit", type=VISIT)
@click.option("--by", "by", type=click.Choice(["coach", "resident"]), required=True,
              help="Who was not there: the coach (the visit returns to the cheque) or the "
                   "resident (it does not, unless --give-back).")
@click.option("--give-back", is_flag=True,
              help="Return the visit to the cheque also when the resident was not there.")
@_YES
@pass_app
def noshow_command(app: App, visit: int, by: str, give_back: bool, yes: bool) -> None:
    """Record that VISIT did not take place, and tell the resident (with new times to
    choose from when the visit returns to the cheque)."""
    back = give_back or by == "coach"
    _, version = _outcome_plan(app, visit)
    click.echo(f"  will be recorded as a no-show of the {by}; the visit "
               f"{'returns to' if back else 'stays used on'} the cheque.")
    _confirm(yes, "Record it and tell the resident?")
    told = record_visit(_engine(app), app.settings, visit, BookingStatus.NO_SHOW, by, back,
                        version)
    click.echo(f"Visit #{visit} recorded as a no-show of the {by}. "
               f"{told.line() if told else ''}".rstrip())
