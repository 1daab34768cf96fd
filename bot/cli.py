"""The `digicheque` command: staff tools, the demo, chat and the server.

Each command group lives in its own module under bot/commands/; this module holds the
root group, the shared options and the error handling that turns a bad config or an
out-of-date database into one clear line instead of a traceback.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.config import ConfigError, Settings, load_settings
from storage.clock import Clock, fixed_clock, system_clock
from storage.db import SchemaError, make_engine, make_sessionmaker, require_current_schema


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
        raise click.BadParameter(f"expected a date and time like 2026-12-01T09:00, got {value!r}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.tz)
    return moment.astimezone(timezone.utc)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar="DIGICHEQUE_CONFIG", default=None,
              help="TOML config file. Default: ./digicheque.toml if present, else built-in "
                   "defaults. Any key can be overridden by DIGICHEQUE_<SECTION>_<KEY>.")
@click.version_option(package_name="digicheque")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """digicheque: book one-to-one digital help at home with a paper voucher.

    Residents text the code on their digicheque by SMS or Telegram; these commands are
    for city staff and operators.
    """
    ctx.obj = App(config_path=config_path)
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    # Imported here so each group stays in its own module and `cli` has no import cycle.
    from bot.commands import db as db_commands

    cli.add_command(db_commands.db)
    for name in ("cheques", "coaches", "slots", "agenda", "chat", "demo", "run"):
        try:
            module = __import__(f"bot.commands.{name}", fromlist=[name])
        except ModuleNotFoundError as exc:
            if exc.name != f"bot.commands.{name}":
                raise
            continue
        cli.add_command(getattr(module, name))


_register()


def main(argv: list[str] | None = None) -> Any:
    """Entry point: known failures become one line on stderr and exit code 2."""
    try:
        return cli.main(args=argv, prog_name="digicheque", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (ConfigError, SchemaError) as exc:
        click.echo(f"digicheque: {exc}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
