"""What an operator sees when the set-up is wrong: one line naming the problem, a non-zero
exit status and no traceback (unless --debug), through the real entry point."""

from __future__ import annotations

import socket

import pytest

from tests.auxil.cli import digicheque

UNREACHABLE = "postgresql+psycopg://nobody:pw-secret@127.0.0.1:1/digicheque"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An empty working folder with no config file; the database URL is the test's."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIGICHEQUE_CONFIG", raising=False)
    return tmp_path


@pytest.fixture
def ready(folder, monkeypatch, capsys):
    """A migrated SQLite database with one coach."""
    monkeypatch.setenv("DIGICHEQUE_DATABASE_URL", f"sqlite:///{folder / 'ready.db'}")
    assert digicheque(capsys, "db", "upgrade")[0] == 0
    assert digicheque(capsys, "coaches", "add", "An", "--postcodes", "9100")[0] == 0
    return folder


def one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("args", [
    ["db", "status"], ["db", "upgrade"], ["coaches", "list"], ["cheques", "list"],
    ["slots", "list"], ["agenda"], ["chat"], ["run"],
])
def test_an_unreachable_database_is_one_line_for_every_command(folder, monkeypatch, capsys,
                                                               args):
    monkeypatch.setenv("DIGICHEQUE_DATABASE_URL", UNREACHABLE)
    code, _, err = digicheque(capsys, *args)
    assert code == 2
    line = one_line(err)
    assert line.startswith("digicheque: cannot use the database "
                           "postgresql+psycopg://nobody:***@127.0.0.1:1/digicheque: ")
    assert "Connection refused" in line
    assert "pw-secret" not in err


def test_debug_shows_the_traceback_as_well(folder, monkeypatch, capsys):
    monkeypatch.setenv("DIGICHEQUE_DATABASE_URL", UNREACHABLE)
    code, _, err = digicheque(capsys, "--debug", "coaches", "list")
    assert code == 2
    assert "Traceback (most recent call last)" in err
    assert "OperationalError" in err
    assert err.strip().splitlines()[-1].startswith("digicheque: cannot use the database ")


@pytest.mark.parametrize("url, expected", [
    ("notaurl", "digicheque: [database] url 'notaurl' is not a database URL; expected e.g. "
                "sqlite:///digicheque.db or postgresql+psycopg://user@host/name"),
    ("mysql://bot:pw-secret@db/bot", "digicheque: [database] url 'mysql://bot:***@db/bot': its "
                                     "driver MySQLdb is not installed"),
    ("nosuchdb://bot@db/bot", "digicheque: [database] url 'nosuchdb://bot@db/bot': unknown "
                              "database type 'nosuchdb'"),
])
def test_a_database_url_that_cannot_work_is_one_line(folder, monkeypatch, capsys, url, expected):
    monkeypatch.setenv("DIGICHEQUE_DATABASE_URL", url)
    for args in (["db", "upgrade"], ["coaches", "list"], ["demo", "--no-chat"]):
        code, _, err = digicheque(capsys, *args)
        assert code == 2, args
        assert one_line(err).startswith(expected), args
        assert "pw-secret" not in err


def test_a_sqlite_file_in_a_missing_folder_names_the_folder(folder, monkeypatch, capsys):
    monkeypatch.setenv("DIGICHEQUE_DATABASE_URL", f"sqlite:///{folder / 'nope' / 'bot.db'}")
    for args in (["db", "upgrade"], ["coaches", "list"], ["demo", "--no-chat"]):
        code, _, err = digicheque(capsys, *args)
        assert code == 2, args
        assert one_line(err).endswith(f"the folder {folder / 'nope'} for the SQLite file "
                                      "does not exist"), args
    assert not (folder / "nope").exists()


def test_a_config_file_that_is_not_utf8_is_one_line(folder, capsys):
    (folder / "latin1.toml").write_bytes('[city]\nname = "België"\n'.encode("latin-1"))
    code, _, err = digicheque(capsys, "--config", "latin1.toml", "coaches", "list")
    assert code == 2
    assert one_line(err) == ("digicheque: latin1.toml: line 2 is not UTF-8 text (byte 0xeb); "
                             "save the file as UTF-8")


