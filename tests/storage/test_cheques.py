from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import storage.cheques as cheques_module
from storage.cheques import ChequeFileError, ChequeState, NewCheque, Problem, VoidOutcome, \
    bookings_with, cheque_state, find_cheque, generate_cheques, import_cheques, \
    insert_cheques, known_codes, list_cheques, local_today, near_codes, parse_date, \
    read_cheque_file, similar_cheques, state_filter, void_cheque
from storage.codes import display, is_valid, new_code
from storage.models import Booking, Cheque, ChequeStatus, Coach, Resident, Slot

TODAY = date(2026, 12, 1)
A, B, C, D = "10A0B1C0Z", "7QXM2H4KA", "ZZZZ0001C", "3B5D7F9HA"   # valid codes


def read(text: str, **kwargs):
    return read_cheque_file(text.encode("utf-8"), **kwargs)


def bad_lines(result):
    return [(bad.line, bad.problem, bad.reason) for bad in result.bad]


def stored(sessions):
    with sessions() as s:
        return {c.code: (c.visits, c.expires_on, c.batch, c.status)
                for c in s.scalars(select(Cheque))}


def add(sessions, now, code, **values):
    with sessions.begin() as s:
        s.add(Cheque(code=code, created_at=now, **values))


# ---------------------------------------------------------------------------- files

def test_one_column_without_header():
    result = read("10A0-B1C0-Z\n7qxm 2h4k a\n\nZZZZ-OOO1-C\n")
    assert [(row.line, row.code) for row in result.rows] == [(1, A), (2, B), (4, C)]
    assert result.bad == [] and not result.header and result.lines == 3


@pytest.mark.parametrize("header", ["code", "Code", "CODE", " code ", "cheque", "Digicheque",
                                    '"code"'])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_header_names_and_delimiters(header, delimiter):
    text = f"{header}{delimiter}batch\n10A0-B1C0-Z{delimiter}Noord\n7QXM-2H4K-A{delimiter}\n"
    result = read(text, batch="Default")
    assert [(row.code, row.batch) for row in result.rows] == [(A, "Noord"), (B, "Default")]
    assert result.header and result.delimiter == delimiter


def test_belgian_excel_file_with_bom_semicolons_and_crlf():
    data = ("\ufeffCode;Visits;Expires on;Batch;Naam\r\n"
            "10A0-B1C0-Z;2;31/12/2027;Oost é;Jan\r\n"
            ";;;;\r\n"
            "7QXM-2H4K-A;;2027-06-30;;\r\n").encode("utf-8")
    result = read_cheque_file(data, visits=1, batch="Fallback")
    assert result.delimiter == ";" and result.ignored_columns == ["Naam"]
    assert result.rows == [NewCheque(2, A, 2, date(2027, 12, 31), "Oost é"),
                           NewCheque(4, B, 1, date(2027, 6, 30), "Fallback")]


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "utf-8-sig"])
def test_other_encodings(encoding):
    result = read_cheque_file("code;batch\n10A0-B1C0-Z;Sint-Niklaas Oost é\n".encode(encoding))
    assert [(row.code, row.batch) for row in result.rows] == [(A, "Sint-Niklaas Oost é")]


def test_every_bad_line_is_reported_with_its_line_number_and_reason():
    text = ("code,visits,expiry\n"          # 1
            "10A0-B1C0-Z,1,31/12/2027\n"    # 2 good
            "\n"                            # 3 blank
            "10A0-B1C0,,\n"                 # 4 too short
            "10A0-B1U0-Z,,\n"               # 5 U not allowed
            "10A0-B1C0-Y,,\n"               # 6 typo
            "10a0 b1c0 z,,\n"               # 7 same as line 2
            "7QXM-2H4K-A,0,\n"              # 8 bad visits
            "ZZZZ-0001-C,,31/02/2027\n"     # 9 no such date
            "3B5D-7F9H-A,2,next year\n"     # 10 bad date
            ",2,31/12/2027\n"               # 11 no code
            "0000-AAAA-J,,2026-11-30\n")    # 12 in the past
    result = read(text, today=TODAY)
    assert [row.line for row in result.rows] == [2]
    assert bad_lines(result) == [
        (4, Problem.MALFORMED,
         "malformed: wrong length (8 symbols; a code has 9, like ABCD-EFGH-K)"),
        (5, Problem.MALFORMED, "malformed: symbol 'U' is not allowed in a code"),
        (6, Problem.MALFORMED, "malformed: check symbol wrong (a typo in the code)"),
        (7, Problem.DUPLICATE, "duplicate in file: same code as line 2"),
        (8, Problem.BAD_VALUE,
         "bad visits value: expected a whole number of visits from 1 to 20, got '0'"),
        (9, Problem.BAD_VALUE, "bad expires value: no such date '31/02/2027'"),
        (10, Problem.BAD_VALUE, "bad expires value: expected a date like 31/12/2026 or "
                                "2026-12-31, got 'next year'"),
        (11, Problem.NO_CODE, "no code on this line"),
        (12, Problem.BAD_VALUE, "bad expires value: 2026-11-30 is in the past"),
    ]
    assert [bad.text for bad in result.bad][:4] == ["10A0-B1C0", "10A0-B1U0-Z", "10A0-B1C0-Y",
                                                    "10a0 b1c0 z"]
    assert result.lines == 10


