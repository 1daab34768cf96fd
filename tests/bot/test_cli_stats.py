"""`digicheque stats`: the hand-built city's numbers in a table, CSV and JSON, on SQLite
and PostgreSQL; the period; an empty database; after the privacy purge."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from bot.config import Settings
from bot.jobs import purge
from tests.auxil.funder import EXPECTED_ALL, EXPECTED_NOVEMBER, NOW, build

CHANNELS = ["sms", "telegram", "none"]
LANGUAGES = ["fr", "nl", "none"]
SECTIONS = ["cheques", "visits", "waiting", "reminders", "handoffs"]


@pytest.fixture
def cli_now():
    return NOW


@pytest.fixture
def city(sessions):
    build(sessions)


def shown(value, name: str) -> str:
    """A value as the table shows it."""
    if value is None:
        return "-"
    if name.endswith("_rate"):
        return f"{value:.1f}%"
    return f"{value:g}"


def table_rows(output: str) -> dict[str, list[list[str]]]:
    """Section title -> its table's rows (cells split on runs of spaces), header first."""
    tables: dict[str, list[list[str]]] = {}
    title = None
    for line in output.splitlines():
        if line and not line.startswith(" "):
            title = line
        elif line.startswith("  ") and title is not None and (
                title in tables or line.split()[0] == "total"):
            tables.setdefault(title, []).append(re.split(r"\s{2,}", line.strip()))
    return tables


def expected_rows(expected: dict, section: str) -> list[list[str]]:
    channels = CHANNELS if section == "cheques" else CHANNELS[:2]
    return [[shown(value["total"], name),
             *(shown(value["by_channel"][c], name) for c in channels),
             *(shown(value["by_language"][lang], name) for lang in LANGUAGES[:2])]
            for (sect, name), value in expected.items() if sect == section]


def raw(result) -> str:
    """What the command wrote, line ends untouched (click's `output` turns CRLF into LF)."""
    return result.stdout_bytes.decode("utf-8")


def from_csv(output: str) -> dict:
    rows = list(csv.DictReader(io.StringIO(output, newline="")))
    found: dict = {}
    for row in rows:
        value = None if row["value"] == "" else float(row["value"])
        figure = found.setdefault((row["section"], row["metric"]),
                                  {"total": None, "by_channel": {}, "by_language": {}})
        if (row["channel"], row["language"]) == ("all", "all"):
            figure["total"] = value
        elif row["language"] == "all":
            figure["by_channel"][row["channel"]] = value
        else:
            figure["by_language"][row["language"]] = value
    return found


def from_json(output: str) -> dict:
    document = json.loads(output)
    return {(section, name): {k: figure[k] for k in ("total", "by_channel", "by_language")}
            for section, body in document["sections"].items()
            for name, figure in body["figures"].items()}


def test_table_shows_every_figure_per_channel_and_language(run, city):
    result = run("stats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == ("digicheque numbers for all time (days in Europe/Brussels), "
                        "as of 2026-12-01 09:00")
    tables = table_rows(result.output)
    assert list(tables) == ["CHEQUES", "VISITS", "WAITING TIME", "REMINDERS",
                            "HAND-OFFS TO A PERSON"]
    for title, section in zip(tables, SECTIONS, strict=True):
        header, *rows = tables[title]
        if section == "cheques":   # only cheques can have no resident
            assert header == ["total", "sms", "telegram", "(no resident)", "fr", "nl"]
        else:
            assert header == ["total", "sms", "telegram", "fr", "nl"]
        assert [row[1:] for row in rows] == expected_rows(EXPECTED_ALL, section), title
    assert tables["VISITS"][6][0] == "cancelled by the resident"
    assert "Dated: issued and void by the day the cheque was created" in result.output


def test_csv_has_every_figure_with_the_period(run, city):
    result = run("stats", "--format", "csv")
    assert result.exit_code == 0, result.output
    text = raw(result)
    assert text.startswith("from,to,section,metric,channel,language,value\r\n")
    assert from_csv(text) == EXPECTED_ALL
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {(r["from"], r["to"]) for r in rows} == {("", "")}
    assert len(rows) == len(EXPECTED_ALL) * (1 + len(CHANNELS) + len(LANGUAGES))


