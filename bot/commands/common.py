"""What several staff commands share: reading a day, finding a coach, showing local times,
a booking on one line and a plain text table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import App, check_day
from storage.cheques import DATE_HINT, local_today, parse_date
from storage.models import Booking, Coach
from storage.slots import coach_by_name

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RELATIVE_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}


def today(app: App) -> date:
    """Today's date in the city's time zone, from the app's clock."""
    return local_today(app.clock(), app.settings.tz)


class DateParam(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.4 on
    """A day as staff type it: ISO 2026-12-01, and as the option allows also

    - `relative`: today, tomorrow or yesterday (in the city's time zone);
    - `belgian`: 31/12/2026, 31-12-2026 or 31.12.2026 (as printed on a cheque);
    - `bounded`: only days inside bot.app's FIRST_DAY..LAST_DAY, for days that commands
      compute with (a cheque's expiry is only compared, so it need not be).
    """

    name = "DATE"

    def __init__(self, *, relative: bool = False, belgian: bool = False,
                 bounded: bool = False) -> None:
        self.relative = relative
        self.belgian = belgian
        self.bounded = bounded

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if self.relative and text.lower() in RELATIVE_DAYS:
            app = ctx.find_object(App) if ctx is not None else None
            if app is None:
                self.fail("today/tomorrow need the digicheque command", param, ctx)
            return today(app) + timedelta(days=RELATIVE_DAYS[text.lower()])
        try:
            day = parse_date(text) if self.belgian else date.fromisoformat(text.lower())
        except ValueError:
            self.fail(f"expected {self.hint()}, got {value!r}", param, ctx)
        try:
            return check_day(day) if self.bounded else day
        except ValueError as exc:
            self.fail(str(exc), param, ctx)

    def hint(self) -> str:
        forms = DATE_HINT if self.belgian else "a date like 2026-12-01"
        return f"{forms} (or today, tomorrow)" if self.relative else forms


DAY = DateParam(relative=True, bounded=True)
"""A day to look at or plan: 2026-12-01, today, tomorrow, yesterday."""

EXPIRY = DateParam(belgian=True)
"""A cheque's last day, as the city writes it: 31/12/2026 or 2026-12-31."""


def get_coach(session: Session, name: str, active_only: bool = True) -> Coach:
    """The coach with this name, or a ClickException that lists the coaches there are."""
    coach = coach_by_name(session, name)
    if coach is not None and (coach.active or not active_only):
        return coach
    known = sorted(c.name for c in session.scalars(select(Coach).where(Coach.active)))
    listing = f"Coaches: {', '.join(known)}." if known else "There are no coaches yet."
    if coach is not None:
        raise click.ClickException(
            f"Coach {coach.name!r} was removed. {listing} Make it active again with: "
            f"digicheque coaches add {coach.name!r}")
    raise click.ClickException(
        f"No coach named {name!r}. {listing} Add one with: digicheque coaches add NAME")


def day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`) in local time, as UTC moments."""
    start = datetime.combine(first, time(0), tzinfo=tz).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(timezone.utc)
    return start, end


LIST_DAYS = 7   # a listing without --to shows a week


def listed_period(app: App, day: date | None, first: date | None, last: date | None
                  ) -> tuple[datetime, datetime, str]:
    """A listing's --date or --from/--to (default: a week from today) as UTC bounds and
    as words for the output ("2026-12-01 to 2026-12-07")."""
    if day is not None and (first or last):
        raise click.UsageError("give either --date or --from/--to, not both")
    if day is not None:
        first = last = day
    first = first or today(app)
    last = last or first + timedelta(days=LIST_DAYS - 1)
    if last < first:
        raise click.BadParameter(f"{last} is before --from {first}", param_hint="'--to'")
    start, end = day_bounds(first, last, app.settings.tz)
    return start, end, f"{first}" if first == last else f"{first} to {last}"


def when(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'Tue 2026-12-01 09:00-10:30' in local time."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    return f"{DAY_NAMES[a.weekday()]} {a:%Y-%m-%d %H:%M}-{b:%H:%M}"


def topic_of(booking: Booking) -> str:
    text = (booking.topic_text or "").strip()
    return f"{booking.topic}: {text}" if text else booking.topic


def address_of(booking: Booking) -> str:
    return f"{booking.street}, {booking.postcode}"


def booking_line(booking: Booking, tz: ZoneInfo) -> str:
    """One visit for staff: id, local time, coach, address, phone, topic."""
    slot = booking.slot
    return (f"#{booking.id}  {when(slot.starts_at, slot.ends_at, tz)}  {slot.coach.name}  "
            f"{address_of(booking)}  {booking.phone}  {topic_of(booking)}")


def columns(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table, columns padded to their widest cell."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
             for line in [list(headers), *rows]]
    return "\n".join(lines)
