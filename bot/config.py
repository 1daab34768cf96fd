"""Settings: one TOML file plus `DIGICHEQUE_<SECTION>_<KEY>` environment variables.

Every key has a default, so the program runs with no file at all. A bad value stops the
program with one line that names the file (or variable), the key and what is expected.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from conversations.phone import read_phone

DEFAULT_CONFIG_FILE = Path("digicheque.toml")
ENV_PREFIX = "DIGICHEQUE_"
SUPPORTED_LANGUAGES = ("nl", "fr", "en")


class ConfigError(Exception):
    """A setting is wrong; the message names where, which key and what is expected."""


# Durations longer than this are refused: added to a date, a larger one can leave the years
# Python's datetime holds (1 to 9999), and no setting here needs more than a few years.
MAX_DURATION = timedelta(days=3650)

_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?\s*$")


def parse_duration(text: str) -> timedelta:
    """Read '90m', '1h30m', '2d', '45s' (also '1h 30m'). Raises ValueError otherwise."""
    match = _DURATION.match(text.lower())
    if not text.strip() or match is None or not any(match.groups()):
        raise ValueError(f"expected a duration such as 90m, 1h30m, 2d or 45s, got {text!r}")
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    try:
        value = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        value = MAX_DURATION + MAX_DURATION
    if value > MAX_DURATION:
        raise ValueError(f"expected a duration of at most {format_duration(MAX_DURATION)} "
                         f"(ten years), got {text!r}")
    return value


def format_duration(value: timedelta) -> str:
    """The inverse of parse_duration, for showing defaults."""
    total = int(value.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if total >= size:
            parts.append(f"{total // size}{unit}")
            total %= size
    return "".join(parts) or "0s"


def parse_clock_range(text: str) -> tuple[time, time]:
    """Read '21:00-08:00' as (start, end) local times; the range may wrap past midnight."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if match is None:
        raise ValueError(f"expected a time range such as 21:00-08:00, got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    try:
        return time(h1, m1), time(h2, m2)
    except ValueError:
        raise ValueError(f"expected a time range such as 21:00-08:00, got {text!r}") from None


def parse_clock(text: str) -> time:
    """Read '10:00' as a local time of day."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    try:
        if match is None:
            raise ValueError
        return time(int(match[1]), int(match[2]))
    except ValueError:
        raise ValueError(f"expected a time of day such as 10:00, got {text!r}") from None


# ---------------------------------------------------------------------------- sections
# Each field's metadata names its kind; the kinds are read by _coerce below.

def _f(default: Any, kind: str, doc: str, *, secret: bool = False) -> Any:
    """A setting. A `secret` one stays out of repr() and is scrubbed from logs (bot.logs)."""
    metadata = {"kind": kind, "doc": doc, "secret": secret}
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: list(default) if isinstance(default, list)
                     else dict(default), metadata=metadata, repr=not secret)
    return field(default=default, metadata=metadata, repr=not secret)


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = _f("sqlite:///digicheque.db", "str",
                  "SQLAlchemy URL. SQLite file by default; PostgreSQL for production, e.g. "
                  "postgresql+psycopg://digicheque@localhost/digicheque")

    def __repr__(self) -> str:
        return f"DatabaseSettings(url={without_password(self.url)!r})"


def without_password(url: str) -> str:
    """A database URL with its password (if any) shown as ***, for messages and repr."""
    return re.sub(r"^([\w+.-]+://[^/@:]*:)[^/@]*@", r"\1***@", url)


@dataclass(frozen=True)
class CitySettings:
    name: str = _f("Sint-Niklaas", "str", "Shown to residents and in reports.")
    timezone: str = _f("Europe/Brussels", "timezone", "IANA time zone for showing times.")
    phone: str = _f("03 778 30 00", "str",
                    "The city's phone number for residents who need a person.")
    postcodes: list[str] = _f(["9100", "9111", "9112"], "postcodes",
                              "Postcodes of the service area.")
    default_language: str = _f("nl", "language", "Language of a new resident.")
    languages: list[str] = _f(["nl", "fr", "en"], "languages", "Languages offered.")
    country: str = _f("BE", "str", "Region for reading phone numbers without a country code.")
    places: dict[str, str] = _f({"Sint-Niklaas": "9100", "St-Niklaas": "9100",
                                 "Nieuwkerken-Waas": "9100", "Nieuwkerken": "9100",
                                 "Belsele": "9111", "Sinaai": "9112"}, "places",
                                "Place names residents write instead of a postcode, each "
                                "with its postcode (environment: Name=9100,Name=9111).")


@dataclass(frozen=True)
class BookingSettings:
    visit_length: timedelta = _f(timedelta(minutes=90), "duration", "Length of one home visit.")
    min_notice: timedelta = _f(timedelta(hours=24), "duration",
                               "A visit can be booked no sooner than this before it starts.")
    max_ahead: timedelta = _f(timedelta(days=42), "duration",
                              "A visit can be booked at most this far ahead.")
    change_deadline: timedelta = _f(timedelta(hours=12), "duration",
                                    "Residents can move or cancel until this long before "
                                    "the visit (shorter than the first reminder's offset, "
                                    "so that reminder can offer both).")
    choices_offered: int = _f(3, "count", "How many free slots one message offers.")


@dataclass(frozen=True)
class ReminderSettings:
    offsets: list[timedelta] = _f([timedelta(days=1), timedelta(hours=2)], "durations",
                                  "Reminders go out this long before a visit.")
    quiet_hours: str = _f("21:00-08:00", "clock_range",
                          "No reminders in this local time range; they go out after it.")
    followup_at: str = _f("10:00", "clock",
                          "The day after a visit, at this local time, the resident is asked "
                          "whether the coach came.")
    followup_wait: timedelta = _f(timedelta(days=3), "duration",
                                  "No answer this long after the visit ended: the visit "
                                  "counts as done (staff can still say otherwise).")


@dataclass(frozen=True)
class ConversationSettings:
    idle_after: timedelta = _f(timedelta(hours=12), "duration",
                               "After this silence, the next message first recalls where we were.")
    forget_after: timedelta = _f(timedelta(days=30), "duration",
                                 "An unfinished conversation is forgotten after this.")
    code_attempts: int = _f(5, "int", "Wrong cheque codes allowed per sender in code_window.")
    code_window: timedelta = _f(timedelta(hours=1), "duration", "Window for counting wrong codes.")
    code_lockout: timedelta = _f(timedelta(hours=1), "duration",
                                 "How long codes are not checked after too many wrong ones.")


@dataclass(frozen=True)
class StaffSettings:
    telegram_ids: list[str] = _f([], "telegram_ids",
                                 "Telegram user ids of staff: they answer residents in the "
                                 "staff group and may send /broadcast to the bot.")
    # Read with [city] country when the config is read, and kept in E.164 form.
    phones: list[str] = _f([], "list", "Staff phone numbers (E.164). Nothing reads them yet: "
                           "staff work on Telegram and the command line.")
    group_chat_id: str = _f("", "chat_id",
                            "Telegram chat id of the staff group (e.g. -1001234567890) that "
                            "gets hand-off requests; empty: a person is the city's phone.")


@dataclass(frozen=True)
class ServerSettings:
    host: str = _f("127.0.0.1", "str", "Address the webhook server listens on.")
    port: int = _f(8080, "port", "Port the webhook server listens on.")


@dataclass(frozen=True)
class TelegramSettings:
    token: str = _f("", "str", "Bot token from @BotFather. Put it in DIGICHEQUE_TELEGRAM_TOKEN.",
                    secret=True)
    webhook_url: str = _f("", "str", "Public https URL of POST /telegram; empty: long polling.")
    secret_token: str = _f("", "str", "Secret Telegram sends with each webhook call.",
                           secret=True)
    api_base_url: str = _f("https://api.telegram.org/bot", "str",
                           "Bot API base URL (for a local Bot API server).")


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str = _f("", "str", "Twilio account SID. Put it in DIGICHEQUE_TWILIO_ACCOUNT_SID.")
    auth_token: str = _f("", "str", "Twilio auth token. Put it in DIGICHEQUE_TWILIO_AUTH_TOKEN.",
                         secret=True)
    from_number: str = _f("", "str", "Our SMS number in E.164 form (or messaging_service_sid).")
    messaging_service_sid: str = _f("", "str",
                                    "Twilio Messaging Service SID to send from, instead of "
                                    "from_number.")
    public_base_url: str = _f("", "str",
                              "Public base URL Twilio calls, e.g. https://bot.example.org; "
                              "signatures are checked against it.")
    send_rate: float = _f(1.0, "rate", "SMS segments sent per second, at most.")
    api_base_url: str = _f("", "str", "Twilio REST base URL override (tests only).")

    @property
    def enabled(self) -> bool:
        """SMS is served when the account and a way to send are configured."""
        return bool(self.account_sid and self.auth_token
                    and (self.from_number or self.messaging_service_sid))


@dataclass(frozen=True)
class SenderSettings:
    give_up_after: timedelta = _f(timedelta(hours=6), "duration",
                                  "A message the provider keeps failing (server errors, "
                                  "timeouts, no connection) is tried again until this long "
                                  "after it was queued, then given up: logged at ERROR, "
                                  "counted, the reason kept in the outbox.")
    max_backoff: timedelta = _f(timedelta(minutes=5), "duration",
                                "Longest wait between two tries of such a message; the waits "
                                "double from 1s up to this (at least 1s).")


@dataclass(frozen=True)
class PrivacySettings:
    keep_personal_data: timedelta = _f(timedelta(days=90), "duration",
                                       "Street and phone of a visit are erased this long after it.")
    keep_messages: timedelta = _f(timedelta(days=30), "duration",
                                  "Sent or failed messages and message ids are deleted after this.")


@dataclass(frozen=True)
class LoggingSettings:
    level: str = _f("INFO", "log_level", "DEBUG, INFO, WARNING or ERROR.")
    message_bodies: bool = _f(False, "bool",
                              "Also log message texts (residents' words, addresses) at DEBUG. "
                              "Turn on only for a short investigation.")


@dataclass(frozen=True)
class Settings:
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    city: CitySettings = field(default_factory=CitySettings)
    booking: BookingSettings = field(default_factory=BookingSettings)
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    conversation: ConversationSettings = field(default_factory=ConversationSettings)
    staff: StaffSettings = field(default_factory=StaffSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    twilio: TwilioSettings = field(default_factory=TwilioSettings)
    sender: SenderSettings = field(default_factory=SenderSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    logging: LoggingSettings = field(default_factory=LoggingSettings)
    source: str = "built-in defaults"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.city.timezone)


SECTIONS: dict[str, type] = {
    f.name: f.default_factory  # type: ignore[misc]
    for f in dataclasses.fields(Settings) if f.name != "source"
}


# ---------------------------------------------------------------------------- reading

_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _coerce(kind: str, value: Any, from_env: bool) -> Any:
    """Turn a TOML (or environment string) value into the field's type or raise ValueError."""
    if from_env and kind in ("list", "postcodes", "languages", "durations"):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError(f"expected text, got {value!r}")
        return value
    if kind == "int":
        if from_env:
            try:
                value = int(value)
            except ValueError:
                raise ValueError(f"expected a whole number, got {value!r}") from None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"expected a whole number of 0 or more, got {value!r}")
        return value
    if kind in ("count", "port"):
        high, what = (None, "a whole number of 1 or more") if kind == "count" \
            else (65535, "a port number from 1 to 65535")
        number = value
        if from_env:
            try:
                number = int(value)
            except ValueError:
                number = None
        if not isinstance(number, int) or isinstance(number, bool) or number < 1 \
                or (high is not None and number > high):
            raise ValueError(f"expected {what}, got {value!r}")
        return number
    if kind == "bool":
        if from_env and isinstance(value, str) and value.lower() in _BOOLEANS:
            return _BOOLEANS[value.lower()]
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value
    if kind == "telegram_ids":
        if not isinstance(value, list) or not all(
                re.fullmatch(r"[1-9]\d{0,19}", str(v)) for v in value):
            raise ValueError("expected a list of numeric Telegram user ids such as "
                             f"[\"123456789\"], got {value!r}")
        return [str(v) for v in value]
    if kind == "chat_id":
        text = str(value).strip() if isinstance(value, (str, int)) \
            and not isinstance(value, bool) else None
        if text is None or text and not re.fullmatch(r"-?[1-9]\d{0,19}", text):
            raise ValueError("expected a Telegram chat id such as \"-1001234567890\" "
                             f"(empty: none), got {value!r}")
        return text
    if kind == "rate":
        try:
            number = float(value) if from_env or isinstance(value, (int, float)) else None
        except ValueError:
            number = None
        if number is None or isinstance(value, bool) or not 0 < number <= 1000:
            raise ValueError(f"expected a number above 0 (per second), got {value!r}")
        return number
    if kind == "duration":
        if not isinstance(value, str):
            raise ValueError(f"expected a duration in quotes such as \"90m\", got {value!r}")
        return parse_duration(value)
    if kind == "durations":
        if not isinstance(value, list):
            raise ValueError(
                f"expected a list of durations such as [\"1d\", \"2h\"], got {value!r}")
        return [parse_duration(str(v)) for v in value]
    if kind == "clock":
        if not isinstance(value, str):
            raise ValueError(f"expected a time of day such as \"10:00\", got {value!r}")
        parse_clock(value)
        return value
    if kind == "clock_range":
        if not isinstance(value, str):
            raise ValueError(f"expected a time range such as \"21:00-08:00\", got {value!r}")
        parse_clock_range(value)
        return value
    if kind == "timezone":
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"expected a time zone such as Europe/Brussels, got {value!r}") from None
        return str(value)
    if kind == "list":
        if not isinstance(value, list):
            raise ValueError(f"expected a list, got {value!r}")
        return [str(v) for v in value]
    if kind == "postcodes":
        if not isinstance(value, list) or not all(re.fullmatch(r"\d{4}", str(v)) for v in value):
            raise ValueError(
                f"expected a list of 4-digit postcodes such as [\"9100\"], got {value!r}")
        return [str(v) for v in value]
    if kind == "places":
        if from_env:
            pairs = [part.partition("=") for part in value.split(",") if part.strip()]
            value = {name.strip(): code.strip() for name, _, code in pairs}
        if not isinstance(value, dict) or not all(
                str(name).strip() and re.fullmatch(r"\d{4}", str(code))
                for name, code in value.items()):
            raise ValueError("expected place names with 4-digit postcodes such as "
                             f"{{\"Belsele\" = \"9111\"}}, got {value!r}")
        return {str(name).strip(): str(code) for name, code in value.items()}
    if kind == "language":
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_LANGUAGES)}, got {value!r}")
        return value
    if kind == "languages":
        if (not isinstance(value, list) or not value
                or not all(v in SUPPORTED_LANGUAGES for v in value)):
            raise ValueError(f"expected a list drawn from {', '.join(SUPPORTED_LANGUAGES)}, "
                             f"got {value!r}")
        return list(value)
    if kind == "log_level":
        if str(value).upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError(f"expected DEBUG, INFO, WARNING or ERROR, got {value!r}")
        return str(value).upper()
    raise AssertionError(f"unknown setting kind {kind}")  # a programming error, not input


