from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.cli import cli
from storage.models import Coach, Slot
from tests.auxil.rows import add_booking, add_coach, add_slot, at

BRUSSELS = ZoneInfo("Europe/Brussels")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def cli_now():
    return NOW


def coaches_in_db(sessions):
    with sessions() as s:
        return {c.name: (c.phone, c.postcodes, c.active) for c in s.scalars(select(Coach))}


def slots_in_db(sessions):
    with sessions() as s:
        return list(s.scalars(select(Slot).order_by(Slot.starts_at)))


# ---------------------------------------------------------------------------- coaches

def test_add_coach_normalises_phone_and_postcodes(run, sessions):
    result = run("coaches", "add", "An Peeters", "--phone", "0470 12 34 56",
                 "--postcodes", "9100, 9111")
    assert result.exit_code == 0, result.output
    assert "Coach 'An Peeters' added: phone +32470123456, postcodes 9100,9111." in result.output
    assert coaches_in_db(sessions) == {"An Peeters": ("+32470123456", "9100,9111", True)}
    result = run("coaches", "add", "Bo", "--phone", "+32 3 778 30 00")
    assert result.exit_code == 0, result.output
    assert coaches_in_db(sessions)["Bo"] == ("+3237783000", "", True)
    listing = run("coaches", "list").output
    assert "An Peeters  +32470123456  9100,9111  active" in listing
    assert "Bo          +3237783000   all        active" in listing