def test_line_numbers_count_blank_lines_and_quoted_fields():
    text = '\n\ncode;batch\n\n"10A0-B1C0-Z";"a;b"\n  \n10A0-B1C0-Z;x\n'
    result = read(text)
    assert result.rows[0].line == 5 and result.rows[0].batch == "a;b"
    assert bad_lines(result) == [(7, Problem.DUPLICATE, "duplicate in file: same code as line 5")]


def test_old_mac_line_endings_count_as_lines():
    result = read("10A0-B1C0-Z\r7QXM-2H4K-Y\r")
    assert [bad.line for bad in result.bad] == [2]


def test_more_columns_without_a_header_is_a_bad_line():
    result = read("10A0-B1C0-Z,2\n7QXM-2H4K-A\n")
    assert [row.code for row in result.rows] == [B]
    assert result.bad[0].line == 1 and result.bad[0].problem == Problem.EXTRA_COLUMNS
    assert "header line such as code;visits;expires;batch" in result.bad[0].reason


def test_an_unknown_header_gets_a_hint():
    result = read("Nummer\n10A0-B1C0-Z\n")
    assert result.bad[0].line == 1
    assert result.bad[0].reason.endswith("if this line is a header, call the column 'code'")


@pytest.mark.parametrize(("text", "message"), [
    ("", "holds no codes"),
    ("\n \n;;\n", "holds no codes"),
    ("code;batch\n\n", "only a header"),
    ("batch;visits\nx;1\n", "the header has no code column; name it code"),
    ("code;cheque\n", "two code columns"),
])
def test_files_that_cannot_be_read_at_all(text, message):
    with pytest.raises(ChequeFileError, match=message):
        read(text)


@pytest.mark.parametrize(("data", "message"), [
    (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet workbook .* save it as CSV first"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text file"),
    (b"code\n\x81\x8d\x90\n", "not a text file"),
])
def test_files_that_are_not_text(data, message):
    with pytest.raises(ChequeFileError, match=message):
        read_cheque_file(data)


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-31", date(2026, 12, 31)), ("31/12/2026", date(2026, 12, 31)),
    ("1/2/2027", date(2027, 2, 1)), ("31-12-2026", date(2026, 12, 31)),
    ("31.12.2026", date(2026, 12, 31)), (" 2026-12-31 00:00:00 ", date(2026, 12, 31)),
])
def test_dates_iso_and_belgian(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["12/31/2026", "31/12/26", "2026-13-01", "morgen", ""])
def test_dates_that_are_refused(text):
    with pytest.raises(ValueError):
        parse_date(text)


# ---------------------------------------------------------------------------- state

@pytest.mark.parametrize(("status", "used", "visits", "expires", "state"), [
    (ChequeStatus.OPEN, 0, 1, None, ChequeState.OK),
    (ChequeStatus.OPEN, 1, 2, TODAY, ChequeState.OK),                 # valid through its day
    (ChequeStatus.OPEN, 0, 1, TODAY - timedelta(days=1), ChequeState.EXPIRED),
    (ChequeStatus.OPEN, 2, 2, None, ChequeState.USED),
    (ChequeStatus.USED, 1, 1, TODAY - timedelta(days=1), ChequeState.USED),
    (ChequeStatus.VOID, 0, 1, TODAY - timedelta(days=1), ChequeState.VOID),
    (ChequeStatus.VOID, 1, 1, None, ChequeState.VOID),
])
def test_cheque_state(status, used, visits, expires, state):
    cheque = Cheque(code=A, status=status, visits_used=used, visits=visits, expires_on=expires)
    assert cheque_state(cheque, TODAY) == state