def _build_section(name: str, cls: type, raw: Mapping[str, Any], where: str,
                   env: Mapping[str, str]) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in fields:
            raise ConfigError(f"{where}: unknown key [{name}] {key!r}; known keys: "
                              f"{', '.join(sorted(fields))}")
    values: dict[str, Any] = {}
    for key, fld in fields.items():
        env_name = f"{ENV_PREFIX}{name.upper()}_{key.upper()}"
        try:
            if env_name in env:
                values[key] = _coerce(fld.metadata["kind"], env[env_name], from_env=True)
            elif key in raw:
                values[key] = _coerce(fld.metadata["kind"], raw[key], from_env=False)
        except ValueError as exc:
            origin = f"environment variable {env_name}" if env_name in env else \
                f"{where}: [{name}] {key}"
            raise ConfigError(f"{origin}: {exc}") from None
    section = cls(**values)
    if name == "city" and section.default_language not in section.languages:
        raise ConfigError(f"{where}: [city] default_language: {section.default_language!r} "
                          f"must be one of languages {section.languages}")
    return section


def _check_env(env: Mapping[str, str]) -> None:
    """A misspelt variable for a known section is an error, not silently ignored."""
    for name in env:
        if not name.startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX):].lower()
        section, _, key = rest.partition("_")
        if section in SECTIONS:
            known = {f.name for f in dataclasses.fields(SECTIONS[section])}
            if key not in known:
                raise ConfigError(f"environment variable {name}: unknown key [{section}] "
                                  f"{key!r}; known keys: {', '.join(sorted(known))}")


