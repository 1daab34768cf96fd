"""The `digicheque` command: staff tools, the demo, chat and the server.

Each command group lives in its own module under bot/commands/; this module holds the
root group, registers the groups and turns what an operator can fix (a bad config, a
database that is out of date, missing or unreachable) into one clear line instead of a
traceback; `--debug` shows the traceback too. What the commands share is in bot/app.py.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

import click
from sqlalchemy.exc import DBAPIError

from bot.app import App, DatabaseSetupError
from bot.commands.agenda import agenda
from bot.commands.broadcast import broadcast
from bot.commands.chat import chat
from bot.commands.cheques import cheques
from bot.commands.coaches import coaches
from bot.commands.db import db
from bot.commands.demo import demo
from bot.commands.jobs import jobs
from bot.commands.run import run
from bot.commands.slots import slots
from bot.commands.stats import stats
from bot.commands.visits import visits
from bot.config import ConfigError
from storage.db import SchemaError

# Failures whose message says all an operator needs: shown as one line, exit status 2.
KNOWN_FAILURES = (ConfigError, SchemaError, DatabaseSetupError, DBAPIError)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar="DIGICHEQUE_CONFIG", default=None,
              help="TOML config file. Default: ./digicheque.toml if present, else built-in "
                   "defaults. Any key can be overridden by DIGICHEQUE_<SECTION>_<KEY>.")
@click.option("--debug", is_flag=True,
              help="On a failure, also show the Python traceback (for a bug report).")
@click.version_option(package_name="digicheque")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, debug: bool) -> None:
    """digicheque: book one-to-one digital help at home with a paper voucher.

    Residents text the code on their digicheque by SMS or Telegram; these commands are
    for city staff and operators.
    """
    app = ctx.ensure_object(App)  # main() passes one in, to explain a failure afterwards
    app.config_path, app.debug = config_path, debug
    ctx.call_on_close(app.close)


cli.add_command(db)
cli.add_command(cheques)
cli.add_command(coaches)
cli.add_command(slots)
cli.add_command(visits)
cli.add_command(agenda)
cli.add_command(chat)
cli.add_command(demo)
cli.add_command(run)
cli.add_command(jobs)
cli.add_command(stats)
cli.add_command(broadcast)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: known failures become one line on stderr and exit code 2."""
    app = App()
    try:
        return cli.main(args=argv, prog_name="digicheque", standalone_mode=False, obj=app)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KNOWN_FAILURES as exc:
        if app.debug:
            traceback.print_exception(exc)
        click.echo(f"digicheque: {explain(exc, app)}", err=True)
        sys.exit(2)


def explain(exc: Exception, app: App) -> str:
    """One line for a known failure. A driver's message can run over several lines
    (psycopg adds a hint), and SQLAlchemy adds the statement and a link: the first line
    of the driver's own message is what names the problem."""
    if not isinstance(exc, DBAPIError):
        return str(exc)
    reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
    where = app.database_url or "the database"
    return f"cannot use the database {where}: {type(exc.orig).__name__}: {reason}"


if __name__ == "__main__":
    main()
