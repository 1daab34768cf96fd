"""`digicheque visits`: staff list, show, move, cancel and record visits; the resident is
told in their language on their channel, and their answer is understood by the engine.

Run through the real command (click) on SQLite and PostgreSQL; the database after each
command and the outbox rows the resident gets are what is asserted.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from bot.cli import cli
from storage.models import Booking, Cheque, Resident, Slot, TimerStatus
from tests.auxil.rows import add_coach, add_slot, at
from tests.auxil.visits import (
    NOW,
    book,
    booking,
    outbox,
    reply,
    seats,
    sms_ok,
    state,
    timers,
    used,
)

DAY = date(2026, 12, 1)   # Tuesday 1 December


@pytest.fixture
def cli_now():
    return NOW


@pytest.fixture
def world(sessions):
    """An with slots at 9, 13 and 15 on 1 December; Bo (9111 only) at 13; a visit at 9."""
    with sessions.begin() as s:
        an = add_coach(s, "An", phone="+32470123456")
        bo = add_coach(s, "Bo", postcodes="9111")
        slots = {"an9": add_slot(s, an, at(DAY, 9)), "an13": add_slot(s, an, at(DAY, 13)),
                 "an15": add_slot(s, an, at(DAY, 15)), "bo13": add_slot(s, bo, at(DAY, 13))}
        visit = book(s, slots["an9"])
        return {**{k: v.id for k, v in slots.items()}, "visit": visit.id,
                "resident": visit.resident_id, "cheque": visit.cheque_id}


# ---------------------------------------------------------------------------- list, show

def test_list_shows_each_state_and_filters(run, sessions, world):
    with sessions.begin() as s:
        an = s.get(Slot, world["an9"]).coach
        confirmed = book(s, s.get(Slot, world["an13"]))
        confirmed.confirmed_at = NOW
        done = book(s, add_slot(s, an, at(DAY - timedelta(days=1), 9)))
        done.status, done.outcome_by = "done", "coach"
        noshow = book(s, add_slot(s, an, at(DAY - timedelta(days=1), 13)))
        noshow.status = "no_show"
        gone = book(s, s.get(Slot, world["bo13"]), postcode="9111")
        gone.status = "cancelled"
        ids = {"confirmed": confirmed.id, "done": done.id, "noshow": noshow.id,
               "gone": gone.id}
    result = run("visits", "list", "--from", "2026-11-30", "--to", "2026-12-01")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Visit", "Day", "Time", "Coach", "Postcode", "Topic",
                                "Status"]
    assert lines[1].split() == [f"#{ids['done']}", "Mon", "2026-11-30", "09:00-10:30", "An",
                                "9100", "smartphone", "done"]
    assert lines[2].split()[-1] == "no-show"
    assert lines[3].split() == [f"#{world['visit']}", "Tue", "2026-12-01", "09:00-10:30",
                                "An", "9100", "smartphone", "booked"]
    assert [line.split()[-1] for line in lines[4:6]] == ["confirmed", "cancelled"]
    assert lines[6] == "5 visit(s) 2026-11-30 to 2026-12-01."
    assert "+32470111222" not in result.output   # no phone numbers in a list

    def listed(*args: str) -> list[str]:
        out = run("visits", "list", "--from", "2026-11-30", "--to", "2026-12-01", *args)
        assert out.exit_code == 0, out.output
        return [line.split()[0] for line in out.output.splitlines()[1:-1]]

    assert listed("--status", "confirmed") == [f"#{ids['confirmed']}"]
    assert listed("--status", "booked") == [f"#{world['visit']}", f"#{ids['confirmed']}"]
    assert listed("--status", "no-show") == [f"#{ids['noshow']}"]
    assert listed("--coach", "bo") == [f"#{ids['gone']}"]
    assert run("visits", "list", "--date", "2026-12-02").output == "No visits 2026-12-02.\n"
    default = run("visits", "list")   # a week from today (20 November): none yet
    assert default.output == "No visits 2026-11-20 to 2026-11-26.\n"
    both = run("visits", "list", "--date", "2026-12-01", "--from", "2026-12-01")
    assert both.exit_code == 2 and "either --date or --from/--to" in both.output


def test_show_has_what_the_coach_needs(run, sessions, world):
    result = run("visits", "show", f"#{world['visit']}")
    assert result.exit_code == 0, result.output
    out = result.output
    for line in (f"Visit     #{world['visit']}", "Status    booked",
                 f"When      Tue 2026-12-01 09:00-10:30 (slot {world['an9']})",
                 "Coach     An (+32470123456)", "Address   Kerkstraat 12, 9100",
                 "Phone     +32470111222", "Topic     smartphone",
                 "Note      WhatsApp met kleinkinderen", "Resident  sms, nl",
                 "Moved     0 time(s)", "2026-11-30 09:00  reminder.day_before  pending",
                 "2026-12-01 08:00  reminder.soon  pending"):
        assert line in out, (line, out)
    missing = run("visits", "show", "999")
    assert missing.exit_code == 1 and "No visit #999." in missing.output
    bad = run("visits", "show", "abc")
    assert bad.exit_code == 2 and "expected a visit number" in bad.output


# ---------------------------------------------------------------------------- move

def test_move_to_a_slot_tells_the_resident_and_replaces_the_reminders(run, sessions, world):
    before = timers(sessions, world["visit"])
    result = run("visits", "move", str(world["visit"]), "--to", str(world["an15"]), "--yes")
    assert result.exit_code == 0, result.output
    assert "  from Tue 2026-12-01 09:00-10:30  An" in result.output
    assert f"  to   Tue 2026-12-01 15:00-16:30  An (slot {world['an15']})" in result.output
    assert (f"Visit #{world['visit']} moved to Tue 2026-12-01 15:00-16:30. The resident is "
            "told by sms, in nl (queued; the running digicheque run sends it).") in result.output
    moved = booking(sessions, world["visit"])
    assert (moved.slot_id, moved.status, moved.moves, moved.version) == \
        (world["an15"], "booked", 1, 2)
    assert seats(sessions)[world["an9"]] == 0 and seats(sessions)[world["an15"]] == 1
    assert used(sessions, world["cheque"]) == 1
    after = timers(sessions, world["visit"])
    assert [t[2] for t in after[:len(before)]] == [TimerStatus.CANCELLED] * len(before)
    assert [(k, d) for k, d, st in after
            if st == TimerStatus.PENDING and k.startswith("reminder.")] == [
        ("reminder.day_before", at(DAY - timedelta(days=1), 15)),
        ("reminder.soon", at(DAY, 13))]
    [message] = outbox(sessions, world["resident"])
    assert message.body == (
        "Let op: de stad heeft uw bezoek verplaatst. De coach komt nu op dinsdag 1 december "
        "om 15:00.\nWat wilt u doen?\n1 Mijn bezoek bekijken\n2 Verplaatsen\n3 Annuleren\n"
        "4 Iemand spreken")
    sms_ok([message])
    assert state(sessions, world["resident"]) == ("menu", {})
    assert "15:00" in reply(sessions, world["resident"], "1")   # the menu answers


def test_move_to_a_time_finds_a_free_coach_for_the_postcode(run, sessions, world):
    with sessions.begin() as s:
        other = book(s, s.get(Slot, world["an13"]))   # An is full at 13:00
        other_id = other.id
    # Bo is free at 13:00 but serves only 9111: not for a 9100 visit.
    result = run("visits", "move", str(world["visit"]), "--to", "2026-12-01 13:00", "--yes")
    assert result.exit_code == 1
    assert ("No coach serving 9100 is free at Tue 2026-12-01 13:00 (An: full). Free on "
            f"2026-12-01: 15:00 An (slot {world['an15']}).") in result.output
    # Named, Bo may take it (staff know best); the plan says Bo does not serve 9100.
    result = run("visits", "move", str(world["visit"]), "--to", "2026-12-01T13:00",
                 "--coach", "Bo", "--yes")
    assert result.exit_code == 0, result.output
    assert "Note: Bo does not serve postcode 9100." in result.output
    assert booking(sessions, world["visit"]).slot_id == world["bo13"]
    assert booking(sessions, other_id).slot_id == world["an13"]
    assert seats(sessions) == {world["an9"]: 0, world["an13"]: 1, world["an15"]: 0,
                               world["bo13"]: 1}


@pytest.mark.parametrize("args, message", [
    (["999", "--to", "5"], "No visit #999. See: digicheque visits list"),
    (["{visit}", "--to", "999"], "No slot 999."),
    (["{visit}", "--to", "{an9}"], "Visit #{visit} is already in slot {an9}."),
    (["{visit}", "--to", "{full}"], "Slot {full} (Tue 2026-12-01 13:00-14:30, An) is full."),
    (["{visit}", "--to", "{closed}"],
     "Slot {closed} (Tue 2026-12-01 11:00-12:30, An) is closed: test."),
    (["{visit}", "--to", "{past}"], "Slot {past} (Thu 2026-11-19 09:00-10:30, An) is in the "
                                    "past."),
    (["{visit}", "--to", "2026-11-01 09:00"], "Sun 2026-11-01 09:00 is in the past."),
    (["{visit}", "--to", "2026-12-01 10:00"], "No coach serving 9100 is free at Tue "
                                              "2026-12-01 10:00. Free on 2026-12-01: 15:00"),
    (["{visit}", "--to", "2026-12-01 10:00", "--coach", "An"],
     "An has no free slot at Tue 2026-12-01 10:00."),
    (["{visit}", "--to", "2026-12-01 10:00", "--coach", "Nobody"], "No coach named 'Nobody'"),
    (["{visit}", "--to", "{an15}", "--coach", "An"], "--coach goes with a time"),
    (["{visit}", "--to", "morgen"], "expected a date and time like 2026-12-01T09:00"),
    (["{cancelled}", "--to", "{an15}"], "Visit #{cancelled} is cancelled by staff on "
                                        "2026-11-20 10:00; only a booked visit can be moved."),
    (["{old}", "--to", "{an15}"], "Visit #{old} was on Wed 2026-11-18 09:00-10:30, in the "
                                  "past; record how it went with: digicheque visits "
                                  "done|noshow {old}"),
])
def test_move_errors_are_one_line_and_change_nothing(run, sessions, world, args, message):
    with sessions.begin() as s:
        an = s.get(Slot, world["an9"]).coach
        full = s.get(Slot, world["an13"])
        book(s, full)
        closed = add_slot(s, an, at(DAY, 11), closed=True)
        past = add_slot(s, an, at(date(2026, 11, 19), 9))
        cancelled = book(s, add_slot(s, an, at(DAY, 17)))
        cancelled.status, cancelled.outcome_by, cancelled.outcome_at = \
            "cancelled", "staff", NOW
        old = book(s, add_slot(s, an, at(date(2026, 11, 18), 9)))
        names = {**world, "full": full.id, "closed": closed.id, "past": past.id,
                 "cancelled": cancelled.id, "old": old.id}
    before = seats(sessions)
    result = run("visits", "move", *(a.format(**names) for a in args), "--yes")
    assert result.exit_code in (1, 2)
    assert message.format(**names) in result.output
    assert "Traceback" not in result.output
    assert seats(sessions) == before
    assert booking(sessions, world["visit"]).slot_id == world["an9"]
    assert outbox(sessions, world["resident"]) == []


def test_move_asks_first(typed, sessions, world):
    result = typed("n\n", "visits", "move", str(world["visit"]), "--to",
                       str(world["an15"]))
    assert "Move the visit and tell the resident? [y/N]" in result.output
    assert result.exit_code == 1 and "Aborted" in result.output
    assert booking(sessions, world["visit"]).slot_id == world["an9"]
    assert outbox(sessions, world["resident"]) == []
    result = typed("y\n", "visits", "move", str(world["visit"]), "--to",
                       str(world["an15"]))
    assert result.exit_code == 0, result.output
    assert booking(sessions, world["visit"]).slot_id == world["an15"]


@pytest.fixture
def typed(run, db_url):
    """`typed(text, *args)`: like `run`, with what staff type at the prompt."""
    runner = CliRunner(env={"DIGICHEQUE_DATABASE_URL": db_url})

    def invoke(text: str, *args: str) -> Result:
        return runner.invoke(cli, list(args), input=text, catch_exceptions=False)

    return invoke


# ---------------------------------------------------------------------------- cancel

def test_cancel_gives_the_visit_back_and_offers_new_times(run, sessions, world):
    result = run("visits", "cancel", str(world["visit"]), "--reason", "coach ziek", "--yes")
    assert result.exit_code == 0, result.output
    assert "will be cancelled (by staff: coach ziek)" in result.output
    assert f"Visit #{world['visit']} cancelled. The resident is told by sms, in nl" \
        in result.output
    gone = booking(sessions, world["visit"])
    assert (gone.status, gone.outcome_by, gone.reason, gone.outcome_at) == \
        ("cancelled", "staff", "coach ziek", NOW)
    assert seats(sessions)[world["an9"]] == 0
    assert used(sessions, world["cheque"]) == 0
    assert {t[2] for t in timers(sessions, world["visit"])} == {TimerStatus.CANCELLED}
    [message] = outbox(sessions, world["resident"])
    sms_ok([message])
    assert message.body == (
        "Sorry, uw bezoek op dinsdag 1 december om 09:00 gaat niet door. Uw digicheque is "
        "weer geldig. Kies een nieuw moment:\n1 di 1 dec 09:00-10:30\n2 di 1 dec 13:00-14:30\n"
        "3 di 1 dec 15:00-16:30\n4 Andere dag")
    assert state(sessions, world["resident"])[0] == "ask_time"
    # "2": the second time offered, confirmed, booked with the same cheque
    assert "13:00" in reply(sessions, world["resident"], "2")
    assert "Gelukt" in reply(sessions, world["resident"], "1")
    with sessions() as s:
        new = s.scalars(select(Booking).where(Booking.resident_id == world["resident"],
                                              Booking.status == "booked")).one()
        assert (new.slot_id, new.cheque_id, new.street) == \
            (world["an13"], world["cheque"], "Kerkstraat 12")
    assert used(sessions, world["cheque"]) == 1


def test_cancel_in_french_on_telegram_has_buttons(run, sessions, world):
    with sessions.begin() as s:
        visit = book(s, s.get(Slot, world["an13"]), language="fr", channel="telegram",
                     address="4242")
        visit_id, resident_id = visit.id, visit.resident_id
    result = run("visits", "cancel", str(visit_id), "--reason", "x", "--yes")
    assert result.exit_code == 0, result.output
    assert "told by telegram, in fr" in result.output
    [message] = outbox(sessions, resident_id)
    assert message.body.startswith("Pardon, votre visite du mardi 1 décembre à 13:00 ne peut "
                                   "pas avoir lieu. Votre digicheque est à nouveau valable.")
    assert message.choices == ["mar 1 déc 13:00-14:30", "mar 1 déc 15:00-16:30",
                               "Autre jour"]
    assert message.address == "4242" and message.channel == "telegram"


def test_cancel_of_an_expired_cheque_offers_no_times(run, sessions, world):
    with sessions.begin() as s:
        s.get(Cheque, world["cheque"]).expires_on = date(2026, 11, 19)
    result = run("visits", "cancel", str(world["visit"]), "--reason", "x", "--yes")
    assert result.exit_code == 0, result.output
    [message] = outbox(sessions, world["resident"])
    assert message.body == ("Sorry, uw bezoek op dinsdag 1 december om 09:00 gaat niet door. "
                            "Vragen? Bel de stad: 03 778 30 00.")
    assert state(sessions, world["resident"])[0] == "ask_code"


def test_cancel_errors(run, sessions, world):
    result = run("visits", "cancel", str(world["visit"]), "--reason", " ", "--yes")
    assert result.exit_code == 2 and "give a reason" in result.output
    result = run("visits", "cancel", "77", "--reason", "x", "--yes")
    assert result.exit_code == 1 and "No visit #77." in result.output
    assert run("visits", "cancel", str(world["visit"]), "--reason", "x", "--yes").exit_code == 0
    again = run("visits", "cancel", str(world["visit"]), "--reason", "x", "--yes")
    assert again.exit_code == 1
    assert f"Visit #{world['visit']} is cancelled by staff on 2026-11-20 10:00; only a " \
           "booked visit can be cancelled." in again.output
    assert len(outbox(sessions, world["resident"])) == 1
    assert used(sessions, world["cheque"]) == 0


def test_a_stopped_resident_is_not_messaged_and_staff_are_told(run, sessions, world):
    with sessions.begin() as s:
        s.get(Resident, world["resident"]).opted_out_at = NOW - timedelta(days=1)
    result = run("visits", "move", str(world["visit"]), "--to", str(world["an15"]), "--yes")
    assert result.exit_code == 0, result.output
    assert ("The resident stopped messages from us: NOT told. Call them on +32470111222."
            in result.output)
    assert booking(sessions, world["visit"]).slot_id == world["an15"]
    assert outbox(sessions, world["resident"]) == []


# ---------------------------------------------------------------------------- outcomes

@pytest.mark.parametrize("cli_now", [datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)])
def test_done_keeps_the_cheque_used_and_sends_nothing(run, sessions, world):
    result = run("visits", "done", str(world["visit"]), "--by", "coach", "--yes")
    assert result.exit_code == 0, result.output
    assert f"Visit #{world['visit']} recorded as done." in result.output
    done = booking(sessions, world["visit"])
    assert (done.status, done.outcome_by) == ("done", "coach")
    assert used(sessions, world["cheque"]) == 1
    assert outbox(sessions, world["resident"]) == []
    again = run("visits", "noshow", str(world["visit"]), "--by", "coach", "--yes")
    assert again.exit_code == 1 and "is done by coach on 2026-12-02 10:00; nothing " \
                                    "changed." in again.output


@pytest.mark.parametrize("cli_now", [datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)])
def test_a_coach_no_show_returns_the_visit_and_offers_times(run, sessions, world):
    with sessions.begin() as s:
        an = s.get(Slot, world["an9"]).coach
        later = add_slot(s, an, at(date(2026, 12, 8), 9)).id
    result = run("visits", "noshow", str(world["visit"]), "--by", "coach", "--yes")
    assert result.exit_code == 0, result.output
    assert "the visit returns to the cheque" in result.output
    assert "recorded as a no-show of the coach. The resident is told by sms" in result.output
    assert booking(sessions, world["visit"]).status == "no_show"
    assert used(sessions, world["cheque"]) == 0
    [message] = outbox(sessions, world["resident"])
    assert message.body == (
        "Sorry, de coach kon op dinsdag 1 december om 09:00 niet komen. Uw digicheque is weer "
        "geldig. Kies een nieuw moment:\n1 di 8 dec 09:00-10:30\n2 Andere dag")
    assert state(sessions, world["resident"])[1]["offers"] == [later]


@pytest.mark.parametrize("cli_now", [datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)])
@pytest.mark.parametrize("give_back", [False, True])
def test_a_resident_no_show_keeps_the_visit_used_unless_given_back(run, sessions, world,
                                                                   give_back):
    extra = ["--give-back"] if give_back else []
    result = run("visits", "noshow", str(world["visit"]), "--by", "resident", *extra, "--yes")
    assert result.exit_code == 0, result.output
    assert booking(sessions, world["visit"]).outcome_by == "resident"
    assert used(sessions, world["cheque"]) == (0 if give_back else 1)
    [message] = outbox(sessions, world["resident"])
    assert message.body.startswith("De coach heeft u op dinsdag 1 december om 09:00 niet "
                                   "thuis getroffen.")
    assert ("U mag uw digicheque nog eens gebruiken" in message.body) is give_back


def test_outcome_of_a_visit_still_to_come_is_refused(run, sessions, world):
    result = run("visits", "done", str(world["visit"]), "--yes")
    assert result.exit_code == 1
    assert f"Visit #{world['visit']} is still to come (Tue 2026-12-01 09:00-10:30); to call " \
           f"it off use: digicheque visits cancel {world['visit']} --reason ..." \
        in result.output
    missing = run("visits", "noshow", str(world["visit"]), "--yes")
    assert missing.exit_code == 2 and "Missing option '--by'" in missing.output
    assert booking(sessions, world["visit"]).status == "booked"
