"""The `digicheque` command: staff tools, the demo, chat and the server.

Each command group lives in its own module under bot/commands/; this module holds the
root group, registers the groups and turns a bad config or an out-of-date database into
one clear line instead of a traceback. What the commands share is in bot/app.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bot.app import App, parse_moment, pass_app
from bot.commands.agenda import agenda
from bot.commands.chat import chat
from bot.commands.cheques import cheques
from bot.commands.coaches import coaches
from bot.commands.db import db
from bot.commands.demo import demo
from bot.commands.run import run
from bot.commands.slots import slots
from bot.config import ConfigError
from storage.db import SchemaError

__all__ = ["App", "cli", "main", "parse_moment", "pass_app"]  # App & co. for older imports


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


cli.add_command(db)
cli.add_command(cheques)
cli.add_command(coaches)
cli.add_command(slots)
cli.add_command(agenda)
cli.add_command(chat)
cli.add_command(demo)
cli.add_command(run)


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
