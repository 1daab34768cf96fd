"""What every `digicheque` command needs: the App (settings, clock, database) and how a
command receives it, plus reading a moment typed on the command line.

The command modules under bot/commands/ import from here, never from bot.cli, so that
bot.cli can import them all without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings, without_password
from storage.clock import Clock, fixed_clock, system_clock
from storage.db import make_engine, make_sessionmaker, require_current_schema

# The days staff can type. Python's dates end at the years 1 and 9999, and the commands
# and the conversation add to what staff type (a day's end, a time zone, weeks ahead,
# months of keeping data); this window keeps every such sum far inside.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2999, 12, 31)


class DatabaseSetupError(Exception):
    """The configured database cannot be opened at all; the message says why."""


@dataclass
class App:
    """What every command needs, built lazily so `--help` works without a database."""

    config_path: Path | None = None
    now: datetime | None = None
    debug: bool = False
    _engine: Engine | None = field(default=None, repr=False)

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config_path)

    @property
    def database_url(self) -> str | None:
        """The configured URL without its password, once the settings are read."""
        settings = self.__dict__.get("settings")
        return without_password(settings.database.url) if settings is not None else None

    @property
    def clock(self) -> Clock:
        return fixed_clock(self.now) if self.now is not None else system_clock

    def engine(self, check_schema: bool = True) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.settings.database.url)
        if check_schema:
            require_current_schema(self._engine)
        return self._engine

    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(self.engine())

    def close(self) -> None:
        """Give the database connections back when the command ends."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


pass_app = click.make_pass_decorator(App)


def open_engine(url: str) -> Engine:
    """make_engine, with a URL, driver or SQLite folder that cannot work said in one line."""
    shown = f"[database] url {without_password(url)!r}"
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "",
                                                                             ":memory:"):
            folder = Path(parsed.database).absolute().parent
            if not folder.is_dir():
                raise DatabaseSetupError(f"{shown}: the folder {folder} for the SQLite file "
                                         "does not exist")
        return make_engine(url)
    except NoSuchModuleError:  # before ArgumentError, its base class
        raise DatabaseSetupError(f"{shown}: unknown database type "
                                 f"{url.partition(':')[0]!r}; use sqlite:/// or "
                                 "postgresql+psycopg://") from None
    except ArgumentError:
        raise DatabaseSetupError(f"{shown} is not a database URL; expected e.g. "
                                 "sqlite:///digicheque.db or "
                                 "postgresql+psycopg://user@host/name") from None
    except ImportError as exc:
        raise DatabaseSetupError(f"{shown}: its driver {exc.name or exc} is not installed; "
                                 "digicheque supports SQLite and PostgreSQL "
                                 "(postgresql+psycopg://)") from None


def check_day(day: date) -> date:
    """The day, if inside the window staff can plan in; else ValueError saying so."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day} is outside the days digicheque plans in "
                         f"({FIRST_DAY} to {LAST_DAY})")
    return day


def parse_moment(value: str, settings: Settings, option: str | None = None) -> datetime:
    """Read '2026-12-01T09:00' (local time of the city unless an offset is given);
    `option` names the command-line option in the error."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"expected a date and time like 2026-12-01T09:00, got {value!r}",
            param_hint=option) from None
    try:
        check_day(moment.date())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.tz)
    return moment.astimezone(timezone.utc)