@pytest.mark.parametrize("text, expected", [
    ("[server]\nport = 99999\n", "[server] port: expected a port number from 1 to 65535"),
    ("[booking]\nchoices_offered = 0\n", "[booking] choices_offered: expected a whole number "
                                         "of 1 or more, got 0"),
    ('[booking]\nmin_notice = "60d"\n', "[booking] min_notice: 60d is longer than [booking] "
                                        "max_ahead 42d"),
    ('[staff]\ntelegram_ids = ["@anna"]\n', "[staff] telegram_ids: expected a list of numeric "
                                            "Telegram user ids"),
    ('[staff]\nphones = ["An"]\n', "[staff] phones: 'An' is not a phone number"),
])
def test_config_values_that_make_no_sense_are_one_line(folder, monkeypatch, capsys, text,
                                                       expected):
    monkeypatch.setenv("DIGICHEQUE_DATABASE_URL", f"sqlite:///{folder / 'x.db'}")
    (folder / "digicheque.toml").write_text(text, encoding="utf-8")
    code, _, err = digicheque(capsys, "db", "upgrade")
    assert code == 2
    assert one_line(err).startswith(f"digicheque: digicheque.toml: {expected}")
    assert not (folder / "x.db").exists()


def test_a_busy_port_stops_run_with_one_line(db_url, folder, monkeypatch, capsys):
    monkeypatch.setenv("DIGICHEQUE_DATABASE_URL", db_url)
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        code, _, err = digicheque(capsys, "run", "--port", str(port))
    assert code == 1
    assert one_line(err) == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use"


@pytest.mark.parametrize("args, option, day", [
    (["agenda", "--date", "0001-01-01"], "--date", "0001-01-01"),
    (["agenda", "--date", "9999-12-31"], "--date", "9999-12-31"),
    (["slots", "list", "--date", "9999-12-31"], "--date", "9999-12-31"),
    (["slots", "list", "--from", "9999-12-30"], "--from", "9999-12-30"),
    (["slots", "close", "--coach", "An", "--reason", "ill", "--from", "0001-01-01T00:00",
      "--to", "2027-01-01"], "--from", "0001-01-01"),
    (["slots", "close", "--coach", "An", "--reason", "ill", "--from", "2027-01-01",
      "--to", "9999-12-31"], "--to", "9999-12-31"),
    (["slots", "generate", "--coach", "An", "--from", "9999-12-20", "--to", "9999-12-31",
      "--weekly", "mon 09:00-12:00"], "--from", "9999-12-20"),
    (["chat", "--now", "9999-12-31T23:00"], "--now", "9999-12-31"),
])
def test_a_date_python_cannot_hold_is_a_usage_error(ready, capsys, args, option, day):
    code, _, err = digicheque(capsys, *args)
    assert code == 2
    assert "Traceback" not in err and "OverflowError" not in err
    assert err.strip().splitlines()[-1] == (
        f"Error: Invalid value for '{option}': {day} is outside the days digicheque plans "
        "in (2000-01-01 to 2999-12-31)")


def test_slots_generate_refuses_a_visit_of_zero_minutes(ready, capsys):
    code, out, err = digicheque(capsys, "slots", "generate", "--coach", "An", "--from",
                                "2027-01-04", "--to", "2027-01-08", "--weekly",
                                "mon 09:00-12:00", "--visit", "0m")
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1] == ("Error: Invalid value for '--visit': expected a "
                                            "duration above 0, such as 90m, got '0m'")


@pytest.mark.parametrize("env, expected", [
    ({}, "Error: no channel to serve: set [telegram] token (DIGICHEQUE_TELEGRAM_TOKEN) "
         "and/or [twilio] (README: Running the bot)"),
    ({"DIGICHEQUE_TWILIO_ACCOUNT_SID": "AC123"},
     "Error: [twilio] is incomplete: set auth_token, public_base_url, from_number or "
     "messaging_service_sid (or DIGICHEQUE_TWILIO_<KEY>), or leave the section empty"),
    ({"DIGICHEQUE_TWILIO_ACCOUNT_SID": "AC123",
      "DIGICHEQUE_TWILIO_AUTH_TOKEN": "auth-token-of-the-test",
      "DIGICHEQUE_TWILIO_MESSAGING_SERVICE_SID": "MG1"},
     "Error: [twilio] is incomplete: set public_base_url (or DIGICHEQUE_TWILIO_<KEY>), or "
     "leave the section empty"),
])
def test_run_without_a_complete_channel_says_what_to_set(ready, monkeypatch, capsys, env,
                                                         expected):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = digicheque(capsys, "run", "--port", str(port))
    assert code == 1
    assert one_line(err) == expected
