import csv
import io
from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.commands.agenda import agenda_ics, ics_escape, ics_fold
from storage.models import Booking
from tests.auxil.rows import add_booking, add_coach, add_slot, at

DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 6, 30, tzinfo=timezone.utc)  # 07:30 in Brussels


@pytest.fixture
def cli_now():
    return NOW


@pytest.fixture
def visits(sessions):
    """Two coaches' visits on 1 December 2026, plus ones that must not show."""
    with sessions.begin() as s:
        an = add_coach(s, "An Peeters", phone="+32470123456")
        bo = add_coach(s, "Bo")
        late = add_booking(s, add_slot(s, an, at(DAY, 13)), phone="+32470555666",
                           street="Stationsstraat 5", postcode="9111", topic="itsme",
                           topic_text=None)
        early = add_booking(s, add_slot(s, an, at(DAY, 9)), phone="+32470111222",
                            street="Kerkstraat 12", postcode="9100", topic="smartphone",
                            topic_text="WhatsApp met kleinkinderen; foto's, video")
        bos = add_booking(s, add_slot(s, bo, at(DAY, 10)), phone="+32470777888",
                          street="Grote Markt 1", topic="email", topic_text=None)
        add_booking(s, add_slot(s, an, at(DAY, 11)), phone="+32470000001",
                    status="cancelled")
        add_booking(s, add_slot(s, an, at(date(2026, 12, 2), 9)), phone="+32470000002")
    return {"early": early, "late": late, "bo": bos}