def load_settings(path: Path | str | None = None,
                  env: Mapping[str, str] | None = None) -> Settings:
    """Read settings: the given file, else ./digicheque.toml if present, else defaults."""
    env = os.environ if env is None else env
    raw: dict[str, Any] = {}
    where = "built-in defaults"
    if path is None and DEFAULT_CONFIG_FILE.exists():
        path = DEFAULT_CONFIG_FILE
    if path is not None:
        path = Path(path)
        where = str(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"{where}: no such config file") from None
        except UnicodeDecodeError as exc:
            line = exc.object[:exc.start].count(b"\n") + 1
            raise ConfigError(f"{where}: line {line} is not UTF-8 text (byte "
                              f"{exc.object[exc.start]:#04x}); save the file as UTF-8") from None
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read the config file: "
                              f"{exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    for name, value in raw.items():
        if name not in SECTIONS:
            raise ConfigError(f"{where}: unknown section [{name}]; known sections: "
                              f"{', '.join(SECTIONS)}")
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: [{name}] must be a section (a table), got {value!r}")
    _check_env(env)
    sections = {name: _build_section(name, cls, raw.get(name, {}), where, env)
                for name, cls in SECTIONS.items()}
    return _check_together(Settings(**sections, source=where), where, env)


def _check_together(settings: Settings, where: str, env: Mapping[str, str]) -> Settings:
    """Values each fine alone that make no sense together; staff phones to E.164."""
    def origin(section: str, key: str) -> str:
        env_name = f"{ENV_PREFIX}{section.upper()}_{key.upper()}"
        return f"environment variable {env_name}" if env_name in env else \
            f"{where}: [{section}] {key}"

    booking = settings.booking
    if booking.min_notice > booking.max_ahead:
        raise ConfigError(
            f"{origin('booking', 'min_notice')}: {format_duration(booking.min_notice)} is "
            f"longer than [booking] max_ahead {format_duration(booking.max_ahead)}, so no "
            "visit could ever be booked")
    city = settings.city
    outside = {name: code for name, code in city.places.items() if code not in city.postcodes}
    if outside and city.places != CitySettings().places:
        raise ConfigError(f"{origin('city', 'places')}: {outside} has a postcode that is not "
                          f"in [city] postcodes {city.postcodes}")
    if outside:  # Sint-Niklaas's towns, for another area: keep only those inside it
        city = dataclasses.replace(city, places={name: code for name, code in
                                                 city.places.items() if name not in outside})
        settings = dataclasses.replace(settings, city=city)
    if settings.sender.max_backoff < timedelta(seconds=1):
        raise ConfigError(f"{origin('sender', 'max_backoff')}: expected at least 1s, got "
                          f"{format_duration(settings.sender.max_backoff)}")
    phones = []
    for text in settings.staff.phones:
        phone = read_phone(text, settings.city.country)
        if phone is None:
            raise ConfigError(f"{origin('staff', 'phones')}: {text!r} is not a phone number "
                              f"(read for [city] country {settings.city.country!r})")
        phones.append(phone)
    if settings.staff.group_chat_id and not settings.staff.telegram_ids:
        raise ConfigError(f"{origin('staff', 'group_chat_id')}: needs [staff] telegram_ids, "
                          "the staff members whose replies in the group reach residents")
    if settings.staff.group_chat_id and not settings.telegram.token:
        raise ConfigError(f"{origin('staff', 'group_chat_id')}: needs [telegram] token, "
                          "the bot that writes in the staff group")
    staff = dataclasses.replace(settings.staff, phones=phones)
    return dataclasses.replace(settings, staff=staff)


