"""Turning replies (message ids + parameters) into the text a channel shows.

The language picks the catalogue and Babel's day and month names; the channel picks the
form: SMS gets GSM-7 text with numbered options, within two segments per message;
Telegram gets the text and the options as keyboard buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from conversations.gsm7 import segments, to_gsm7
from conversations.messages import channel_key, template
from conversations.step import Say

LOCALES = {"nl": "nl_BE", "fr": "fr_BE", "en": "en_GB"}
DEFAULT_TZ = ZoneInfo("Europe/Brussels")
SMS_MAX_SEGMENTS = 2
CHANNELS_WITH_BUTTONS = {"telegram"}
# The option that shares the resident's own number (Telegram's contact button): its
# button label goes out marked, and the channel makes it a request_contact button.
CONTACT = "share_contact"
CONTACT_BUTTON = "request_contact:"


@dataclass(frozen=True)
class Rendered:
    """One message as a channel sends it."""

    body: str
    choices: tuple[str, ...] = ()     # keyboard buttons (Telegram), else empty


class _Params(dict[str, Any]):
    """Leaves an unknown {placeholder} visible instead of raising mid-conversation."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache(maxsize=4096)
def _day_names(day: date, locale: str) -> tuple[str, str]:
    """('dinsdag 1 december', 'di 1 dec'): Babel is slow, and the same days recur."""
    return (format_date(day, "EEEE d MMMM", locale=locale),
            format_date(day, "EEE d MMM", locale=locale).replace(".", ""))


@lru_cache(maxsize=1024)
def _clock(moment: time, locale: str) -> str:
    return format_time(moment, "HH:mm", locale=locale)


def _expand(language: str, params: dict[str, Any], tz: ZoneInfo | None,
            defaults: dict[str, Any] | None) -> _Params:
    locale = LOCALES.get(language, "nl_BE")
    tz = tz or DEFAULT_TZ
    out = _Params(defaults or {})
    for name, value in params.items():
        if isinstance(value, datetime):
            local = value.astimezone(tz)
            out[f"{name}_day"], out[f"{name}_short"] = _day_names(local.date(), locale)
            out[f"{name}_time"] = _clock(local.time(), locale)
        elif isinstance(value, (list, tuple)) and value and \
                all(isinstance(v, Say) for v in value):
            # lines of a list, each its own catalogue text: "wo 2 dec 13:00-14:30: Computer"
            out[name] = "\n".join(format_message(language, v.key, v.params, tz, defaults)
                                  for v in value)
        elif isinstance(value, (list, tuple)) and value and \
                all(isinstance(v, datetime) for v in value):
            # several visits: "wo 2 dec 13:00, wo 9 dec 09:00"
            out[name] = ", ".join(
                f"{_day_names(v.astimezone(tz).date(), locale)[1]} "
                f"{_clock(v.astimezone(tz).time(), locale)}" for v in value)
        elif name == "topic":
            out[name] = template(language, f"topic.{value}")
        elif isinstance(value, str) and value.startswith("where."):
            out[name] = template(language, value)
        else:
            out[name] = value
    return out


def format_message(language: str, key: str, params: dict[str, Any], tz: ZoneInfo | None,
                   defaults: dict[str, Any] | None = None) -> str:
    language = params.get("_language", language)
    return template(language, key).format_map(_expand(language, params, tz, defaults))


def render(replies: tuple[Say, ...] | list[Say], language: str, channel: str, tz: ZoneInfo,
           defaults: dict[str, Any] | None = None) -> list[Rendered]:
    """The replies of one step as the messages a channel sends.

    Replies are joined into one message where they fit (one SMS of at most two segments);
    the options of the last reply become numbered lines (SMS) or buttons (Telegram).
    """
    parts: list[tuple[str, tuple[str, ...]]] = []
    buttons = channel in CHANNELS_WITH_BUTTONS
    for say in replies:
        lang = say.params.get("_language", language)
        text = format_message(lang, channel_key(lang, say.key, buttons), say.params, tz,
                              defaults)
        labels = tuple((CONTACT_BUTTON if value == CONTACT and buttons else "")
                       + format_message(lang, key, {**p, "_language": lang}, tz, defaults)
                       for value, key, p in say.options)
        parts.append((text, labels))
    texts = []
    for text, labels in parts:
        if labels and not buttons:
            text = text + "\n" + "\n".join(f"{i} {label}" for i, label in
                                          enumerate(labels, 1))
        texts.append(to_gsm7(text) if channel == "sms" else text)

    messages: list[Rendered] = []
    current = ""
    for text in texts:
        joined = f"{current}\n{text}" if current else text
        if current and channel == "sms" and segments(joined) > SMS_MAX_SEGMENTS:
            messages.append(Rendered(current))
            current = text
        else:
            current = joined
    last_labels = parts[-1][1] if parts else ()
    if current:
        messages.append(Rendered(current, last_labels if buttons else ()))
    return messages
