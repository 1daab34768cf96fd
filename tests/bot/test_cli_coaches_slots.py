from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from bot.cli import cli
from storage.bookings import book_visit
from storage.models import Booking, Cheque, Coach, Resident, Slot, TimerStatus
from tests.auxil.rows import add_booking, add_coach, add_slot, at
from tests.auxil.visits import book, booking, outbox, policy, reply, seats, sms_ok, state, \
    timers

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


# ---------------------------------------------------------------------------- close: visits

def _world(sessions):
    """An's visits on 1 December at 9 (nl, SMS) and 13 (fr, Telegram); An free on the 2nd
    at 9 and 13; Bo free at 13 on the 1st (serves every postcode)."""
    day = date(2026, 12, 1)
    with sessions.begin() as s:
        an, bo = add_coach(s, "An"), add_coach(s, "Bo")
        an9, an13 = add_slot(s, an, at(day, 9)), add_slot(s, an, at(day, 13))
        free9 = add_slot(s, an, at(day + timedelta(days=1), 9))
        free13 = add_slot(s, an, at(day + timedelta(days=1), 13))
        bo13 = add_slot(s, bo, at(day, 13))
        early = book(s, an9)
        late = book(s, an13, language="fr", channel="telegram", address="4242")
        return {"an9": an9.id, "an13": an13.id, "free9": free9.id, "free13": free13.id,
                "bo13": bo13.id, "early": early.id, "late": late.id,
                "early_resident": early.resident_id, "late_resident": late.resident_id}


def _close(run, *flags: str):
    return run("slots", "close", "--coach", "An", "--from", "2026-12-01", "--to",
               "2026-12-01", "--reason", "ziek", *flags)


def test_close_without_a_flag_lists_the_visits_and_names_the_flags(run, sessions):
    w = _world(sessions)
    result = _close(run)
    assert result.exit_code == 0, result.output
    assert "2 booked visit(s) need moving:" in result.output
    assert ("Tell their residents and offer new times with --notify, or move them to another "
            "coach free at the same time with --reassign") in result.output
    assert booking(sessions, w["early"]).status == "booked"
    assert outbox(sessions, w["early_resident"]) == []
    assert {t[2] for t in timers(sessions, w["early"])} == {TimerStatus.PENDING}


def test_close_notify_offers_the_nearest_times_and_the_answer_moves_the_visit(run, sessions):
    w = _world(sessions)
    result = _close(run, "--notify", "--yes")
    assert result.exit_code == 0, result.output
    assert "2 resident(s) told the visit cannot go ahead, new times offered:" in result.output
    assert {x.id: x.closed_reason for x in slots_in_db(sessions)}[w["an9"]] == "ziek"
    for visit in (w["early"], w["late"]):
        assert booking(sessions, visit).status == "booked"   # nothing cancelled silently
        assert {t[2] for t in timers(sessions, visit)} == {TimerStatus.CANCELLED}
    [sms] = outbox(sessions, w["early_resident"])
    sms_ok([sms])
    assert sms.body == (
        "Sorry, de coach kan op dinsdag 1 december om 09:00 niet komen. Kies een ander "
        "moment voor uw bezoek:\n1 di 1 dec 13:00-14:30\n2 wo 2 dec 09:00-10:30\n"
        "3 wo 2 dec 13:00-14:30\n4 Andere dag")
    [telegram] = outbox(sessions, w["late_resident"])
    assert telegram.body.startswith("Pardon, le coach ne peut pas venir le mardi 1 décembre "
                                    "à 13:00.")
    assert telegram.choices == ["mar 1 déc 13:00-14:30", "mer 2 déc 09:00-10:30",
                                "mer 2 déc 13:00-14:30", "Autre jour"]
    assert state(sessions, w["early_resident"]) == (
        "ask_time", {"mode": "move", "booking_id": w["early"],
                     "offers": [w["bo13"], w["free9"], w["free13"]]})
    # The resident answers: 1 (the first time), then 1 (yes, move it).
    assert "Uw bezoek verplaatsen naar dinsdag 1 december van 13:00 tot 14:30?" in \
        reply(sessions, w["early_resident"], "1")
    assert "Gelukt! Uw bezoek is nu op dinsdag 1 december om 13:00." in \
        reply(sessions, w["early_resident"], "1")
    moved = booking(sessions, w["early"])
    assert (moved.slot_id, moved.status, moved.moves) == (w["bo13"], "booked", 1)
    assert seats(sessions)[w["an9"]] == 0 and seats(sessions)[w["bo13"]] == 1
    assert any(k.startswith("reminder.") and st == TimerStatus.PENDING
               for k, _, st in timers(sessions, w["early"]))


