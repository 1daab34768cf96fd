"""Logging without secrets or residents' words (G9), at every level.

Two things leak by default once `[logging] level = "DEBUG"`: python-telegram-bot and httpx
write the Bot API URL, which carries the bot token, and python-telegram-bot writes every
call's parameters and answer (the webhook secret, each message's text with streets and
phone numbers). So:

- every configured secret (the settings bot.config marks `secret`, and the database
  password) is replaced by REDACTED in every log record, whatever logger or handler it
  goes to. This is done where records are made (the log record factory), not by a
  logging.Filter: a filter on the root logger never sees records that propagate up from
  child loggers such as `httpx`, and one on the root's handlers misses handlers added
  later and uvicorn's own;
- python-telegram-bot's per-call DEBUG lines stay off unless `[logging] message_bodies`
  opts in for an investigation; our own log lines never carry message texts.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.config import SECTIONS, Settings

REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Libraries whose INFO lines say nothing an operator needs, or worse: httpx's carry the
# Bot API URL with the token; twilio's dump each request; apscheduler's and alembic's
# ("Running job ...", "Context impl ...") come every 30 seconds. Our jobs log what they did.
QUIET = ("httpx", "twilio", "apscheduler", "alembic")
# python-telegram-bot's logger for each Bot API call's parameters and answer (at DEBUG).
TELEGRAM_CALLS = "telegram.Bot"


def configure_logging(settings: Settings) -> None:
    """Log to stderr at the configured level, with secrets scrubbed and libraries quiet."""
    logging.basicConfig(level=settings.logging.level, format=FORMAT)
    scrub_secrets(secrets_of(settings))
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger(TELEGRAM_CALLS).setLevel(
        logging.NOTSET if settings.logging.message_bodies else logging.INFO)


def secrets_of(settings: Settings) -> list[str]:
    """The values of every secret setting, and the password in the database URL."""
    found = []
    for name in SECTIONS:
        section = getattr(settings, name)
        for fld in dataclasses.fields(section):
            value = getattr(section, fld.name)
            if fld.metadata.get("secret") and isinstance(value, str) and value:
                found.append(value)
    try:
        password = make_url(settings.database.url).password
    except ArgumentError:  # a URL that does not parse is refused elsewhere
        password = None
    if password:
        found.append(str(password))
    return found


class _Scrubbing:
    """A log record factory that makes records through the previous one, then scrubs them."""

    def __init__(self, make_record: Callable[..., logging.LogRecord]) -> None:
        self.make_record = make_record
        self.secrets: tuple[str, ...] = ()

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make_record(*args, **kwargs)
        if self.secrets:
            scrub(record, self.secrets)
        return record


def scrub_secrets(secrets: Iterable[str]) -> None:
    """From now on, replace these values in every log record of the process.

    Called again, the new values replace the old. Each secret is also scrubbed in its
    URL-encoded form, as it appears in a logged URL.
    """
    forms = set()
    for secret in secrets:
        if secret:
            forms |= {secret, quote(secret, safe=""), quote(secret)}
    factory = logging.getLogRecordFactory()
    if not isinstance(factory, _Scrubbing):
        factory = _Scrubbing(factory)
        logging.setLogRecordFactory(factory)
    # Longest first, so a secret containing another is replaced whole.
    factory.secrets = tuple(sorted(forms, key=len, reverse=True))


def _without(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def scrub(record: logging.LogRecord, secrets: tuple[str, ...]) -> None:
    """Replace the secrets in the record's message (msg with its args), traceback and stack.

    The message is checked once formatted, so a secret split over msg and args, or
    inside an object's str(), is found as well.
    """
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format is the handler's to report
        message = None
    if message is not None:
        cleaned = _without(message, secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        text = logging.Formatter().formatException(record.exc_info)
        cleaned = _without(text, secrets)
        if cleaned != text:
            record.exc_text = cleaned  # formatters use exc_text when it is set
    if record.stack_info:
        record.stack_info = _without(record.stack_info, secrets)