def test_json_has_every_figure_and_says_how_it_is_dated(run, city):
    result = run("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    assert from_json(result.output) == EXPECTED_ALL
    document = json.loads(result.output)
    assert document["period"] == {
        "from": None, "to": None, "time_zone": "Europe/Brussels",
        "as_of": "2026-12-01T08:00:00+00:00",
        "description": "digicheque numbers for all time (days in Europe/Brussels), "
                       "as of 2026-12-01 09:00"}
    assert document["sections"]["visits"]["dated"].startswith("by the start of the visit's")
    assert document["sections"]["reminders"]["figures"]["sent_rate"]["kind"] == "percent"


def test_the_period_in_all_three_formats(run, city):
    args = ("stats", "--from", "2026-11-01", "--to", "30/11/2026")
    table = run(*args)
    assert table.output.startswith("digicheque numbers for 2026-11-01 to 2026-11-30 ")
    tables = table_rows(table.output)
    for title, section in zip(tables, SECTIONS, strict=True):
        assert [row[1:] for row in tables[title][1:]] == \
            expected_rows(EXPECTED_NOVEMBER, section), title
    csv_text = raw(run(*args, "--format", "csv"))
    assert from_csv(csv_text) == EXPECTED_NOVEMBER
    rows = list(csv.DictReader(io.StringIO(csv_text, newline="")))
    assert {(r["from"], r["to"]) for r in rows} == {("2026-11-01", "2026-11-30")}
    document = run(*args, "--format", "json").output
    assert from_json(document) == EXPECTED_NOVEMBER
    assert json.loads(document)["period"]["from"] == "2026-11-01"


def test_an_empty_database(run):
    result = run("stats")
    assert result.exit_code == 0, result.output
    tables = table_rows(result.output)
    assert tables["CHEQUES"] == [["total"], ["issued", "0"], ["redeemed", "0"],
                                 ["fully used", "0"], ["expired", "0"], ["void", "0"]]
    assert ["median days, first message to first visit", "-"] in tables["WAITING TIME"]
    assert ["sent rate: sent / (sent + failed)", "-"] in tables["REMINDERS"]
    assert "  No data: no reminders were queued in this period." in result.output.splitlines()
    document = json.loads(run("stats", "--format", "json").output)
    waiting = document["sections"]["waiting"]["figures"]["median_days_to_first_visit"]
    assert waiting == {"label": "median days, first message to first visit", "kind": "days",
                       "total": None, "by_channel": {}, "by_language": {}}
    csv_rows = list(csv.DictReader(io.StringIO(raw(run("stats", "--format", "csv")),
                                               newline="")))
    assert len(csv_rows) == len(EXPECTED_ALL)
    assert {r["value"] for r in csv_rows} == {"0", ""}


def test_after_the_purge_the_numbers_still_come_out(run, city, sessions):
    november_before = run("stats", "--from", "2026-11-01", "--to", "2026-11-30").output
    purge(sessions, Settings(), NOW + timedelta(days=200))
    result = run("stats", "--format", "json")
    assert result.exit_code == 0, result.output
    after = from_json(result.output)
    assert after == EXPECTED_ALL        # the reminders' too: counted before deleting
    november = run("stats", "--from", "2026-11-01", "--to", "2026-11-30").output
    assert table_rows(november) == table_rows(november_before)
    assert "No data" not in november


def test_period_the_wrong_way_round_is_one_clear_line(run):
    result = run("stats", "--from", "2026-12-01", "--to", "2026-11-01")
    assert result.exit_code == 2
    assert "--from 2026-12-01 is after --to 2026-11-01; give the earlier day first." in \
        result.output


def test_a_date_that_is_no_date(run):
    result = run("stats", "--from", "last year")
    assert result.exit_code == 2
    assert "expected a date like 31/12/2026 or 2026-12-31 (or today, tomorrow), " \
           "got 'last year'" in result.output


def test_help(run):
    result = run("stats", "--help")
    assert result.exit_code == 0
    assert "--from DATE" in result.output and "table|csv|json" in result.output
