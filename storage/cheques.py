"""Cheques: their state, reading the city's code files, and the staff queries.

Three parts, top to bottom:
- the state of a cheque as residents and staff see it (`cheque_state`, `state_filter`),
  derived from the stored status, the visits used and the expiry date in the city's
  time zone; the conversation engine reuses `cheque_state`;
- reading a file of printed codes (`read_cheque_file`): pure, no database, every bad line
  reported with its line number and the reason;
- the queries: codes already known (in chunks), bulk insert (chunked executemany),
  import and generate in the caller's one transaction, find, list and void.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import NamedTuple, TypeVar, cast

from sqlalchemy import ColumnElement, String, Table, and_, any_, bindparam, insert, or_, select, \
    update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, joinedload

from storage.codes import CODE_LENGTH, VALUE, CodeError, CodeProblem, display, is_valid, \
    new_code, normalise
from storage.models import Booking, Cheque, ChequeStatus, Slot

T = TypeVar("T")
Progress = Callable[[int], None]
"""Told how many more items are done; the CLI feeds a progress bar with it."""

LOOKUP_CHUNK = 1000   # codes per `WHERE code IN (...)` query (SQLite)
PG_LOOKUP_CHUNK = 5000  # codes per `WHERE code = ANY(array)` query (PostgreSQL)
INSERT_CHUNK = 10000  # rows per executemany
MAX_VISITS = 20       # more visits on one cheque is a column mix-up, not a cheque
MAX_BATCH = 64        # Cheque.batch is String(64)


def _no_progress(_done: int) -> None:
    return None


# ---------------------------------------------------------------------------- state

class ChequeState(StrEnum):
    OK = "ok"              # can be booked with
    USED = "used"          # every visit it is worth is booked or done
    VOID = "void"          # withdrawn by staff
    EXPIRED = "expired"    # still open, but its last day has passed


def cheque_state(cheque: Cheque, today: date) -> ChequeState:
    """What a cheque is worth today (`today` in the city's time zone, see local_today).

    Void wins over used, used over expired. A cheque is valid through its expiry date.
    """
    if cheque.status == ChequeStatus.VOID:
        return ChequeState.VOID
    if cheque.status == ChequeStatus.USED or cheque.visits_used >= cheque.visits:
        return ChequeState.USED
    if cheque.expires_on is not None and cheque.expires_on < today:
        return ChequeState.EXPIRED
    return ChequeState.OK


def state_filter(state: ChequeState, today: date) -> ColumnElement[bool]:
    """The SQL condition that selects exactly the cheques `cheque_state` puts in `state`."""
    is_void = Cheque.status == ChequeStatus.VOID
    is_used = and_(~is_void, or_(Cheque.status == ChequeStatus.USED,
                                 Cheque.visits_used >= Cheque.visits))
    is_past = and_(Cheque.expires_on.is_not(None), Cheque.expires_on < today)
    if state == ChequeState.VOID:
        return is_void
    if state == ChequeState.USED:
        return is_used
    if state == ChequeState.EXPIRED:
        return and_(~is_void, ~is_used, is_past)
    return and_(~is_void, ~is_used, ~is_past)


def local_today(now: datetime, tz: tzinfo) -> date:
    """The date it is now in the city (an expiry date is a local date)."""
    return now.astimezone(tz).date()


# ---------------------------------------------------------------------------- values

_CLEAN = re.compile(r"[\s\-._/]+")
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]0?0:00(?::00)?)?")
_LOCAL_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
DATE_HINT = "a date like 31/12/2026 or 2026-12-31"


def _cleaned(text: str) -> str:
    """The symbols of a code as storage.codes.normalise reads them, before checking."""
    return _CLEAN.sub("", text).upper().translate(_READ_AS)


def code_problem_text(text: str, error: CodeError) -> str:
    """Say what is wrong with a code a person typed, in words staff understand."""
    cleaned = _cleaned(text)
    if error.problem == CodeProblem.WRONG_LENGTH:
        return (f"malformed: wrong length ({len(cleaned)} symbols; a code has "
                f"{CODE_LENGTH}, like ABCD-EFGH-K)")
    if error.problem == CodeProblem.BAD_SYMBOL:
        bad = next((s for s in cleaned if s not in VALUE), "?")
        return f"malformed: symbol {bad!r} is not allowed in a code"
    return "malformed: check symbol wrong (a typo in the code)"


def parse_date(text: str) -> date:
    """Read an expiry date: ISO 2026-12-31 or Belgian 31/12/2026 (also 31-12-2026, 31.12.2026).

    Raises ValueError with a message that names the expected forms.
    """
    value = text.strip()
    iso = _ISO_DATE.fullmatch(value)
    local = _LOCAL_DATE.fullmatch(value)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if local:
            return date(int(local[3]), int(local[2]), int(local[1]))
    except ValueError:
        raise ValueError(f"no such date {value!r}") from None
    raise ValueError(f"expected {DATE_HINT}, got {value!r}")


def parse_visits(text: str) -> int:
    """Read a number of visits, 1 to MAX_VISITS. Raises ValueError saying what is expected."""
    value = text.strip()
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_VISITS:
        raise ValueError(f"expected a whole number of visits from 1 to {MAX_VISITS}, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------- files

class ChequeFileError(ValueError):
    """The file as a whole cannot be read (not text, no code column, no codes)."""


class Column(StrEnum):
    CODE = "code"
    VISITS = "visits"
    EXPIRES = "expires"
    BATCH = "batch"


HEADER_NAMES: dict[str, Column] = {
    "code": Column.CODE, "cheque": Column.CODE, "digicheque": Column.CODE,
    "visits": Column.VISITS,
    "expires": Column.EXPIRES, "expiry": Column.EXPIRES, "expires_on": Column.EXPIRES,
    "batch": Column.BATCH,
}


class NewCheque(NamedTuple):
    """One good line of a file: a normalised code and what it is worth.

    A NamedTuple, not a frozen dataclass: 100,000 of them are made in a few milliseconds.
    """

    line: int
    code: str
    visits: int
    expires_on: date | None
    batch: str | None


class Problem(StrEnum):
    """The kinds of bad line, for counting them in a summary."""

    MALFORMED = "malformed"
    DUPLICATE = "duplicate in file"
    KNOWN = "already known"
    BAD_VALUE = "bad value"
    NO_CODE = "no code"
    EXTRA_COLUMNS = "extra columns"


@dataclass(frozen=True)
class BadLine:
    line: int
    text: str      # the line's code as written, for the report
    reason: str    # in full, e.g. "malformed: check symbol wrong (a typo in the code)"
    problem: Problem


@dataclass
class ChequeFile:
    """A file read and checked on its own (without the database)."""

    rows: list[NewCheque] = field(default_factory=list)
    bad: list[BadLine] = field(default_factory=list)
    lines: int = 0                                            # non-blank data lines
    delimiter: str = ","
    header: bool = False
    ignored_columns: list[str] = field(default_factory=list)


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 with BOM (Excel 'Unicode text'), else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    if data.startswith(b"PK\x03\x04"):
        raise ChequeFileError("this is a spreadsheet workbook (.xlsx or .ods), not a text "
                              "file; save it as CSV first")
    if b"\x00" in data:
        raise ChequeFileError("this is not a text file; save it as CSV first")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ChequeFileError("this is not a text file; save it as CSV (UTF-8) first") \
            from None


def _sniff_delimiter(text: str) -> str:
    """Semicolon (Belgian Excel), tab or comma: whichever the first non-blank line uses most."""
    first = next((line for line in io.StringIO(text, newline=None) if line.strip()), "")
    counts = {d: first.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header_name(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each non-blank record; line numbers as a person counts."""
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    start = 1
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            joined = "".join(cells)
            if joined and not joined.isspace():
                yield line, cells
    except csv.Error as exc:
        raise ChequeFileError(f"line {reader.line_num}: cannot read this line: {exc}") from None


def _columns(cells: list[str], line: int) -> tuple[dict[Column, int], list[str]] | None:
    """The header's columns, or None when the first line is not a header."""
    names = [_header_name(cell) for cell in cells]
    if not any(name in HEADER_NAMES for name in names):
        return None
    columns: dict[Column, int] = {}
    ignored = []
    for index, name in enumerate(names):
        column = HEADER_NAMES.get(name)
        if column is None:
            if name:
                ignored.append(cells[index].strip())
            continue
        if column in columns:
            raise ChequeFileError(
                f"line {line}: two {column.value} columns ({cells[columns[column]].strip()!r} "
                f"and {cells[index].strip()!r}); keep one")
        columns[column] = index
    if Column.CODE not in columns:
        raise ChequeFileError(
            f"line {line}: the header has no code column; name it code (or cheque, "
            f"digicheque). Found: {', '.join(c.strip() for c in cells if c.strip())}")
    return columns, ignored


class _Cached:
    """Parse each distinct cell value once: a file has few distinct dates and batches."""

    def __init__(self, parse: Callable[[str], object]) -> None:
        self.parse = parse
        self.seen: dict[str, object] = {}

    def __call__(self, text: str) -> object:
        """The parsed value, or the ValueError saying why it is bad (returned, not raised)."""
        result = self.seen.get(text)
        if result is None:
            try:
                result = self.parse(text)
            except ValueError as exc:
                result = exc
            self.seen[text] = result
        return result


def _parse_batch(text: str) -> str:
    value = text.strip()
    if len(value) > MAX_BATCH:
        raise ValueError(f"longer than {MAX_BATCH} characters")
    return value


def _chain(first: tuple[int, list[str]],
           rest: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    yield first
    yield from rest


class _LineReader:
    """Turns the cells of one data line into a NewCheque or the reason it is bad."""

    def __init__(self, columns: dict[Column, int], header: bool, first_line: int, *,
                 visits: int, expires_on: date | None, batch: str | None,
                 today: date | None) -> None:
        self.code_at = columns[Column.CODE]
        # (slot in `defaults`, name, cell index, parser); plain ints, as hashing an enum
        # member runs Python code and this is the loop over every line.
        self.extra = [(slot, column.value, index, _Cached(parse))
                      for slot, (column, parse) in enumerate(((Column.VISITS, parse_visits),
                                                              (Column.EXPIRES, parse_date),
                                                              (Column.BATCH, _parse_batch)))
                      if (index := columns.get(column)) is not None]
        self.header = header
        self.first_line = first_line
        self.defaults: list[object] = [visits, expires_on, batch]
        self.today = today

    def __call__(self, line: int, cells: list[str]) -> NewCheque | tuple[Problem, str]:
        raw = self.raw_code(cells)
        if not raw:
            return Problem.NO_CODE, "no code on this line"
        if not self.header and any(cell.strip() for cell in cells[1:]):
            return Problem.EXTRA_COLUMNS, (
                "more than one column; to give visits, expiry or batch per code, start "
                "the file with a header line such as code;visits;expires;batch")
        # Fast path for the usual ABCD-EFGH-K: if dropping dashes leaves a valid code,
        # normalise() would return just that; anything else goes through normalise().
        code = raw.replace("-", "").upper().translate(_READ_AS)
        try:
            if not is_valid(code):
                code = normalise(raw)
        except CodeError as exc:
            reason = code_problem_text(raw, exc)
            if line == self.first_line and not any(ch.isdigit() for ch in raw):
                reason += "; if this line is a header, call the column 'code'"
            return Problem.MALFORMED, reason
        values = self.defaults.copy()
        problems = []
        for slot, name, index, read in self.extra:
            cell = cells[index].strip() if index < len(cells) else ""
            if cell:
                value = read(cell)
                if isinstance(value, ValueError):
                    problems.append(f"bad {name} value: {value}")
                else:
                    values[slot] = value
        visits, expires, batch = values
        if self.today is not None and expires is not None and expires < self.today:  # type: ignore[operator]
            problems.append(f"bad expires value: {expires} is in the past")
        if problems:
            return Problem.BAD_VALUE, "; ".join(problems)
        return NewCheque(line, code, visits, expires, batch)  # type: ignore[arg-type]

    def raw_code(self, cells: list[str]) -> str:
        return cells[self.code_at].strip() if self.code_at < len(cells) else ""


def read_cheque_file(data: bytes, *, visits: int = 1, expires_on: date | None = None,
                     batch: str | None = None, today: date | None = None) -> ChequeFile:
    """Read a file of codes: check every line and find duplicates within the file.

    Accepts one column of codes without header, or a header naming a code column (code,
    cheque, digicheque) and optionally visits, expires (expiry, expires_on) and batch;
    comma, semicolon or tab separated; blank lines ignored. `visits`, `expires_on` and
    `batch` are used where a line gives no value. With `today`, an expiry before it is bad.
    Raises ChequeFileError when the file as a whole cannot be read.
    """
    text = decode(data)
    result = ChequeFile(delimiter=_sniff_delimiter(text))
    records = _records(text, result.delimiter)
    first = next(records, None)
    if first is None:
        raise ChequeFileError("the file holds no codes")
    found = _columns(first[1], first[0])
    if found is not None:
        columns, result.ignored_columns = found
        result.header = True
    else:
        columns = {Column.CODE: 0}
        records = _chain(first, records)
    read_line = _LineReader(columns, result.header, first[0], visits=visits,
                            expires_on=expires_on, batch=batch, today=today)
    seen: dict[str, int] = {}
    for line, cells in records:
        result.lines += 1
        row = read_line(line, cells)
        if not isinstance(row, NewCheque):
            result.bad.append(BadLine(line, read_line.raw_code(cells)[:40], row[1], row[0]))
            continue
        earlier = seen.get(row.code)
        if earlier is not None:
            result.bad.append(BadLine(line, read_line.raw_code(cells)[:40],
                                      f"duplicate in file: same code as line {earlier}",
                                      Problem.DUPLICATE))
            continue
        seen[row.code] = line
        result.rows.append(row)
    if result.lines == 0:
        raise ChequeFileError("the file holds no codes, only a header")
    return result


# ---------------------------------------------------------------------------- queries

def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def known_codes(session: Session, codes: Iterable[str],
                progress: Progress = _no_progress) -> dict[str, str | None]:
    """Which of these codes the database already holds: code -> its batch.

    One query per chunk of codes, not one per code: `code IN (...)` on SQLite; on
    PostgreSQL `code = ANY(array)`, one parameter instead of thousands (3x faster).
    """
    found: dict[str, str | None] = {}
    items = list(codes)
    postgres = session.get_bind().dialect.name == "postgresql"
    for chunk in _chunks(items, PG_LOOKUP_CHUNK if postgres else LOOKUP_CHUNK):
        if postgres:
            condition = Cheque.code == any_(bindparam("codes", list(chunk),
                                                      type_=postgresql.ARRAY(String)))
        else:
            condition = Cheque.code.in_(chunk)
        rows = session.execute(select(Cheque.code, Cheque.batch).where(condition))
        found.update((code, batch) for code, batch in rows)
        progress(len(chunk))
    return found


def insert_cheques(session: Session, rows: Sequence[NewCheque], now: datetime,
                   progress: Progress = _no_progress) -> int:
    """Insert new cheques with executemany in chunks of INSERT_CHUNK, in the caller's
    transaction. The unique index on code is the final guard against duplicates."""
    statement = insert(cast(Table, Cheque.__table__))
    connection = session.connection()
    for chunk in _chunks(rows, INSERT_CHUNK):
        connection.execute(statement, [
            {"code": row.code, "status": ChequeStatus.OPEN.value, "visits": row.visits,
             "visits_used": 0, "expires_on": row.expires_on, "batch": row.batch,
             "created_at": now}
            for row in chunk])
        progress(len(chunk))
    return len(rows)


@dataclass
class ImportResult:
    imported: int
    bad: list[BadLine]
    lines: int

    @property
    def skipped(self) -> int:
        return len(self.bad)

    def counts(self) -> dict[Problem, int]:
        """How many bad lines of each kind, most frequent first."""
        found: dict[Problem, int] = {}
        for item in self.bad:
            found[item.problem] = found.get(item.problem, 0) + 1
        return dict(sorted(found.items(), key=lambda pair: -pair[1]))


def import_cheques(session: Session, data: bytes, *, now: datetime, today: date,
                   visits: int = 1, expires_on: date | None = None, batch: str | None = None,
                   skip_bad: bool = False, progress: Progress = _no_progress,
                   on_read: Callable[[ChequeFile], None] | None = None) -> ImportResult:
    """Read, check and insert a file of codes in the caller's transaction.

    Bad lines (malformed, duplicate in the file, already known, bad values) are all
    reported. Unless `skip_bad`, nothing is inserted when any line is bad. `progress`
    advances once per code for the lookup and once per code for the insert; `on_read`
    is told the file once it is read (the CLI sizes its progress bar from it).
    Raises ChequeFileError when the file as a whole cannot be read.
    """
    parsed = read_cheque_file(data, visits=visits, expires_on=expires_on, batch=batch,
                              today=today)
    if on_read is not None:
        on_read(parsed)
    known = known_codes(session, (row.code for row in parsed.rows), progress)
    good = []
    bad = list(parsed.bad)
    for row in parsed.rows:
        if row.code in known:
            where = f" (batch {known[row.code]})" if known[row.code] else ""
            bad.append(BadLine(row.line, display(row.code), f"already known{where}",
                               Problem.KNOWN))
        else:
            good.append(row)
    bad.sort(key=lambda item: item.line)
    if bad and not skip_bad:
        return ImportResult(0, bad, parsed.lines)
    imported = insert_cheques(session, good, now, progress)
    return ImportResult(imported, bad, parsed.lines)


def generate_cheques(session: Session, count: int, *, now: datetime, visits: int = 1,
                     expires_on: date | None = None, batch: str | None = None,
                     make_code: Callable[[], str] = new_code,
                     progress: Progress = _no_progress) -> list[str]:
    """Create `count` new cheques with fresh random codes, unique within the run and against
    the database, in the caller's transaction. Returns the codes in creation order."""
    fresh: dict[str, None] = {}
    while len(fresh) < count:
        wanted: dict[str, None] = {}
        while len(wanted) < count - len(fresh):
            code = make_code()
            if code not in fresh:
                wanted[code] = None
        known = known_codes(session, wanted, progress)
        fresh.update((code, None) for code in wanted if code not in known)
    rows = [NewCheque(0, code, visits, expires_on, batch) for code in fresh]
    insert_cheques(session, rows, now, progress)
    return list(fresh)


def near_codes(text: str) -> list[str]:
    """Valid codes one typo away from a 9-symbol text that fails its check: each position
    replaced by the one symbol that makes the check pass, and each neighbouring swap."""
    cleaned = _cleaned(text)
    if len(cleaned) != CODE_LENGTH or any(s not in VALUE for s in cleaned):
        return []
    found: dict[str, None] = {}
    for position in range(CODE_LENGTH):
        for symbol in VALUE:
            candidate = cleaned[:position] + symbol + cleaned[position + 1:]
            if is_valid(candidate):
                found[candidate] = None
    for position in range(CODE_LENGTH - 1):
        swapped = (cleaned[:position] + cleaned[position + 1] + cleaned[position]
                   + cleaned[position + 2:])
        if is_valid(swapped):
            found[swapped] = None
    return list(found)


def find_cheque(session: Session, code: str) -> Cheque | None:
    """The cheque with this normalised code, if any."""
    return session.scalars(select(Cheque).where(Cheque.code == code)).one_or_none()


def similar_cheques(session: Session, text: str) -> list[Cheque]:
    """Known cheques one typo away from `text` (for 'did you mean ...?')."""
    candidates = near_codes(text)
    if not candidates:
        return []
    return list(session.scalars(
        select(Cheque).where(Cheque.code.in_(candidates)).order_by(Cheque.code)))


def list_cheques(session: Session, today: date, state: ChequeState | None = None,
                 batch: str | None = None) -> list[Cheque]:
    """Cheques in creation order, optionally only one state and/or one batch."""
    query = select(Cheque).order_by(Cheque.id)
    if state is not None:
        query = query.where(state_filter(state, today))
    if batch is not None:
        query = query.where(Cheque.batch == batch)
    return list(session.scalars(query))


def bookings_with(session: Session, cheque: Cheque) -> list[Booking]:
    """The bookings made with a cheque, by visit time, with slot and coach loaded."""
    return list(session.scalars(
        select(Booking).join(Booking.slot).where(Booking.cheque_id == cheque.id)
        .options(joinedload(Booking.slot).joinedload(Slot.coach))
        .order_by(Slot.starts_at, Booking.id)))


class VoidOutcome(StrEnum):
    VOIDED = "voided"
    ALREADY_VOID = "already_void"
    UNKNOWN = "unknown"


def void_cheque(session: Session, code: str, reason: str) -> tuple[VoidOutcome, Cheque | None]:
    """Withdraw a cheque with a conditional update, so two staff voiding at once is safe."""
    voided = session.execute(
        update(Cheque).where(Cheque.code == code, Cheque.status != ChequeStatus.VOID)
        .values(status=ChequeStatus.VOID.value, void_reason=reason)
        .execution_options(synchronize_session=False))
    cheque = find_cheque(session, code)
    if cheque is None:
        return VoidOutcome.UNKNOWN, None
    session.refresh(cheque)
    if voided.rowcount == 1:  # type: ignore[attr-defined]
        return VoidOutcome.VOIDED, cheque
    return VoidOutcome.ALREADY_VOID, cheque