@pytest.mark.parametrize("args, message", [
    (["--phone", "123"], "'123' is not a valid phone number for BE"),
    (["--phone", "hello"], "'hello' is not a valid phone number for BE"),
    (["--postcodes", "9100,91"], "'91' is not a Belgian postcode"),
    (["--postcodes", "91OO"], "'91OO' is not a Belgian postcode"),
])
def test_add_coach_refuses_bad_input(run, sessions, args, message):
    result = run("coaches", "add", "An", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert coaches_in_db(sessions) == {}


def test_add_coach_twice_is_refused(run, sessions):
    assert run("coaches", "add", "An").exit_code == 0
    result = run("coaches", "add", "  an ")
    assert result.exit_code == 1
    assert "A coach named 'An' already exists" in result.output
    assert list(coaches_in_db(sessions)) == ["An"]


def test_postcode_outside_service_area_is_noted(run, sessions):
    result = run("coaches", "add", "An", "--postcodes", "9200")
    assert result.exit_code == 0
    assert "9200 is outside the service area (9100, 9111, 9112)" in result.stderr
    assert coaches_in_db(sessions)["An"][1] == "9200"


def test_list_without_coaches_says_how_to_add(run):
    assert "No coaches yet. Add one with: digicheque coaches add" in run("coaches", "list").output


def test_remove_refuses_while_visits_are_booked_then_force(run, sessions):
    day = date(2026, 12, 1)
    with sessions.begin() as s:
        an = add_coach(s, "An")
        add_booking(s, add_slot(s, an, at(date(2026, 11, 10), 9)),   # in the past
                    phone="+32470000001")
        visit = add_booking(s, add_slot(s, an, at(day, 9)), phone="+32470999888",
                            street="Markt 1", topic="itsme", topic_text=None)
    result = run("coaches", "remove", "An")
    assert result.exit_code == 1
    assert "'An' has 1 booked visit(s) to come" in result.output
    assert f"#{visit.id}  Tue 2026-12-01 09:00-10:30  An  Markt 1, 9100  +32470999888  itsme" \
        in result.output
    assert "+32470000001" not in result.output
    assert "--force" in result.output
    assert coaches_in_db(sessions)["An"][2] is True

    result = run("coaches", "remove", "an", "--force")
    assert result.exit_code == 0, result.output
    assert "Coach 'An' removed" in result.output
    assert "These 1 booked visit(s) still need moving" in result.output
    assert coaches_in_db(sessions)["An"][2] is False
    assert len(slots_in_db(sessions)) == 2  # rows kept for the bookings
    assert "An" not in run("coaches", "list").output
    assert "An     -      all        removed" in run("coaches", "list", "--all").output


def test_removed_coach_can_be_added_again(run, sessions):
    run("coaches", "add", "An", "--phone", "0470123456")
    assert run("coaches", "remove", "An").exit_code == 0
    result = run("slots", "generate", "--coach", "An",
                 "--from", "2026-12-01", "--to", "2026-12-01", "--weekly", "tue 09:00-12:00")
    assert result.exit_code == 1
    assert "Coach 'An' was removed" in result.output
    result = run("coaches", "add", "An", "--postcodes", "9112")
    assert "was removed earlier and is active again" in result.output
    assert coaches_in_db(sessions) == {"An": ("+32470123456", "9112", True)}


def test_unknown_coach_lists_the_known_ones(run):
    run("coaches", "add", "An")
    run("coaches", "add", "Bo")
    result = run("coaches", "remove", "Cas")
    assert result.exit_code == 1
    assert "No coach named 'Cas'. Coaches: An, Bo." in result.output


# ---------------------------------------------------------------------------- generate

def test_generate_is_idempotent_and_reports_counts(run, sessions):
    run("coaches", "add", "An")
    args = ["slots", "generate", "--coach", "An", "--from", "2026-12-01", "--to", "2026-12-06",
            "--weekly", "mon,thu 09:00-12:00; tue 13:00-16:30"]
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert "created 3 slots, 0 already existed" in first.output
    stored = slots_in_db(sessions)
    assert [(x.starts_at.astimezone(BRUSSELS).strftime("%a %d %H:%M"),
             x.ends_at.astimezone(BRUSSELS).strftime("%H:%M")) for x in stored] == [
        ("Tue 01 13:00", "14:30"), ("Tue 01 15:00", "16:30"), ("Thu 03 09:00", "10:30")]
    assert {(x.capacity, x.booked, x.closed_at) for x in stored} == {(1, 0, None)}
    again = run(*args)
    assert "created 0 slots, 3 already existed" in again.output
    assert len(slots_in_db(sessions)) == 3


def test_generate_options_visit_gap_capacity(run, sessions):
    run("coaches", "add", "An")
    result = run("slots", "generate", "--coach", "An", "--from", "2026-12-01",
                 "--to", "2026-12-01", "--weekly", "di 09:00-12:00", "--visit", "1h",
                 "--gap", "0m", "--capacity", "3")
    assert "created 3 slots, 0 already existed" in result.output
    assert "visits of 1h, gap 0s" in result.output
    stored = slots_in_db(sessions)
    assert [x.starts_at.astimezone(BRUSSELS).hour for x in stored] == [9, 10, 11]
    assert {x.capacity for x in stored} == {3}


def test_generate_across_daylight_saving_keeps_local_time(run, sessions):
    run("coaches", "add", "An")
    result = run("slots", "generate", "--coach", "An", "--from", "2026-10-24",
                 "--to", "2026-10-26", "--weekly", "mon-sun 09:00-10:30")
    assert "created 3 slots" in result.output
    stored = slots_in_db(sessions)
    assert [x.starts_at.astimezone(BRUSSELS).hour for x in stored] == [9, 9, 9]
    assert [x.starts_at.hour for x in stored] == [7, 8, 8]


def test_generate_skips_holidays_unless_included(run, sessions):
    run("coaches", "add", "An")
    args = ["slots", "generate", "--coach", "An", "--from", "2026-12-21", "--to", "2027-01-03",
            "--weekly", "ma-vr 09:00-10:30"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert ("Skipped 2 public holiday(s): Fri 2026-12-25 (Christmas Day), "
            "Fri 2027-01-01 (New Year's Day).") in result.output
    assert "created 8 slots, 0 already existed" in result.output
    days = {x.starts_at.astimezone(BRUSSELS).date() for x in slots_in_db(sessions)}
    assert date(2026, 12, 25) not in days
    result = run(*args, "--include-holidays")
    assert "Skipped" not in result.output
    assert "created 2 slots, 8 already existed" in result.output
    days = {x.starts_at.astimezone(BRUSSELS).date() for x in slots_in_db(sessions)}
    assert {date(2026, 12, 25), date(2027, 1, 1)} <= days


@pytest.mark.parametrize("weekly, message", [
    ("mon,fr 09:00-12:00", "Invalid value for '--weekly': unknown day 'fr' in "
                           "'mon,fr 09:00-12:00'"),
    ("mon 09:00-12:00; tue 9h", "hours '9h' in 'tue 9h' are not a time range"),
    ("wed 14:00-10:00", "end before they start"),
])
def test_generate_bad_weekly_spec(run, sessions, weekly, message):
    run("coaches", "add", "An")
    result = run("slots", "generate", "--coach", "An", "--from", "2026-12-01",
                 "--to", "2026-12-31", "--weekly", weekly)
    assert result.exit_code == 2
    assert message in result.output
    assert slots_in_db(sessions) == []


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-12-31", "--to", "2026-12-01"], "ends (2026-12-01) before it starts"),
    (["--from", "1/12/2026", "--to", "2026-12-01"], "expected a date like 2026-12-01"),
    (["--from", "2026-12-01", "--to", "2026-12-02", "--visit", "soon"],
     "expected a duration such as 90m"),
])
def test_generate_bad_period_or_duration(run, args, message):
    run("coaches", "add", "An")
    result = run("slots", "generate", "--coach", "An", "--weekly", "mon 09:00-12:00", *args)
    assert result.exit_code != 0
    assert message in result.output


