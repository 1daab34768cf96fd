"""`digicheque broadcast` against the test database (SQLite and PostgreSQL): the preview,
dry run, confirmation, scheduling, status, list and cancel, and their one-line errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select, update

import bot.app
from bot.cli import cli
from storage import broadcasts
from storage.clock import fixed_clock
from storage.models import Broadcast, BroadcastStatus, Outbox, OutboxStatus, Priority, Resident

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)   # 09:00 in Brussels


@pytest.fixture
def cli_now():
    return NOW


@pytest.fixture
def residents(sessions):
    """Three Telegram (nl, nl, fr), two SMS (nl, en), one opted-out SMS resident."""
    people = [("telegram", "101", "nl"), ("telegram", "102", "nl"), ("telegram", "103", "fr"),
              ("sms", "+32470000001", "nl"), ("sms", "+32470000002", "en")]
    with sessions.begin() as s:
        for channel, address, language in people:
            s.add(Resident(channel=channel, address=address, language=language,
                           created_at=NOW))
        s.add(Resident(channel="sms", address="+32470000003", language="nl", created_at=NOW,
                       opted_out_at=NOW))


@pytest.fixture
def answer(db_url, tmp_path, monkeypatch):
    """`answer("y", *args)`: run the command typing the answer to its question."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIGICHEQUE_CONFIG", raising=False)
    monkeypatch.setattr(bot.app, "system_clock", fixed_clock(NOW))
    runner = CliRunner(env={"DIGICHEQUE_DATABASE_URL": db_url})

    def invoke(typed: str, *args: str):
        return runner.invoke(cli, list(args), input=typed + "\n", catch_exceptions=False)

    return invoke


def outbox(sessions) -> list[Outbox]:
    with sessions() as s:
        return list(s.scalars(select(Outbox).order_by(Outbox.id)))


def test_dry_run_shows_groups_texts_and_sms_sizes_and_sends_nothing(run, sessions,
                                                                     residents):
    result = run("broadcast", "create", "--text", "Het stadhuis is dicht op 24 december.",
                 "--text-fr", "L'hôtel de ville est fermé le 24 décembre. " * 8,
                 "--to", "all", "--dry-run")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Audience: all residents" in out
    assert "telegram  fr        1          the fr text" in out
    assert "telegram  nl        2          the nl text" in out
    assert "sms       en        1          the nl text" in out   # no English text: Dutch
    assert "Total: 5 resident(s)" in out
    assert "Text nl (4 resident(s)); by SMS 1 segment(s):\n" \
        "  Het stadhuis is dicht op 24 december.\n\n" in out   # GSM-7 already: as typed
    assert "Text fr (1 resident(s)); by SMS 3 segment(s):" in out
    # ô is not in the SMS alphabet: SMS residents get "hotel" (é is, and stays)
    assert "  By SMS, in the SMS alphabet: L'hotel de ville est fermé le 24 décembre. " in out
    assert "Warning: the fr text is 3 SMS segments" in out
    assert "Dry run: nothing sent." in out
    assert outbox(sessions) == []
    with sessions() as s:
        assert s.scalars(select(Broadcast)).all() == []


def test_create_asks_first_and_sends_on_yes(answer, sessions, residents):
    refused = answer("n", "broadcast", "create", "--text", "Hallo", "--to", "all",
                     "--channel", "telegram")
    assert refused.exit_code == 1
    assert "Send to 3 resident(s) now? [y/N]" in refused.output
    assert outbox(sessions) == []
    sent = answer("y", "broadcast", "create", "--text", "Hallo", "--text-fr", "Bonjour",
                  "--to", "all", "--channel", "telegram")
    assert sent.exit_code == 0, sent.output
    with sessions() as s:
        only = s.scalars(select(Broadcast)).one()
        bid = only.id
    assert f"Broadcast #{bid}: 3 message(s) queued." in sent.output
    rows = outbox(sessions)
    assert sorted((r.address, r.body) for r in rows) == [
        ("101", "Hallo"), ("102", "Hallo"), ("103", "Bonjour")]
    assert {(r.priority, r.broadcast_id, r.status) for r in rows} == {
        (Priority.BROADCAST, bid, OutboxStatus.PENDING)}


def test_yes_sends_without_asking_and_narrowing_by_language(run, sessions, residents):
    result = run("broadcast", "create", "--text", "Hallo", "--to", "all", "--language", "nl",
                 "--yes")
    assert result.exit_code == 0, result.output
    assert "[y/N]" not in result.output
    assert sorted(r.address for r in outbox(sessions)) == ["+32470000001", "101", "102"]


def test_at_schedules_and_the_job_fires_it_then(run, sessions, residents):
    result = run("broadcast", "create", "--text", "Hallo", "--to", "all",
                 "--at", "2026-12-24 10:00", "--yes")
    assert result.exit_code == 0, result.output
    assert "scheduled for 2026-12-24 10:00" in result.output
    assert outbox(sessions) == []
    with sessions() as s:
        stored = s.scalars(select(Broadcast)).one()
    assert stored.scheduled_at == datetime(2026, 12, 24, 9, 0, tzinfo=timezone.utc)
    with sessions.begin() as s:
        assert broadcasts.fire_due(s, stored.scheduled_at) == [stored.id]
    assert len(outbox(sessions)) == 5


