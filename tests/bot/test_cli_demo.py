"""The README's main job: `digicheque demo`, a conversation, and the visit in the agenda."""

from __future__ import annotations

import re

from click.testing import CliRunner

from bot.cli import cli


def run(args, env, input=None):
    result = CliRunner().invoke(cli, args, env=env, input=input, catch_exceptions=False)
    return result


def test_demo_books_a_visit_that_the_agenda_shows(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"DIGICHEQUE_DATABASE_URL": f"sqlite:///{tmp_path / 'digicheque.db'}"}
    first = run(["demo", "--now", "2026-12-01T09:00", "--no-chat"], env)
    assert first.exit_code == 0, first.output
    codes = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]", first.output)
    assert len(codes) == 5
    script = f"hallo\n{codes[0].lower()}\n9100\nKerkstraat 12\n3\ndinsdag namiddag\n1\n"
    result = run(["demo", "--now", "2026-12-01T09:00"], env, input=script)
    assert result.exit_code == 0, result.output
    assert "Gelukt! De coach komt op di 8 dec om 13:00" in result.output
    refreshed = run(["demo", "--now", "2026-12-01T09:00", "--no-chat"], env).output
    assert codes[0] not in refreshed and codes[1] in refreshed   # a used code is not offered
    agenda = run(["agenda", "--date", "2026-12-08"], env)
    assert agenda.exit_code == 0, agenda.output
    assert "13:00-14:30" in agenda.output and "Kerkstraat 12, 9100" in agenda.output
    assert "itsme" in agenda.output


def test_demo_refuses_a_postgresql_database(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["demo", "--no-chat"],
        env={"DIGICHEQUE_DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/none"})
    assert result.exit_code != 0
    assert "only runs on a SQLite database" in result.output


def test_chat_continues_the_stored_conversation(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"DIGICHEQUE_DATABASE_URL": f"sqlite:///{tmp_path / 'digicheque.db'}"}
    codes = re.findall(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]",
                       run(["demo", "--no-chat", "--now", "2026-12-01T09:00"], env).output)
    run(["chat", "--now", "2026-12-01T09:00"], env, input=f"hallo\n{codes[1]}\n")
    again = run(["chat", "--now", "2026-12-01T09:05"], env, input="9100\n")
    assert "straat en huisnummer" in again.output
    telegram = run(["chat", "--channel", "telegram", "--from", "777", "--now",
                    "2026-12-01T09:00"], env, input="hallo\n")
    assert "Stuur de code" in telegram.output