def test_today_is_the_city_date():
    brussels = ZoneInfo("Europe/Brussels")
    assert local_today(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc), brussels) == \
        date(2027, 1, 1)
    assert local_today(datetime(2026, 12, 31, 22, 59, tzinfo=timezone.utc), brussels) == \
        date(2026, 12, 31)


def test_state_filter_selects_what_cheque_state_says(sessions, now):
    cases = [(ChequeStatus.OPEN, 0, 1, None), (ChequeStatus.OPEN, 0, 1, TODAY),
             (ChequeStatus.OPEN, 0, 1, TODAY - timedelta(days=1)),
             (ChequeStatus.OPEN, 1, 1, None), (ChequeStatus.USED, 1, 1, date(2020, 1, 1)),
             (ChequeStatus.VOID, 0, 1, date(2020, 1, 1)), (ChequeStatus.VOID, 0, 2, None)]
    with sessions.begin() as s:
        for status, used, visits, expires in cases:
            s.add(Cheque(code=new_code(), status=status, visits_used=used, visits=visits,
                         expires_on=expires, created_at=now))
    with sessions() as s:
        everything = list(s.scalars(select(Cheque)))
        for state in ChequeState:
            expected = {c.code for c in everything if cheque_state(c, TODAY) == state}
            selected = set(s.scalars(select(Cheque.code).where(state_filter(state, TODAY))))
            assert selected == expected, state
            assert expected, f"no case for {state}"


# ---------------------------------------------------------------------------- queries

def test_import_stores_every_line_with_its_values(sessions, now):
    text = "code;visits;expires;batch\n10A0-B1C0-Z;2;31/12/2027;Noord\n7QXM-2H4K-A;;;\n"
    with sessions.begin() as s:
        result = import_cheques(s, text.encode(), now=now, today=TODAY, visits=3,
                                expires_on=date(2027, 1, 31), batch="Zuid")
    assert (result.imported, result.bad, result.lines) == (2, [], 2)
    assert stored(sessions) == {A: (2, date(2027, 12, 31), "Noord", "open"),
                                B: (3, date(2027, 1, 31), "Zuid", "open")}


def test_import_is_all_or_nothing_by_default(sessions, now):
    add(sessions, now, D, batch="Earlier")
    before = stored(sessions)
    text = "10A0-B1C0-Z\n7QXM-2H4K-A\n3B5D-7F9H-A\nZZZZ-0001-X\n"
    with sessions.begin() as s:
        result = import_cheques(s, text.encode(), now=now, today=TODAY)
    assert result.imported == 0
    assert [(bad.line, bad.problem) for bad in result.bad] == [(3, Problem.KNOWN),
                                                               (4, Problem.MALFORMED)]
    assert result.bad[0].reason == "already known (batch Earlier)"
    assert stored(sessions) == before


def test_skip_bad_imports_the_good_lines(sessions, now):
    add(sessions, now, D)
    text = "10A0-B1C0-Z\n7QXM-2H4K-A\n3B5D-7F9H-A\nZZZZ-0001-X\n10A0B1C0Z\n"
    with sessions.begin() as s:
        result = import_cheques(s, text.encode(), now=now, today=TODAY, skip_bad=True)
    assert (result.imported, result.skipped) == (2, 3)
    assert result.counts() == {Problem.KNOWN: 1, Problem.MALFORMED: 1, Problem.DUPLICATE: 1}
    assert set(stored(sessions)) == {A, B, D}


def test_lookups_and_inserts_go_in_chunks(sessions, now, monkeypatch):
    monkeypatch.setattr(cheques_module, "LOOKUP_CHUNK", 3)
    monkeypatch.setattr(cheques_module, "PG_LOOKUP_CHUNK", 3)
    monkeypatch.setattr(cheques_module, "INSERT_CHUNK", 4)
    codes = [new_code() for _ in range(11)]
    with sessions.begin() as s:
        insert_cheques(s, [NewCheque(0, code, 1, None, "x") for code in codes[:7]], now)
    done = []
    with sessions() as s:
        found = known_codes(s, codes, progress=done.append)
    assert found == {code: "x" for code in codes[:7]}
    assert done == [3, 3, 3, 2]
    data = "\n".join(display(code) for code in codes).encode()
    with sessions.begin() as s:
        result = import_cheques(s, data, now=now, today=TODAY, skip_bad=True)
    assert [bad.line for bad in result.bad] == [1, 2, 3, 4, 5, 6, 7]
    assert set(stored(sessions)) == set(codes)


