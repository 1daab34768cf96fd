"""What every `digicheque` command needs: the App (settings, clock, database) and how a
command receives it, plus reading a moment typed on the command line.

The command modules under bot/commands/ import from here, never from bot.cli, so that
bot.cli can import them all without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings, load_settings
from storage.clock import Clock, fixed_clock, system_clock
from storage.db import make_engine, make_sessionmaker, require_current_schema


@dataclass
class App:
    """What every command needs, built lazily so `--help` works without a database."""

    config_path: Path | None
    now: datetime | None = None
    _engine: Engine | None = field(default=None, repr=False)

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config_path)

    @property
    def clock(self) -> Clock:
        return fixed_clock(self.now) if self.now is not None else system_clock

    def engine(self, check_schema: bool = True) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database.url)
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


def parse_moment(value: str, settings: Settings) -> datetime:
    """Read '2026-12-01T09:00' (local time of the city unless an offset is given)."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"expected a date and time like 2026-12-01T09:00, got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.tz)
    return moment.astimezone(timezone.utc)
