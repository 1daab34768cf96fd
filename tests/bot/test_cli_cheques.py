import csv
from datetime import date, datetime, timedelta, timezone

import click
import pytest
from sqlalchemy import select

import storage.cheques as cheques_storage
from bot.commands.cheques import cheques
from storage.codes import display, is_valid, normalise
from storage.db import make_engine, make_sessionmaker
from storage.models import Booking, Cheque, ChequeStatus, Coach, Resident, Slot

A, B, C, D = "10A0B1C0Z", "7QXM2H4KA", "ZZZZ0001C", "3B5D7F9HA"   # valid codes
CREATED = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(db_url):
    engine = make_engine(db_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def stored(db):
    with db() as s:
        return {c.code: c for c in s.scalars(select(Cheque))}


def add(db, code, **values):
    with db.begin() as s:
        s.add(Cheque(code=code, created_at=CREATED, **values))


def write(tmp_path, text, name="codes.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


# ---------------------------------------------------------------------------- generate

def test_generate_writes_the_print_shop_csv(run, db, tmp_path):
    result = run("cheques", "generate", "--count", "25", "--visits", "2",
                 "--expires", "31/12/2099", "--batch", "Oost 1", "--out", "print.csv")
    assert result.exit_code == 0, result.output
    assert "Created 25 cheques in batch Oost 1; codes written to print.csv." in result.stderr
    with open(tmp_path / "print.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["code", "batch", "expires", "visits"]
    assert {(r["batch"], r["expires"], r["visits"]) for r in rows} == {("Oost 1", "2099-12-31",
                                                                        "2")}
    codes = [r["code"] for r in rows]
    assert all(len(code) == 11 and code[4] == code[9] == "-" for code in codes)
    normalised = {normalise(code) for code in codes}
    assert len(normalised) == 25 and all(is_valid(code) for code in normalised)
    in_db = stored(db)
    assert set(in_db) == normalised
    assert {(c.visits, c.expires_on, c.batch) for c in in_db.values()} == {
        (2, date(2099, 12, 31), "Oost 1")}


def test_generate_prints_csv_without_out(run, db):
    result = run("cheques", "generate", "--count", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "code,batch,expires,visits" and len(lines) == 4
    assert {normalise(line.split(",")[0]) for line in lines[1:]} == set(stored(db))
    assert "Created 3 cheques." in result.stderr


def test_generate_never_overwrites_a_file(run, db, tmp_path):
    (tmp_path / "print.csv").write_text("earlier codes")
    result = run("cheques", "generate", "--count", "3", "--out", "print.csv")
    assert result.exit_code == 2
    assert "print.csv already exists" in result.output
    assert (tmp_path / "print.csv").read_text() == "earlier codes"
    assert stored(db) == {}


def test_generate_stores_nothing_when_the_file_cannot_be_written(run, db, tmp_path):
    result = run("cheques", "generate", "--count", "3", "--out", "no/such/folder/print.csv")
    assert result.exit_code == 1
    assert "cannot write no/such/folder/print.csv" in result.output
    assert "No cheques were created." in result.output
    assert stored(db) == {}


@pytest.mark.parametrize(("args", "message"), [
    (["--count", "0"], "0 is not in the range"),
    (["--count", "2", "--expires", "2020-01-01"], "2020-01-01 is in the past"),
    (["--count", "2", "--expires", "tomorrow"], "expected a date like 31/12/2026"),
    (["--count", "2", "--visits", "0"], "--visits"),
])
def test_generate_refuses_bad_options(run, db, args, message):
    result = run("cheques", "generate", *args)
    assert result.exit_code == 2 and message in result.output
    assert stored(db) == {}


def test_generate_shows_progress_for_large_counts(run, db):
    result = run("cheques", "generate", "--count", "2500", "--out", "big.csv")
    assert result.exit_code == 0, result.output
    assert "Creating cheques" in result.stderr
    assert len(stored(db)) == 2500


# ---------------------------------------------------------------------------- import

def test_import_a_good_file(run, db, tmp_path):
    path = write(tmp_path, "10A0-B1C0-Z\n7qxm 2h4k a\n\nZZZZ-OOO1-C\n")
    result = run("cheques", "import", str(path), "--batch", "Stad", "--visits", "2",
                 "--expires", "2099-06-30")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{path}: imported 3, skipped 0.\n"
    assert {code: (c.visits, c.expires_on, c.batch, c.status)
            for code, c in stored(db).items()} == {
        code: (2, date(2099, 6, 30), "Stad", "open") for code in (A, B, C)}


def test_import_belgian_excel_file(run, db, tmp_path):
    path = write(tmp_path, "\ufeffDigicheque;Expiry;Batch\r\n10A0-B1C0-Z;31/12/2099;Noord\r\n"
                           ";;\r\n7QXM-2H4K-A;;\r\n")
    result = run("cheques", "import", str(path), "--batch", "Rest")
    assert result.exit_code == 0, result.output
    assert "imported 2, skipped 0" in result.stdout
    in_db = stored(db)
    assert (in_db[A].expires_on, in_db[A].batch) == (date(2099, 12, 31), "Noord")
    assert (in_db[B].expires_on, in_db[B].batch) == (None, "Rest")


BAD_FILE = ("code,visits\n"           # 1
            "10A0-B1C0-Z,1\n"         # 2 good
            "10A0-B1C0-Y,\n"          # 3 typo
            "10A0-B1C0-Z,\n"          # 4 duplicate of 2
            "3B5D-7F9H-A,\n"          # 5 already known
            "7QXM-2H4K-A,many\n"      # 6 bad visits
            "ZZZZ-0001-C,2\n"         # 7 good
            "ZZZZ-0001,\n")           # 8 too short

BAD_REPORT = [
    "line 3 (10A0-B1C0-Y): malformed: check symbol wrong (a typo in the code)",
    "line 4 (10A0-B1C0-Z): duplicate in file: same code as line 2",
    "line 5 (3B5D-7F9H-A): already known (batch Earlier)",
    "line 6 (7QXM-2H4K-A): bad visits value: expected a whole number of visits from 1 to "
    "20, got 'many'",
    "line 8 (ZZZZ-0001): malformed: wrong length (8 symbols; a code has 9, like ABCD-EFGH-K)",
]


def test_import_reports_every_bad_line_and_imports_nothing(run, db, tmp_path):
    add(db, D, batch="Earlier")
    path = write(tmp_path, BAD_FILE)
    result = run("cheques", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == [f"{path}: {line}" for line in BAD_REPORT]
    assert result.stderr.splitlines()[-1] == (
        "Error: Nothing imported: 5 of 7 lines are bad (2 malformed, 1 duplicate in file, "
        "1 already known, 1 bad value; listed above). Correct them, or use --skip-bad to "
        "import the 2 good ones.")
    assert result.stdout == ""
    assert set(stored(db)) == {D}


def test_import_skip_bad_keeps_the_good_lines(run, db, tmp_path):
    add(db, D, batch="Earlier")
    path = write(tmp_path, BAD_FILE)
    result = run("cheques", "import", str(path), "--skip-bad")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"{path}: {line}" for line in BAD_REPORT]
    assert result.stdout == (f"{path}: imported 2, skipped 5 (2 malformed, 1 duplicate in "
                             "file, 1 already known, 1 bad value).\n")
    in_db = stored(db)
    assert set(in_db) == {A, C, D}
    assert (in_db[A].visits, in_db[C].visits, in_db[D].batch) == (1, 2, "Earlier")


def test_importing_the_generated_file_finds_every_code_known(run, db, tmp_path):
    assert run("cheques", "generate", "--count", "4", "--out", "print.csv").exit_code == 0
    result = run("cheques", "import", "print.csv")
    assert result.exit_code == 1
    assert result.stderr.count(": already known\n") == 4
    assert "4 of 4 lines are bad (4 already known" in result.stderr
    assert len(stored(db)) == 4


@pytest.mark.parametrize(("text", "message"), [
    ("", "Error: {path}: the file holds no codes. Nothing imported."),
    ("naam;adres\nJan;Markt 1\n", "{path}: line 1 (naam): more than one column"),
    ("batch;visits\nx;1\n", "Error: {path}: line 1: the header has no code column; name it "
                            "code (or cheque, digicheque). Found: batch, visits."),
])
def test_import_of_an_unreadable_file_says_why(run, db, tmp_path, text, message):
    path = write(tmp_path, text)
    result = run("cheques", "import", str(path))
    assert result.exit_code == 1
    assert message.format(path=path) in result.stderr
    assert stored(db) == {}


def test_import_of_a_missing_file(run, db):
    result = run("cheques", "import", "nothing.csv")
    assert result.exit_code == 2 and "'nothing.csv' does not exist" in result.output


def test_import_shows_progress_for_large_files(run, db, tmp_path):
    result = run("cheques", "generate", "--count", "2100")
    path = write(tmp_path, result.stdout, "big.csv")
    db_codes = set(stored(db))
    with db.begin() as s:
        s.query(Cheque).delete()
    result = run("cheques", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "Importing big.csv" in result.stderr
    assert set(stored(db)) == db_codes


# ---------------------------------------------------------------------------- list

def test_list_as_table_and_csv_with_filters(run, db):
    add(db, A, batch="N", expires_on=date(2099, 1, 1))
    add(db, B, batch="N", expires_on=date(2020, 1, 1))
    add(db, C, batch="Z", status=ChequeStatus.VOID, void_reason="lost")
    add(db, D, batch="Z", visits=2, visits_used=2, status=ChequeStatus.USED)
    result = run("cheques", "list")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "CODE          STATUS   VISITS  EXPIRES    BATCH",
        "10A0-B1C0-Z   open     0/1     2099-01-01 N",
        "7QXM-2H4K-A   expired  0/1     2020-01-01 N",
        "ZZZZ-0001-C   void     0/1     -          Z",
        "3B5D-7F9H-A   used     2/2     -          Z",
        "4 cheques",
    ]
    for status, code in [("open", A), ("expired", B), ("void", C), ("used", D)]:
        listed = run("cheques", "list", "--status", status, "--format", "csv").stdout
        assert listed.splitlines()[1:] == [line for line in [
            "10A0-B1C0-Z,open,0,1,2099-01-01,N", "7QXM-2H4K-A,expired,0,1,2020-01-01,N",
            "ZZZZ-0001-C,void,0,1,,Z", "3B5D-7F9H-A,used,2,2,,Z"] if line.startswith(
                display(code))]
    listed = run("cheques", "list", "--batch", "Z", "--format", "csv").stdout
    assert listed.splitlines() == ["code,status,visits_used,visits,expires,batch",
                                   "ZZZZ-0001-C,void,0,1,,Z", "3B5D-7F9H-A,used,2,2,,Z"]
    empty = run("cheques", "list", "--batch", "nope")
    assert empty.exit_code == 0 and "No cheques match." in empty.stderr


def test_list_refuses_an_unknown_status(run, db):
    result = run("cheques", "list", "--status", "lost")
    assert result.exit_code == 2 and "'lost' is not one of" in result.output


# ---------------------------------------------------------------------------- show

def test_show_reads_the_code_forgivingly_and_lists_bookings(run, db):
    add(db, A, batch="N", visits=2, visits_used=1, expires_on=date(2099, 12, 31))
    with db.begin() as s:
        cheque = s.scalars(select(Cheque)).one()
        coach = Coach(name="An Peeters")
        resident = Resident(channel="sms", address="+32470000000", language="nl",
                            created_at=CREATED)
        s.add_all([coach, resident])
        s.flush()
        slot = Slot(coach_id=coach.id, starts_at=datetime(2099, 12, 3, 13, 0, tzinfo=timezone.utc),
                    ends_at=datetime(2099, 12, 3, 14, 30, tzinfo=timezone.utc))
        s.add(slot)
        s.flush()
        s.add(Booking(resident_id=resident.id, cheque_id=cheque.id, slot_id=slot.id,
                      postcode="9100", street="Grote Markt 1", phone="+32470000000",
                      topic="itsme", created_at=CREATED, updated_at=CREATED))
    result = run("cheques", "show", "1oa0", "b1co", "z")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Cheque   10A0-B1C0-Z",
        "Status   open",
        "Visits   1 of 2 used",
        "Expires  2099-12-31",
        "Batch    N",
        "Created  2026-01-01 10:00",
        "Bookings",
        "  2099-12-03 14:00  booked     coach An Peeters  9100  itsme",
    ]


def test_show_without_bookings(run, db):
    add(db, B, expires_on=date(2020, 1, 1))
    result = run("cheques", "show", "7QXM-2H4K-A")
    assert "Status   expired" in result.stdout and "Bookings none" in result.stdout


@pytest.mark.parametrize(("typed", "message"), [
    ("7QXM-2H4K-A", "No cheque with code 7QXM-2H4K-A is known."),
    ("10A0-B1C8-Z", "'10A0-B1C8-Z' is not a valid code: malformed: check symbol wrong (a typo "
                    "in the code). Did you mean 10A0-B1C0-Z?"),
    ("10A0", "'10A0' is not a valid code: malformed: wrong length"),
])
def test_show_explains_a_code_it_cannot_find(run, db, typed, message):
    add(db, A)
    result = run("cheques", "show", typed)
    assert result.exit_code == 1
    assert f"Error: {message}" in result.stderr


# ---------------------------------------------------------------------------- void

def test_void_then_void_again(run, db):
    add(db, A)
    result = run("cheques", "void", "10a0b1c0z", "--reason", "lost in the post")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Cheque 10A0-B1C0-Z is now void.\n"
    assert (stored(db)[A].status, stored(db)[A].void_reason) == ("void", "lost in the post")
    again = run("cheques", "void", "10A0-B1C0-Z", "--reason", "stolen")
    assert again.exit_code == 0
    assert again.stdout == ("Cheque 10A0-B1C0-Z was already void (reason: lost in the post); "
                            "nothing changed.\n")
    assert stored(db)[A].void_reason == "lost in the post"
    assert "Status   void" in run("cheques", "show", A).stdout


def test_void_refuses_an_unknown_code(run, db):
    add(db, A)
    result = run("cheques", "void", "7QXM-2H4K-A", "--reason", "lost")
    assert result.exit_code == 1
    assert "Error: No cheque with code 7QXM-2H4K-A is known." in result.stderr
    assert stored(db)[A].status == "open"


def test_void_needs_a_reason(run, db):
    add(db, A)
    assert "Missing option '--reason'" in run("cheques", "void", A).output
    assert "say why" in run("cheques", "void", A, "--reason", "  ").output
    assert stored(db)[A].status == "open"


# ---------------------------------------------------------------------------- help

def test_every_command_and_option_has_help(run):
    assert run("cheques", "--help").exit_code == 0
    for name, command in cheques.commands.items():
        result = run("cheques", name, "--help")
        assert result.exit_code == 0 and command.help, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.name}"


def test_void_warns_about_bookings_still_booked(run, db):
    add(db, A)
    with db.begin() as s:
        cheque = s.scalars(select(Cheque)).one()
        coach = Coach(name="An")
        resident = Resident(channel="sms", address="+32470000001", language="nl",
                            created_at=CREATED)
        s.add_all([coach, resident])
        s.flush()
        slot = Slot(coach_id=coach.id, starts_at=CREATED + timedelta(days=3),
                    ends_at=CREATED + timedelta(days=3, hours=1))
        s.add(slot)
        s.flush()
        s.add(Booking(resident_id=resident.id, cheque_id=cheque.id, slot_id=slot.id,
                      postcode="9100", street="x", phone="+32470000001", topic="mail",
                      created_at=CREATED, updated_at=CREATED))
    result = run("cheques", "void", A, "--reason", "moved away")
    assert result.exit_code == 0
    assert "1 visit(s) booked with it are still booked" in result.stderr


def test_import_racing_another_import_stores_nothing(run, db, tmp_path, monkeypatch):
    """A code inserted by someone else after our lookup: the unique index stops the insert
    and the whole import is rolled back."""
    add(db, B)
    monkeypatch.setattr(cheques_storage, "known_codes", lambda session, codes, progress: {})
    path = write(tmp_path, "10A0-B1C0-Z\n7QXM-2H4K-A\n")
    result = run("cheques", "import", str(path))
    assert result.exit_code == 1
    assert "some of these codes were added by someone else during the import. Nothing " \
           "imported; run the import again to see which." in result.stderr
    assert set(stored(db)) == {B}
