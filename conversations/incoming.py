"""The neutral message every channel adapter hands to the engine."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    TEXT = "text"
    STICKER = "sticker"
    PHOTO = "photo"
    VOICE = "voice"        # voice notes and audio
    LOCATION = "location"
    OTHER = "other"        # documents, contacts, polls, anything we cannot read
    EDITED = "edited"      # a changed earlier message: acting on it could book twice
    GROUP = "group"        # a message in a group chat: we only talk privately
    OPT_OUT = "opt_out"    # the provider already opted the sender out (Twilio's STOP)


@dataclass(frozen=True)
class Incoming:
    """One message from a resident, as any channel sees it.

    provider_id is unique per channel (Telegram update_id, Twilio MessageSid,
    console counter): the engine records it so a redelivery is a no-op (G1).
    """

    channel: str             # "telegram" | "sms" | "console"
    address: str             # Telegram chat id or E.164 phone number
    provider_id: str
    text: str = ""
    kind: Kind = Kind.TEXT
    language_hint: str | None = None   # e.g. Telegram's language_code, if any
    first_name: str | None = None      # the sender's first name, if the channel says it
    # In a group chat (the staff group): who wrote, and which message they replied to.
    sender_id: str | None = None       # Telegram user id of the author
    reply_to: str | None = None        # message id of the message replied to, if any
