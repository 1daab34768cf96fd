"""`digicheque db`, and the one-line errors every command gives for a bad set-up."""

from __future__ import annotations

import pytest

from tests.auxil.cli import digicheque
from storage.db import head_revision


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DIGICHEQUE_CONFIG", raising=False)
    monkeypatch.setenv("DIGICHEQUE_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    return tmp_path


def test_a_command_on_an_empty_database_names_the_fix(fresh, capsys):
    code, _, err = digicheque(capsys, "coaches", "list")
    assert code == 2
    assert "has no digicheque tables yet. Run: digicheque db upgrade" in err
    assert "Traceback" not in err


def test_upgrade_then_status(fresh, capsys):
    code, out, _ = digicheque(capsys, "db", "status")
    assert code == 0 and "revision empty" in out and "needs: digicheque db upgrade" in out
    head = head_revision()
    code, out, _ = digicheque(capsys, "db", "upgrade")
    assert code == 0 and f"upgraded from empty to revision {head}" in out
    code, out, _ = digicheque(capsys, "db", "upgrade")
    assert code == 0 and f"already at revision {head}" in out
    code, out, _ = digicheque(capsys, "db", "status")
    assert code == 0 and "up to date" in out
    code, out, _ = digicheque(capsys, "coaches", "list")
    assert code == 0


def test_a_bad_config_value_stops_with_the_key(fresh, capsys):
    (fresh / "digicheque.toml").write_text('[booking]\nmin_notice = "a day"\n')
    code, _, err = digicheque(capsys, "db", "status")
    assert code == 2
    assert err.strip() == ("digicheque: digicheque.toml: [booking] min_notice: expected a "
                           "duration such as 90m, 1h30m, 2d or 45s, got 'a day'")


def test_a_bad_environment_variable_stops_with_its_name(fresh, capsys, monkeypatch):
    monkeypatch.setenv("DIGICHEQUE_BOOKING_CHOICES_OFFERED", "three")
    code, _, err = digicheque(capsys, "db", "status")
    assert code == 2 and "DIGICHEQUE_BOOKING_CHOICES_OFFERED: expected a whole number" in err


def test_help_needs_no_database(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DIGICHEQUE_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    for args in (["--help"], ["cheques", "import", "--help"], ["slots", "generate", "--help"],
                 ["agenda", "--help"], ["run", "--help"], ["demo", "--help"]):
        code, out, _ = digicheque(capsys, *args)
        assert code == 0 and "Usage: digicheque" in out, args
    assert not (tmp_path / "digicheque.db").exists()