# ---------------------------------------------------------------------------- list

def test_slots_list_shows_local_times_seats_and_state(run, sessions):
    day = date(2026, 12, 1)
    with sessions.begin() as s:
        an, bo = add_coach(s, "An"), add_coach(s, "Bo")
        add_slot(s, an, at(day, 9), capacity=2, booked=1)
        add_slot(s, bo, at(day, 9), closed=True)
        add_slot(s, an, at(day, 13), booked=1)
        add_slot(s, an, at(day + timedelta(days=1), 9))
    result = run("slots", "list", "--date", "2026-12-01")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["When", "Coach", "Booked", "State"]
    assert lines[1].split() == ["Tue", "2026-12-01", "09:00-10:30", "An", "1/2", "free"]
    assert lines[2].split() == ["Tue", "2026-12-01", "09:00-10:30", "Bo", "0/1", "closed:",
                                "test"]
    assert lines[3].split() == ["Tue", "2026-12-01", "13:00-14:30", "An", "1/1", "full"]
    assert lines[4] == "3 slots 2026-12-01, 1 free."
    free = run("slots", "list", "--from", "2026-12-01", "--to", "2026-12-02", "--free").output
    assert "2 slots 2026-12-01 to 2026-12-02, 2 free." in free
    only_bo = run("slots", "list", "--date", "2026-12-01", "--coach", "bo").output
    assert "1 slots 2026-12-01, 0 free." in only_bo
    default = run("slots", "list").output  # from today (20 Nov) for a week
    assert default == "No slots 2026-11-20 to 2026-11-26.\n"
    assert run("slots", "list", "--date", "2026-12-01", "--from", "2026-12-01").exit_code == 2


# ---------------------------------------------------------------------------- close