def test_close_reassign_moves_to_another_coach_at_the_same_time(run, sessions):
    w = _world(sessions)
    result = _close(run, "--reassign", "--yes")
    assert result.exit_code == 0, result.output
    assert "1 visit(s) moved to another coach at the same time:" in result.output
    assert (f"#{w['late']}  Tue 2026-12-01 13:00-14:30  Bo  Kerkstraat 12, 9100  "
            "+32470111222  smartphone: WhatsApp met kleinkinderen  (resident told)") \
        in result.output
    assert "1 booked visit(s) could not be moved to another coach (none free then):" \
        in result.output
    assert "Tell their residents and offer new times with --notify (run the same close " \
           "again)" in result.output
    assert booking(sessions, w["late"]).slot_id == w["bo13"]
    assert seats(sessions)[w["an13"]] == 0 and seats(sessions)[w["bo13"]] == 1
    assert any(st == TimerStatus.PENDING for _, _, st in timers(sessions, w["late"]))
    [told] = outbox(sessions, w["late_resident"])
    assert told.body.startswith("Votre visite du mardi 1 décembre à 13:00 a bien lieu, avec "
                                "un autre coach.\nQue voulez-vous faire?")
    assert state(sessions, w["late_resident"]) == ("menu", {})
    assert booking(sessions, w["early"]).slot_id == w["an9"]   # no coach free at 9
    assert outbox(sessions, w["early_resident"]) == []
    # Run again with --notify: the one left is told now.
    again = _close(run, "--reassign", "--notify", "--yes")
    assert "1 resident(s) told the visit cannot go ahead" in again.output
    assert len(outbox(sessions, w["early_resident"])) == 1


def test_close_notify_skips_stopped_residents_and_says_so(run, sessions):
    w = _world(sessions)
    with sessions.begin() as s:
        s.get(Resident, w["early_resident"]).opted_out_at = NOW
    result = _close(run, "--notify", "--yes")
    assert result.exit_code == 0, result.output
    assert "1 resident(s) stopped messages from us, NOT told: call them:" in result.output
    assert f"#{w['early']}  Tue 2026-12-01 09:00-10:30  An" in result.output
    assert outbox(sessions, w["early_resident"]) == []
    assert len(outbox(sessions, w["late_resident"])) == 1


def test_close_notify_asks_first(run, sessions, db_url):
    w = _world(sessions)
    runner = CliRunner(env={"DIGICHEQUE_DATABASE_URL": db_url})
    args = ["slots", "close", "--coach", "An", "--from", "2026-12-01", "--to", "2026-12-01",
            "--reason", "ziek", "--notify"]
    result = runner.invoke(cli, args, input="n\n")
    assert "2 booked visit(s) of An in the period:" in result.output
    assert "Close the slots, tell the residents and offer them new times? [y/N]" \
        in result.output
    assert result.exit_code == 1
    assert {x.closed_at for x in slots_in_db(sessions)} == {None}
    assert outbox(sessions, w["early_resident"]) == []


def test_close_notify_leaves_visits_already_started(run, sessions):
    day = date(2026, 11, 20)   # today: NOW is 10:00
    with sessions.begin() as s:
        an = add_coach(s, "An")
        started = book(s, add_slot(s, an, at(day, 9)))
        ids = (started.id, started.resident_id)
    result = run("slots", "close", "--coach", "An", "--from", "2026-11-20", "--to",
                 "2026-11-20", "--reason", "ziek", "--notify", "--yes")
    assert result.exit_code == 0, result.output
    assert "1 visit(s) already started, left as they are:" in result.output
    assert outbox(sessions, ids[1]) == []


def test_close_notify_offers_one_resident_one_choice_at_a_time(run, sessions):
    """Two visits of one resident in the period: the first is offered new times, the
    second is left for staff (one question at a time), not silently dropped."""
    w = _world(sessions)
    with sessions.begin() as s:
        first = s.get(Booking, w["early"])
        an = s.get(Slot, w["an9"]).coach
        cheque = s.get(Cheque, first.cheque_id)
        cheque.visits, cheque.status = 2, "open"
        second = book_visit(s, resident_id=first.resident_id, cheque_id=first.cheque_id,
                            slot_id=add_slot(s, an, at(date(2026, 12, 1), 11)).id,
                            postcode="9100", street="Kerkstraat 12", phone="+32470111222",
                            topic="email", topic_text=None, now=NOW, today=NOW.date(),
                            reminders=policy())
        second_id = second.id
    result = _close(run, "--notify", "--yes")
    assert result.exit_code == 0, result.output
    assert "2 resident(s) told the visit cannot go ahead" in result.output
    assert ("1 booked visit(s) need moving by staff (the resident is already offered times "
            "for another visit in the period):") in result.output
    assert f"#{second_id}  Tue 2026-12-01 11:00-12:30  An" in result.output
    assert len(outbox(sessions, w["early_resident"])) == 1
    assert state(sessions, w["early_resident"])[1]["booking_id"] == w["early"]


def test_close_notify_many_visits_with_a_progress_bar(run, sessions):
    """A group session's 25 visits: each resident told once, in one transaction."""
    with sessions.begin() as s:
        an = add_coach(s, "An")
        group = add_slot(s, an, at(date(2026, 12, 1), 9), capacity=25)
        add_slot(s, an, at(date(2026, 12, 2), 9), capacity=25)
        residents = [book(s, group).resident_id for _ in range(25)]
    result = _close(run, "--notify", "--yes")
    assert result.exit_code == 0, result.output
    assert "25 resident(s) told the visit cannot go ahead" in result.output
    assert [len(outbox(sessions, r)) for r in residents] == [1] * 25
    assert all(state(sessions, r)[0] == "ask_time" for r in residents)
