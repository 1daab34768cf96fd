"""`digicheque cheques`: create, import, list, show and void the paper vouchers."""

from __future__ import annotations

import csv
import io
import sys
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO

import click
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.app import App, pass_app
from bot.commands.common import EXPIRY, today
from storage.cheques import MAX_BATCH, MAX_VISITS, ChequeFile, ChequeFileError, ChequeState, \
    ImportResult, VoidOutcome, bookings_with, cheque_state, code_problem_text, find_cheque, \
    generate_cheques, import_cheques, list_cheques, similar_cheques, void_cheque
from storage.codes import CodeError, CodeProblem, display, normalise
from storage.models import BookingStatus, Cheque

PROGRESS_FROM = 2000  # show a progress bar from this many codes on
STATE_NAMES = {ChequeState.OK: "open", ChequeState.USED: "used", ChequeState.VOID: "void",
               ChequeState.EXPIRED: "expired"}
STATES_BY_NAME = {name: state for state, name in STATE_NAMES.items()}
CSV_COLUMNS = ["code", "batch", "expires", "visits"]


class BatchParam(click.ParamType):  # type: ignore[type-arg]  # generic from click 8.4 on
    name = "name"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> str:
        text = str(value).strip()
        if not text or len(text) > MAX_BATCH:
            self.fail(f"a batch name has 1 to {MAX_BATCH} characters, got {value!r}", param, ctx)
        return text