def example_toml() -> str:
    """config.example.toml as it must read: every key, its meaning and its default."""
    def show(value: Any) -> str:
        if isinstance(value, timedelta):
            return f'"{format_duration(value)}"'
        if isinstance(value, bool):
            return str(value).lower()
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, list):
            return "[" + ", ".join(show(v) for v in value) + "]"
        if isinstance(value, dict):
            return "{" + ", ".join(f"{show(k)} = {show(v)}" for k, v in value.items()) + "}"
        return '"' + str(value) + '"'

    lines = [
        "# digicheque configuration: every key, with its default.",
        "# Copy to digicheque.toml (read from the working directory) or pass --config PATH.",
        "# Any key can be overridden by an environment variable DIGICHEQUE_<SECTION>_<KEY>,",
        "# e.g. DIGICHEQUE_DATABASE_URL or DIGICHEQUE_TELEGRAM_TOKEN. Put secrets there, not here.",
        "# Durations: 45s, 90m, 1h30m, 2d. Lists in environment variables: comma-separated.",
        "",
    ]
    for name, cls in SECTIONS.items():
        lines.append(f"[{name}]")
        defaults = cls()
        for fld in dataclasses.fields(cls):
            lines.append(f"# {fld.metadata['doc']}")
            lines.append(f"{fld.name} = {show(getattr(defaults, fld.name))}")
        lines.append("")
    return "\n".join(lines)
