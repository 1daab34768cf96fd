"""Message catalogues per language. Every resident-facing text lives here."""

from __future__ import annotations

from typing import Any

from conversations.messages import en, fr, nl

CATALOGUES: dict[str, dict[str, str]] = {"nl": nl.MESSAGES, "fr": fr.MESSAGES, "en": en.MESSAGES}
LANGUAGES = tuple(CATALOGUES)


def template(language: str, key: str) -> str:
    """The text for a key; falls back to Dutch, then to the key (never raises)."""
    catalogue = CATALOGUES.get(language, nl.MESSAGES)
    return catalogue.get(key) or nl.MESSAGES.get(key) or key


def channel_key(language: str, key: str, buttons: bool) -> str:
    """The key's wording for a channel: with buttons, "<key>.buttons" if there is one
    (Telegram's buttons carry no numbers, so no "choose a number" there)."""
    if buttons and f"{key}.buttons" in CATALOGUES.get(language, nl.MESSAGES):
        return f"{key}.buttons"
    return key


def label_variants(key: str, params: dict[str, Any]) -> tuple[str, ...]:
    """An option's label in every language, so a button or typed label is understood."""
    from conversations.render import format_message  # render imports this module

    return tuple(dict.fromkeys(format_message(lang, key, params, tz=None)
                               for lang in LANGUAGES))