def test_close_lists_booked_visits_to_move(run, sessions):
    day = date(2026, 12, 1)
    with sessions.begin() as s:
        an = add_coach(s, "An")
        s9 = add_slot(s, an, at(day, 9))
        s13 = add_slot(s, an, at(day, 13))
        s15 = add_slot(s, an, at(day, 15))
        visit = add_booking(s, s13, phone="+32470999888", street="Markt 1", postcode="9111",
                            topic="banking", topic_text="kaartlezer")
        add_booking(s, s9, status="cancelled", phone="+32470000001")
    result = run("slots", "close", "--coach", "An", "--from", "2026-12-01T08:00",
                 "--to", "2026-12-01T14:00", "--reason", "ziek")
    assert result.exit_code == 0, result.output
    assert ("Closed 2 slots of An from 2026-12-01 08:00 to 2026-12-01 14:00 "
            "(0 were already closed). Reason: ziek") in result.output
    assert "1 booked visit(s) need moving:" in result.output
    assert (f"#{visit.id}  Tue 2026-12-01 13:00-14:30  An  Markt 1, 9111  +32470999888  "
            "banking: kaartlezer") in result.output
    assert "+32470000001" not in result.output
    state = {x.id: (x.closed_at, x.closed_reason) for x in slots_in_db(sessions)}
    assert state == {s9.id: (NOW, "ziek"), s13.id: (NOW, "ziek"), s15.id: (None, None)}


def test_close_whole_days_and_reopen(run, sessions):
    day = date(2026, 12, 1)
    with sessions.begin() as s:
        an = add_coach(s, "An")
        for d in range(3):
            add_slot(s, an, at(day + timedelta(days=d), 20))
    result = run("slots", "close", "--coach", "An", "--from", "2026-12-01", "--to",
                 "2026-12-02", "--reason", "training")
    assert "Closed 2 slots" in result.output
    assert "No booked visits are affected." in result.output
    assert [x.closed_reason for x in slots_in_db(sessions)] == ["training", "training", None]
    result = run("slots", "reopen", "--coach", "An", "--from", "2026-12-02", "--to",
                 "2026-12-02")
    assert "Reopened 1 slots" in result.output
    assert [x.closed_reason for x in slots_in_db(sessions)] == ["training", None, None]


@pytest.mark.parametrize("start, end, message", [
    ("2026-12-01T12:00", "2026-12-01T09:00", "is not after --from"),
    ("1 december", "2026-12-01T09:00", "expected a date and time like 2026-12-01T09:00"),
])
def test_close_bad_period(run, start, end, message):
    run("coaches", "add", "An")
    result = run("slots", "close", "--coach", "An", "--from", start, "--to", end,
                 "--reason", "x")
    assert result.exit_code == 2
    assert message in result.output


def test_close_with_nothing_in_range(run):
    run("coaches", "add", "An")
    result = run("slots", "close", "--coach", "An", "--from", "2026-12-01", "--to",
                 "2026-12-01", "--reason", "x")
    assert result.exit_code == 0
    assert "An has no slots from 2026-12-01 00:00 to 2026-12-02 00:00; nothing closed." \
        in result.output


# ---------------------------------------------------------------------------- help

@pytest.mark.parametrize("command", [
    ["coaches"], ["coaches", "add"], ["coaches", "list"], ["coaches", "remove"],
    ["slots"], ["slots", "generate"], ["slots", "list"], ["slots", "close"],
    ["slots", "reopen"],
])
def test_every_command_and_option_has_help(command):
    group = cli
    for name in command:
        group = group.commands[name]  # type: ignore[attr-defined]
    assert group.help
    for param in group.params:
        if param.param_type_name == "option":
            assert param.help, f"{' '.join(command)} {param.opts} has no help"
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output


def test_help_works_without_a_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["slots", "generate", "--help"])
    assert result.exit_code == 0
    assert "--include-holidays" in result.output
    assert not (tmp_path / "digicheque.db").exists()


def test_count_of_coaches_unchanged_by_failed_add(run, sessions):
    run("coaches", "add", "An", "--phone", "0470123456")
    run("coaches", "add", "An", "--phone", "0470123457")
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Coach)) == 1
        assert s.scalars(select(Coach.phone)).one() == "+32470123456"
