import dataclasses
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import SECTIONS, ConfigError, Settings, load_settings, parse_duration

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


def write(tmp_path, text):
    path = tmp_path / "digicheque.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_run_with_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.database.url == "sqlite:///digicheque.db"
    assert settings.city.postcodes == ["9100", "9111", "9112"]
    assert settings.source == "built-in defaults"


def test_example_file_documents_every_key_with_its_default():
    text = EXAMPLE.read_text(encoding="utf-8")
    for section, cls in SECTIONS.items():
        assert f"[{section}]" in text
        for fld in dataclasses.fields(cls):
            assert f"\n{fld.name} = " in text, f"[{section}] {fld.name} is not documented"
    example = load_settings(EXAMPLE, env={})
    defaults = Settings()
    for section in SECTIONS:
        assert getattr(example, section) == getattr(defaults, section), section


def test_environment_overrides_file(tmp_path):
    path = write(tmp_path, '[database]\nurl = "sqlite:///a.db"\n[booking]\nvisit_length = "1h"\n')
    settings = load_settings(path, env={"DIGICHEQUE_DATABASE_URL": "sqlite:///b.db",
                                        "DIGICHEQUE_TELEGRAM_SECRET_TOKEN": "s3cret",
                                        "DIGICHEQUE_CITY_POSTCODES": "9100, 9200"})
    assert settings.database.url == "sqlite:///b.db"
    assert settings.booking.visit_length == timedelta(hours=1)
    assert settings.telegram.secret_token == "s3cret"
    assert settings.city.postcodes == ["9100", "9200"]


@pytest.mark.parametrize("text, expected", [
    ('[booking]\nvisit_length = "soon"\n', r"\[booking\] visit_length: expected a duration"),
    ('[booking]\nvisit_lenght = "90m"\n', r"unknown key \[booking\] 'visit_lenght'"),
    ('[city]\ntimezone = "Mars/Olympus"\n', r"\[city\] timezone: expected a time zone"),
    ('[booking]\nchoices_offered = "three"\n', r"\[booking\] choices_offered: expected a whole"),
    ('[city]\npostcodes = ["91000"]\n', r"\[city\] postcodes: expected a list of 4-digit"),
    ('[reminders]\nquiet_hours = "late"\n', r"\[reminders\] quiet_hours: expected a time range"),
    ('[cty]\nname = "x"\n', r"unknown section \[cty\]"),
    ('[city\n', r"not valid TOML"),
])
def test_bad_value_names_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as info:
        load_settings(path, env={})
    assert str(path) in str(info.value)


def test_bad_environment_value_names_the_variable():
    with pytest.raises(ConfigError, match="DIGICHEQUE_SERVER_PORT: expected a whole number"):
        load_settings(None, env={"DIGICHEQUE_SERVER_PORT": "eighty"})
    with pytest.raises(ConfigError, match="DIGICHEQUE_TELEGRAM_TOKN: unknown key"):
        load_settings(None, env={"DIGICHEQUE_TELEGRAM_TOKN": "x"})


def test_unrelated_digicheque_variables_are_ignored(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(None, env={"DIGICHEQUE_TEST_POSTGRES_URL": "postgresql://x"})
    assert settings.database == Settings().database


@pytest.mark.parametrize("text, expected", [
    ("90m", timedelta(minutes=90)), ("1h30m", timedelta(minutes=90)),
    ("2d", timedelta(days=2)), ("1h 30m", timedelta(minutes=90)), ("45s", timedelta(seconds=45)),
])
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "m", "90", "1.5h", "-1h", "1 hour"])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)


def test_example_file_is_current():
    from bot.config import example_toml
    assert EXAMPLE.read_text(encoding="utf-8") == example_toml(), \
        "config.example.toml is stale: regenerate it from bot.config.example_toml()"