def test_table_shows_time_address_phone_topic_per_coach(run, visits):
    result = run("agenda", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    early, late, bos = visits["early"].id, visits["late"].id, visits["bo"].id
    assert result.output == (
        "Agenda for Tue 2026-12-01\n"
        "\n"
        "An Peeters (+32470123456): 2 visit(s)\n"
        f"  09:00-10:30  #{early}  booked     Kerkstraat 12, 9100  tel +32470111222  "
        "smartphone: WhatsApp met kleinkinderen; foto's, video\n"
        f"  13:00-14:30  #{late}  booked     Stationsstraat 5, 9111  tel +32470555666  itsme\n"
        "\n"
        "Bo: 1 visit(s)\n"
        f"  10:00-11:30  #{bos}  booked     Grote Markt 1, 9100  tel +32470777888  email\n")


def test_each_visit_shows_its_state_and_cancelled_ones_are_left_out(run, sessions, visits):
    """Confirmed by the resident (a reminder answered), done, no-show; in every format."""
    with sessions.begin() as s:
        s.get(Booking, visits["early"].id).confirmed_at = NOW
        s.get(Booking, visits["late"].id).status = "no_show"
        s.get(Booking, visits["bo"].id).status = "done"
    table = run("agenda", "--date", "2026-12-01").output
    assert f"#{visits['early'].id}  confirmed  Kerkstraat 12" in table
    assert f"#{visits['late'].id}  no-show    Stationsstraat 5" in table
    assert f"#{visits['bo'].id}  done       Grote Markt 1" in table
    assert "+32470000001" not in table   # the cancelled visit at 11:00
    rows = list(csv.DictReader(io.StringIO(
        raw(run("agenda", "--date", "2026-12-01", "--format", "csv")), newline="")))
    assert [r["status"] for r in rows] == ["confirmed", "no-show", "done"]
    ics = unfold(raw(run("agenda", "--date", "2026-12-01", "--format", "ics")))
    descriptions = [line for line in ics if line.startswith("DESCRIPTION:")]
    assert [d.rsplit("\\n", 1)[1] for d in descriptions] == [
        "Status: confirmed by the resident", "Status: no-show", "Status: done"]


def test_default_date_is_today_in_brussels(run, visits):
    assert run("agenda").output == run("agenda", "--date", "2026-12-01").output
    assert run("agenda", "--date", "today").output == run("agenda").output
    assert "+32470000002" in run("agenda", "--date", "tomorrow").output


def test_coach_filter_and_empty_day(run, visits):
    output = run("agenda", "--date", "2026-12-01", "--coach", "bo").output
    assert "Grote Markt 1" in output and "Kerkstraat" not in output
    assert run("agenda", "--date", "2026-12-03").output == "No visits on Thu 2026-12-03.\n"
    result = run("agenda", "--coach", "Nobody")
    assert result.exit_code == 1
    assert "No coach named 'Nobody'" in result.output


def test_csv_has_one_row_per_visit(run, visits):
    result = run("agenda", "--date", "2026-12-01", "--format", "csv")
    assert result.exit_code == 0, result.output
    text = raw(result)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [(r["coach"], r["start"], r["end"]) for r in rows] == [
        ("An Peeters", "09:00", "10:30"), ("An Peeters", "13:00", "14:30"),
        ("Bo", "10:00", "11:30")]
    first = rows[0]
    assert first == {
        "date": "2026-12-01", "start": "09:00", "end": "10:30", "coach": "An Peeters",
        "booking": str(visits["early"].id), "street": "Kerkstraat 12", "postcode": "9100",
        "phone": "+32470111222", "topic": "smartphone",
        "topic_text": "WhatsApp met kleinkinderen; foto's, video", "status": "booked"}
    assert rows[1]["topic_text"] == ""


def test_csv_defuses_spreadsheet_formulas(run, sessions):
    with sessions.begin() as s:
        add_booking(s, add_slot(s, add_coach(s), at(DAY, 9)), street="=HYPERLINK(\"x\")",
                    topic_text="+1 help")
    rows = list(csv.DictReader(io.StringIO(
        raw(run("agenda", "--date", "2026-12-01", "--format", "csv")), newline="")))
    assert rows[0]["street"] == "'=HYPERLINK(\"x\")"
    assert rows[0]["topic_text"] == "'+1 help"
    assert rows[0]["phone"] == "+32470111222"


def raw(result) -> str:
    """What the command wrote, line ends untouched (click's `output` turns CRLF into LF)."""
    return result.stdout_bytes.decode("utf-8")


def unfold(text: str) -> list[str]:
    """Content lines of an iCalendar text, folded lines joined again."""
    lines: list[str] = []
    for raw in text.split("\r\n")[:-1]:
        if raw.startswith(" "):
            lines[-1] += raw[1:]
        else:
            lines.append(raw)
    return lines


def test_ics_is_a_valid_calendar(run, visits):
    result = run("agenda", "--date", "2026-12-01", "--format", "ics")
    assert result.exit_code == 0, result.output
    text = raw(result)
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")   # CRLF only, no bare LF or CR
    assert "\r" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = unfold(text)
    stack = []
    for line in lines:
        if line.startswith("BEGIN:"):
            stack.append(line[6:])
        elif line.startswith("END:"):
            assert stack.pop() == line[4:]
    assert stack == []
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines and any(x.startswith("PRODID:") for x in lines)
    assert lines.count("BEGIN:VEVENT") == 3

    events, current = [], None
    for line in lines:
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            key, _, value = line.partition(":")
            current[key] = value
    early = next(e for e in events if e["DTSTART"] == "20261201T080000Z")
    assert early["DTEND"] == "20261201T093000Z"
    assert early["UID"] == f"booking-{visits['early'].id}@digicheque.sint-niklaas"
    assert early["DTSTAMP"] == "20261201T063000Z"
    assert early["SUMMARY"] == \
        f"Home visit #{visits['early'].id}: smartphone (+32470111222)"
    assert early["LOCATION"] == "Kerkstraat 12\\, 9100 Sint-Niklaas"
    assert early["DESCRIPTION"] == (
        "Phone: +32470111222\\nTopic: smartphone: WhatsApp met kleinkinderen\\; foto's\\, "
        "video\\nAddress: Kerkstraat 12\\, 9100\\nCoach: An Peeters\\nBooking: "
        f"#{visits['early'].id}\\nStatus: booked")
    assert len({e["UID"] for e in events}) == 3


def test_ics_of_an_empty_day_is_still_a_calendar(run):
    text = raw(run("agenda", "--date", "2026-12-03", "--format", "ics"))
    assert unfold(text)[0] == "BEGIN:VCALENDAR"
    assert unfold(text)[-1] == "END:VCALENDAR"
    assert "BEGIN:VEVENT" not in text


def test_ics_escape_and_fold():
    assert ics_escape("a,b;c\\d\r\ne\x07") == "a\\,b\\;c\\\\d\\ne"
    long = "DESCRIPTION:" + "é" * 100
    pieces = ics_fold(long)
    assert all(len(p.encode()) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert pieces[0] + "".join(p[1:] for p in pieces[1:]) == long
    assert ics_fold("SHORT:x") == ["SHORT:x"]


def test_ics_function_without_bookings():
    text = agenda_ics([], NOW, "Sint-Niklaas")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "X-WR-CALNAME:digicheque Sint-Niklaas\r\n" in text


def test_agenda_help():
    result = CliRunner().invoke(cli, ["agenda", "--help"])
    assert result.exit_code == 0
    assert "--format [table|csv|ics]" in result.output
    for param in cli.commands["agenda"].params:
        assert param.help or param.name == "help"