class _Bar:
    """A progress bar on stderr that appears only once the work is known to be large."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None

    def start(self, length: int) -> None:
        if length >= PROGRESS_FROM and self.bar is None:
            self.bar = click.progressbar(length=length, label=self.label,
                                         file=sys.stderr)
            self.bar.__enter__()

    def __call__(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(done)

    def __enter__(self) -> _Bar:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.bar is not None:
            self.bar.__exit__(kind, error, trace)


def _check_not_past(expires: date | None, day: date) -> None:
    if expires is not None and expires < day:
        raise click.BadParameter(f"{expires.isoformat()} is in the past (today is "
                                 f"{day.isoformat()})", param_hint="'--expires'")


def _read_code(text: str, session: Session) -> str:
    """A code as staff typed it, forgivingly; a typo gets the known codes it may have been."""
    try:
        return normalise(text)
    except CodeError as exc:
        message = f"{text!r} is not a valid code: {code_problem_text(text, exc)}."
        if exc.problem == CodeProblem.CHECK_FAILED:
            near = similar_cheques(session, text)
            if near:
                message += " Did you mean " + " or ".join(display(c.code) for c in near) + "?"
        raise click.ClickException(message) from None


def _find(session: Session, text: str) -> Cheque:
    code = _read_code(text, session)
    cheque = find_cheque(session, code)
    if cheque is None:
        raise click.ClickException(f"No cheque with code {display(code)} is known.")
    return cheque


def _write_csv(out: TextIO, codes: list[str], batch: str | None, expires: date | None,
               visits: int, lineterminator: str = "\r\n") -> None:
    writer = csv.writer(out, lineterminator=lineterminator)
    writer.writerow(CSV_COLUMNS)
    expires_text = expires.isoformat() if expires else ""
    writer.writerows([display(code), batch or "", expires_text, visits] for code in codes)


@click.group()
def cheques() -> None:
    """Create, import, list, show and void digicheques (the paper vouchers).

    Codes are 9 symbols shown as XXXX-XXXX-C; the last one is a check symbol that catches
    any single typo or swap of two neighbouring symbols.
    """


@cheques.command("generate")
@click.option("--count", type=click.IntRange(1, 1_000_000), required=True,
              help="How many new cheques to create.")
@click.option("--visits", type=click.IntRange(1, MAX_VISITS), default=1, show_default=True,
              help="Home visits each cheque is worth.")
@click.option("--expires", type=EXPIRY, default=None,
              help="Last day the cheques can be used (31/12/2026 or 2026-12-31). "
                   "Default: no expiry.")
@click.option("--batch", type=BatchParam(), default=None,
              help="A name for this print run, to list or report on it later.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV file for the print shop (columns code, batch, expires, visits). "
                   "Must not exist yet. Default: print the CSV to standard output.")
@pass_app
def generate_command(app: App, count: int, visits: int, expires: date | None,
                     batch: str | None, out: Path | None) -> None:
    """Create new cheques with random codes and write them as CSV for the print shop.

    The codes come from the operating system's cryptographic random source and are unique
    against every code already known. The cheques are stored only if the CSV is written.
    """
    _check_not_past(expires, today(app))
    if out is not None and out.exists():
        raise click.BadParameter(f"{out} already exists; choose a new file name so no "
                                 "printed codes are overwritten", param_hint="'--out'")
    sessions = app.sessions()
    written = False
    try:
        with _Bar("Creating cheques") as bar, sessions.begin() as session:
            bar.start(2 * count)
            codes = generate_cheques(session, count, now=app.clock(), visits=visits,
                                     expires_on=expires, batch=batch, progress=bar)
            if out is not None:  # written before the commit: no stored codes without a file
                with out.open("x", newline="", encoding="utf-8") as handle:
                    written = True
                    _write_csv(handle, codes, batch, expires, visits)
    except BaseException as exc:
        if written and out is not None:  # the cheques were not stored: no file either
            out.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}. "
                                       "No cheques were created.") from None
        raise
    in_batch = f" in batch {batch}" if batch else ""
    if out is None:
        buffer = io.StringIO()
        _write_csv(buffer, codes, batch, expires, visits, lineterminator="\n")
        click.echo(buffer.getvalue(), nl=False)
        click.echo(f"Created {len(codes)} cheques{in_batch}.", err=True)
    else:
        click.echo(f"Created {len(codes)} cheques{in_batch}; codes written to {out}.", err=True)


@cheques.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True,
              help="Import the good lines even if some are bad (the bad ones are listed). "
                   "Without it nothing is imported unless every line is good.")
@click.option("--visits", type=click.IntRange(1, MAX_VISITS), default=1, show_default=True,
              help="Home visits a cheque is worth, for lines that do not say.")
@click.option("--expires", type=EXPIRY, default=None,
              help="Last day of use (31/12/2026 or 2026-12-31), for lines that do not say.")
@click.option("--batch", type=BatchParam(), default=None,
              help="Batch name for lines that do not say.")
@pass_app
def import_command(app: App, file: Path, skip_bad: bool, visits: int, expires: date | None,
                   batch: str | None) -> None:
    """Import codes the city already printed, from a CSV FILE.

    The file is one column of codes, or has a header line with a column code (or cheque,
    digicheque) and optional columns visits, expires (expiry, expires_on) and batch.
    Separated by commas or semicolons; UTF-8 with or without BOM; blank lines are ignored;
    codes may be written in lower case, with spaces or dashes, O for 0.

    Every bad line is listed with its line number and what is wrong: malformed code,
    duplicate in the file, already known, or a bad visits or expiry value.
    """
    day = today(app)
    _check_not_past(expires, day)
    data = file.read_bytes()
    read: list[ChequeFile] = []
    sessions = app.sessions()
    try:
        with _Bar(f"Importing {file.name}") as bar, sessions.begin() as session:
            def on_read(parsed: ChequeFile) -> None:
                read.append(parsed)
                bar.start(2 * len(parsed.rows))

            result = import_cheques(session, data, now=app.clock(), today=day,
                                    visits=visits, expires_on=expires, batch=batch,
                                    skip_bad=skip_bad, progress=bar, on_read=on_read)
    except ChequeFileError as exc:
        raise click.ClickException(f"{file}: {exc}. Nothing imported.") from None
    except IntegrityError:
        raise click.ClickException(
            f"{file}: some of these codes were added by someone else during the import. "
            "Nothing imported; run the import again to see which.") from None
    if read and read[0].ignored_columns:
        click.echo(f"{file}: ignored columns: {', '.join(read[0].ignored_columns)}", err=True)
    if result.bad:  # one write: a report can be 100,000 lines long
        click.echo("".join(f"{file}: line {bad.line}{f' ({bad.text})' if bad.text else ''}: "
                           f"{bad.reason}\n" for bad in result.bad), err=True, nl=False)
    if result.bad and not skip_bad:
        good = result.lines - len(result.bad)
        raise click.ClickException(
            f"Nothing imported: {len(result.bad)} of {result.lines} lines are bad "
            f"({_kinds(result)}; listed above). Correct them, or use --skip-bad to import "
            f"the {good} good one{'s' if good != 1 else ''}.")
    kinds = f" ({_kinds(result)})" if result.bad else ""
    click.echo(f"{file}: imported {result.imported}, skipped {result.skipped}{kinds}.")


def _kinds(result: ImportResult) -> str:
    return ", ".join(f"{count} {problem.value}" for problem, count in result.counts().items())


@cheques.command("list")
@click.option("--status", type=click.Choice(list(STATES_BY_NAME)), default=None,
              help="Only cheques in this state; expired means open but past its last day.")
@click.option("--batch", default=None, help="Only cheques of this batch.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv"]), default="table",
              show_default=True, help="A table to read, or CSV for a spreadsheet.")
@pass_app
def list_command(app: App, status: str | None, batch: str | None, fmt: str) -> None:
    """List cheques with their state, visits used, expiry and batch."""
    day = today(app)
    state = STATES_BY_NAME[status] if status else None
    sessions = app.sessions()
    with sessions() as session:
        found = list_cheques(session, day, state, batch)
    rows = [(display(c.code), STATE_NAMES[cheque_state(c, day)], c.visits_used, c.visits,
             c.expires_on.isoformat() if c.expires_on else "", c.batch or "") for c in found]
    out = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["code", "status", "visits_used", "visits", "expires", "batch"])
        writer.writerows(rows)
    elif not rows:
        click.echo("No cheques match.", err=True)
        return
    else:
        out.write(f"{'CODE':<13} {'STATUS':<8} {'VISITS':<7} {'EXPIRES':<10} BATCH\n")
        for code, name, used, total, expires_text, batch_name in rows:
            out.write(f"{code:<13} {name:<8} {f'{used}/{total}':<7} {expires_text or '-':<10} "
                      f"{batch_name}".rstrip() + "\n")
        out.write(f"{len(rows)} cheque{'s' if len(rows) != 1 else ''}\n")
    click.echo(out.getvalue(), nl=False)


@cheques.command("show")
@click.argument("code", nargs=-1, required=True)
@pass_app
def show_command(app: App, code: tuple[str, ...]) -> None:
    """Show one cheque: state, visits, expiry, batch and the bookings made with it.

    CODE may be typed forgivingly: lower case, spaces (no quotes needed) or dashes, O for
    0, I or L for 1. A code with a typo gets the known codes it may have been meant as.
    """
    day = today(app)
    tz = app.settings.tz
    sessions = app.sessions()
    with sessions() as session:
        cheque = _find(session, " ".join(code))
        bookings = bookings_with(session, cheque)
        lines = [
            f"Cheque   {display(cheque.code)}",
            f"Status   {STATE_NAMES[cheque_state(cheque, day)]}",
            f"Visits   {cheque.visits_used} of {cheque.visits} used",
            f"Expires  {cheque.expires_on.isoformat() if cheque.expires_on else 'never'}",
            f"Batch    {cheque.batch or '-'}",
            f"Created  {cheque.created_at.astimezone(tz):%Y-%m-%d %H:%M}",
        ]
        if cheque.void_reason:
            lines.append(f"Voided   {cheque.void_reason}")
        if not bookings:
            lines.append("Bookings none")
        else:
            lines.append("Bookings")
            for booking in bookings:
                starts = booking.slot.starts_at.astimezone(tz)
                lines.append(f"  {starts:%Y-%m-%d %H:%M}  {booking.status:<9}  coach "
                             f"{booking.slot.coach.name}  {booking.postcode}  {booking.topic}")
    click.echo("\n".join(lines))


@cheques.command("void")
@click.argument("code", nargs=-1, required=True)
@click.option("--reason", required=True,
              help="Why the cheque is withdrawn (lost, stolen, printed twice...); kept with it.")
@pass_app
def void_command(app: App, code: tuple[str, ...], reason: str) -> None:
    """Withdraw a cheque so it can no longer be used for booking.

    CODE is read forgivingly, as by `show`. Bookings already made with it stay as they are.
    """
    if not reason.strip():
        raise click.BadParameter("say why the cheque is withdrawn", param_hint="'--reason'")
    with app.sessions().begin() as session:
        known = _find(session, " ".join(code))
        outcome, cheque = void_cheque(session, known.code, reason.strip())
        booked = [b for b in bookings_with(session, known) if b.status == BookingStatus.BOOKED]
    if cheque is None:  # deleted between the two queries; cheques are never deleted
        raise click.ClickException(f"No cheque with code {display(known.code)} is known.")
    shown = display(cheque.code)
    if outcome == VoidOutcome.ALREADY_VOID:
        click.echo(f"Cheque {shown} was already void (reason: {cheque.void_reason}); "
                   "nothing changed.")
        return
    click.echo(f"Cheque {shown} is now void.")
    if booked:
        click.echo(f"Note: {len(booked)} visit(s) booked with it are still booked.", err=True)