def test_generate_makes_unique_valid_codes(sessions, now):
    with sessions.begin() as s:
        codes = generate_cheques(s, 250, now=now, visits=2, expires_on=date(2027, 6, 30),
                                 batch="Print 1")
    assert len(set(codes)) == 250 and all(is_valid(code) for code in codes)
    assert stored(sessions) == {code: (2, date(2027, 6, 30), "Print 1", "open")
                                for code in codes}


def test_generate_skips_codes_already_known_or_drawn_twice(sessions, now):
    add(sessions, now, A)
    draws = iter([A, B, B, A, C, D, new_code()])
    with sessions.begin() as s:
        codes = generate_cheques(s, 3, now=now, make_code=lambda: next(draws))
    assert codes == [B, C, D]
    assert set(stored(sessions)) == {A, B, C, D}


def test_near_codes_find_the_code_meant():
    for typo, meant in [("10A0B1C8Z", A), ("01A0B1C0Z", A), ("10A0B1C0Y", A)]:
        near = near_codes(typo)
        assert meant in near and all(is_valid(code) for code in near)
    assert near_codes("10A0") == [] and near_codes("10A0B1C0U") == []


def test_similar_cheques_are_the_known_ones(sessions, now):
    add(sessions, now, A)
    with sessions() as s:
        assert [c.code for c in similar_cheques(s, "10a0-b1c8-z")] == [A]
        assert similar_cheques(s, "7QXM-2H4K-B") == []


def test_list_by_state_and_batch(sessions, now):
    add(sessions, now, A, batch="N")
    add(sessions, now, B, batch="N", expires_on=date(2026, 11, 30))
    add(sessions, now, C, batch="Z", status=ChequeStatus.VOID)
    with sessions() as s:
        assert [c.code for c in list_cheques(s, TODAY)] == [A, B, C]
        assert [c.code for c in list_cheques(s, TODAY, ChequeState.OK)] == [A]
        assert [c.code for c in list_cheques(s, TODAY, ChequeState.EXPIRED, "N")] == [B]
        assert [c.code for c in list_cheques(s, TODAY, batch="Z")] == [C]
        assert list_cheques(s, TODAY, ChequeState.USED) == []


def test_void(sessions, now):
    add(sessions, now, A)
    with sessions.begin() as s:
        outcome, cheque = void_cheque(s, A, "lost")
        assert outcome == VoidOutcome.VOIDED and cheque is not None
        assert cheque.status == ChequeStatus.VOID
    with sessions.begin() as s:
        outcome, cheque = void_cheque(s, A, "stolen")
        assert outcome == VoidOutcome.ALREADY_VOID and cheque is not None
    with sessions.begin() as s:
        assert void_cheque(s, B, "lost") == (VoidOutcome.UNKNOWN, None)
    with sessions() as s:
        cheque = find_cheque(s, A)
        assert cheque is not None and (cheque.status, cheque.void_reason) == ("void", "lost")
        assert find_cheque(s, B) is None


def test_bookings_with_a_cheque(sessions, now):
    add(sessions, now, A)
    with sessions.begin() as s:
        cheque = find_cheque(s, A)
        coach = Coach(name="An")
        resident = Resident(channel="sms", address="+32470000000", language="nl",
                            created_at=now)
        s.add_all([coach, resident])
        s.flush()
        for hours in (48, 24):
            slot = Slot(coach_id=coach.id, starts_at=now + timedelta(hours=hours),
                        ends_at=now + timedelta(hours=hours + 1))
            s.add(slot)
            s.flush()
            s.add(Booking(resident_id=resident.id, cheque_id=cheque.id, slot_id=slot.id,
                          postcode="9100", street="Grote Markt 1", phone="+32470000000",
                          topic="smartphone", created_at=now, updated_at=now))
    with sessions() as s:
        cheque = find_cheque(s, A)
        found = bookings_with(s, cheque)
        assert [b.slot.starts_at - now for b in found] == [timedelta(hours=24),
                                                           timedelta(hours=48)]
        assert found[0].slot.coach.name == "An"
        assert s.scalar(select(func.count()).select_from(Booking)) == 2