def test_one_line_errors(run, sessions, residents):
    cases = [
        (["--text", "  ", "--to", "all"], "the nl text is empty"),
        (["--text", "Hallo", "--to", "everyone"], "'everyone' is not one of"),
        (["--text", "Hallo", "--to", "all", "--at", "2026-11-30 10:00"], "is in the past"),
        (["--text", "Hallo", "--to", "all", "--at", "soon"], "expected a date and time"),
        (["--text", "Hallo", "--to", "all", "--from", "2026-12-02"], "narrow only"),
        (["--text", "Hallo", "--to", "upcoming", "--yes"], "No resident is in this audience"),
    ]
    for args, says in cases:
        result = run("broadcast", "create", *args)
        assert result.exit_code != 0, args
        assert says in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert outbox(sessions) == []
    unknown = run("broadcast", "status", "42")
    assert unknown.exit_code == 1
    assert "no broadcast with id 42" in unknown.output


def test_status_list_and_cancel(run, answer, sessions, residents):
    assert run("broadcast", "create", "--text", "Hallo", "--to", "all", "--yes").exit_code == 0
    with sessions() as s:
        bid = s.scalars(select(Broadcast.id)).one()
    rows = outbox(sessions)
    with sessions.begin() as s:
        s.execute(update(Outbox).where(Outbox.id.in_([rows[0].id, rows[1].id]))
                  .values(status=OutboxStatus.SENT, sent_at=NOW))
    shown = run("broadcast", "status", str(bid))
    assert shown.exit_code == 0, shown.output
    assert f"Broadcast #{bid}: sending, 5 recipient(s)" in shown.output
    assert "waiting 3, sent 2 (delivered 0), failed 0, cancelled 0" in shown.output
    listed = run("broadcast", "list")
    assert f"#{bid}  sending  2026-12-01 09:00  all  5           3        2     0       Hallo" \
        in listed.output
    kept = answer("n", "broadcast", "cancel", str(bid))
    assert kept.exit_code == 1
    assert f"Cancel broadcast #{bid} (3 message(s) not sent yet)? [y/N]" in kept.output
    assert [r.status for r in outbox(sessions)].count(OutboxStatus.PENDING) == 3
    cancelled = answer("y", "broadcast", "cancel", str(bid))
    assert cancelled.exit_code == 0, cancelled.output
    assert f"Broadcast #{bid} cancelled: 3 message(s) will not be sent; 2 already sent." \
        in cancelled.output
    assert [r.status for r in outbox(sessions)] == [OutboxStatus.SENT] * 2 + \
        [OutboxStatus.CANCELLED] * 3
    again = run("broadcast", "cancel", str(bid), "--yes")
    assert again.exit_code == 1
    assert f"Broadcast #{bid} is already cancelled." in again.output
    follow = run("broadcast", "status", str(bid), "--follow")   # nothing waits: no bar
    assert "waiting 0, sent 2 (delivered 0), failed 0, cancelled 3" in follow.output
    with sessions() as s:
        stored = s.get(Broadcast, bid)
        assert stored is not None and stored.status == BroadcastStatus.CANCELLED


def test_status_and_list_still_count_what_the_purge_deleted(run, sessions, residents):
    assert run("broadcast", "create", "--text", "Hallo", "--to", "all", "--yes").exit_code == 0
    with sessions() as s:
        bid = s.scalars(select(Broadcast.id)).one()
    rows = outbox(sessions)
    with sessions.begin() as s:
        s.execute(update(Outbox).where(Outbox.id.in_([r.id for r in rows[:4]]))
                  .values(status=OutboxStatus.SENT, sent_at=NOW))
        s.execute(update(Outbox).where(Outbox.id == rows[4].id)
                  .values(status=OutboxStatus.FAILED))
    before = (run("broadcast", "status", str(bid)).output,
              run("broadcast", "list").output)
    with sessions.begin() as s:
        assert broadcasts.forget_messages(s, NOW + timedelta(days=31)) == 5
    assert outbox(sessions) == []
    assert (run("broadcast", "status", str(bid)).output,
            run("broadcast", "list").output) == before
    assert "waiting 0, sent 4 (delivered 0), failed 1" in before[0]


def test_cancel_of_a_scheduled_broadcast(run, sessions, residents):
    run("broadcast", "create", "--text", "Hallo", "--to", "all", "--at", "2026-12-24 10:00",
        "--yes")
    with sessions() as s:
        bid = s.scalars(select(Broadcast.id)).one()
    result = run("broadcast", "cancel", str(bid), "--yes")
    assert result.exit_code == 0, result.output
    with sessions.begin() as s:
        assert broadcasts.fire_due(s, NOW + timedelta(days=30)) == []
    assert outbox(sessions) == []


def test_every_command_has_help(run):
    for command in ["create", "status", "list", "cancel"]:
        result = run("broadcast", command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_the_periodic_jobs_fire_a_scheduled_broadcast_at_its_moment_and_once(run, sessions,
                                                                            residents):
    assert run("broadcast", "create", "--text", "Hallo", "--to", "all",
               "--at", "2026-12-24 10:00", "--yes").exit_code == 0

    def broadcasts_line(moment: str) -> str:
        result = run("jobs", "run-once", "--now", moment)
        assert result.exit_code == 0, result.output
        return dict(line.split(": ", 1) for line in result.output.splitlines())[
            "scheduled broadcasts"]

    assert broadcasts_line("2026-12-24T09:59") == "0 broadcasts fired, 0 messages queued"
    assert outbox(sessions) == []
    assert broadcasts_line("2026-12-24T10:00") == "1 broadcasts fired, 5 messages queued"
    assert broadcasts_line("2026-12-24T10:01") == "0 broadcasts fired, 0 messages queued"
    assert {m.priority for m in outbox(sessions)} == {Priority.BROADCAST}
    assert len(outbox(sessions)) == 5
