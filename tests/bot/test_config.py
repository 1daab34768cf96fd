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
    with pytest.raises(ConfigError, match="DIGICHEQUE_SERVER_PORT: expected a port number"):
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


@pytest.mark.parametrize("text, expected", [
    ('[server]\nport = 99999\n', r"\[server\] port: expected a port number from 1 to 65535"),
    ('[server]\nport = 0\n', r"\[server\] port: expected a port number from 1 to 65535"),
    ('[booking]\nchoices_offered = 0\n', r"\[booking\] choices_offered: expected a whole "
                                         r"number of 1 or more, got 0"),
    ('[booking]\nmin_notice = "50d"\nmax_ahead = "42d"\n',
     r"\[booking\] min_notice: 50d is longer than \[booking\] max_ahead 42d"),
    ('[booking]\nmax_ahead = "99999999999d"\n', r"\[booking\] max_ahead: expected a duration "
                                                r"of at most 3650d"),
    ('[staff]\ntelegram_ids = ["12345", "anna"]\n',
     r"\[staff\] telegram_ids: expected a list of numeric Telegram user ids"),
    ('[staff]\ntelegram_ids = [12.5]\n',
     r"\[staff\] telegram_ids: expected a list of numeric Telegram user ids"),
    ('[staff]\nphones = ["0470 12 34 56", "call An"]\n',
     r"\[staff\] phones: 'call An' is not a phone number \(read for \[city\] country 'BE'\)"),
    ('[logging]\nmessage_bodies = "yes"\n', r"\[logging\] message_bodies: expected true or false"),
])
def test_values_that_make_no_sense_are_refused_naming_the_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as info:
        load_settings(path, env={})
    assert str(path) in str(info.value)


def test_values_that_make_no_sense_in_the_environment_name_the_variable():
    with pytest.raises(ConfigError, match="DIGICHEQUE_SERVER_PORT: expected a port number"):
        load_settings(None, env={"DIGICHEQUE_SERVER_PORT": "99999"})
    with pytest.raises(ConfigError, match="DIGICHEQUE_STAFF_PHONES: '12' is not a phone"):
        load_settings(None, env={"DIGICHEQUE_STAFF_PHONES": "0470 12 34 56, 12"})
    with pytest.raises(ConfigError, match="DIGICHEQUE_BOOKING_MIN_NOTICE: 43d is longer"):
        load_settings(None, env={"DIGICHEQUE_BOOKING_MIN_NOTICE": "43d"})


def test_staff_phones_are_kept_in_e164_form(tmp_path):
    path = write(tmp_path, '[staff]\nphones = ["0470 12 34 56", "+33 6 12 34 56 78"]\n'
                           'telegram_ids = [123456789, "987654321"]\n')
    settings = load_settings(path, env={})
    assert settings.staff.phones == ["+32470123456", "+33612345678"]
    assert settings.staff.telegram_ids == ["123456789", "987654321"]


def test_a_config_file_that_is_not_utf8_is_named(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('[city]\nname = "Sint-Niklaas België"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin1.toml: line 2 is not UTF-8 text \(byte 0xeb\)"):
        load_settings(path, env={})


def test_secret_settings_stay_out_of_repr(tmp_path):
    env = {"DIGICHEQUE_TELEGRAM_TOKEN": "123456:tele-gram-token",
           "DIGICHEQUE_TELEGRAM_SECRET_TOKEN": "webhook-secret-xyz",
           "DIGICHEQUE_TWILIO_AUTH_TOKEN": "twilio-auth-abc",
           "DIGICHEQUE_DATABASE_URL": "postgresql+psycopg://bot:db-pass-123@db.example/bot"}
    settings = load_settings(None, env=env)
    shown = repr(settings)
    for secret in ("tele-gram-token", "webhook-secret-xyz", "twilio-auth-abc", "db-pass-123"):
        assert secret not in shown
    assert "postgresql+psycopg://bot:***@db.example/bot" in shown
    assert "webhook_url=''" in shown  # the rest is still shown


def test_place_names_come_from_the_config_and_reach_the_conversation(tmp_path):
    from bot.wiring import rules_from
    from conversations.address import postcode_in

    path = write(tmp_path, '[city]\npostcodes = ["9100", "9170"]\n'
                           'places = {"Sint-Niklaas" = "9100", "De Klinge" = "9170"}\n')
    rules = rules_from(load_settings(path, env={}))
    assert postcode_in("Hoogstraat 3, de klinge", rules.places) == ("9170", "Hoogstraat 3")
    assert postcode_in("Kerkstraat 1, Belsele", rules.places)[0] is None   # not listed


@pytest.mark.parametrize("body, env, message", [
    ('[city]\nplaces = {"Verweg" = "1000"}\n', {},
     r"\[city\] places: \{'Verweg': '1000'\} has a postcode that is not in \[city\] postcodes"),
    ('[city]\nplaces = {"Belsele" = "91"}\n', {}, r"\[city\] places: expected place names"),
    ("", {"DIGICHEQUE_CITY_PLACES": "Belsele=9111,Sinaai"},
     r"DIGICHEQUE_CITY_PLACES: expected place names"),
])
def test_place_names_need_a_postcode_of_the_service_area(tmp_path, body, env, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(write(tmp_path, body), env=env)


def test_place_names_from_the_environment(tmp_path):
    settings = load_settings(write(tmp_path, ""), env={
        "DIGICHEQUE_CITY_PLACES": "Belsele=9111, Sinaai = 9112"})
    assert settings.city.places == {"Belsele": "9111", "Sinaai": "9112"}


def test_the_default_place_names_follow_other_postcodes(tmp_path):
    settings = load_settings(write(tmp_path, '[city]\npostcodes = ["9100", "9200"]\n'), env={})
    assert set(settings.city.places.values()) == {"9100"}
