"""SMS encoding: keep texts in GSM-7 and count segments (CONTEXT.md, SMS costs).

One character outside GSM-7 turns a whole SMS into UCS-2 (70 characters a segment), so
everything we send by SMS passes through `to_gsm7`, which spells such characters with
their nearest GSM-7 neighbour (ë -> e, ç -> c, curly quotes -> straight) and drops what
has none (emoji).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENDED = set("^{}\\[~]|€\f")   # cost two septets each (escape + character)
SINGLE_SEGMENT = 160
MULTI_SEGMENT = 153
UCS2_SINGLE, UCS2_MULTI = 70, 67   # characters a segment once one is not GSM-7
WARN_SEGMENTS = 2   # staff are warned for a text longer than this many SMS parts

_REPLACEMENTS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u00a0": " ",
    "\u202f": " ", "\t": " ", "\u2022": "-", "\u00b7": "-",
}


def is_gsm7(text: str) -> bool:
    return all(c in BASIC or c in EXTENDED for c in text)


def septets(text: str) -> int:
    return sum(2 if c in EXTENDED else 1 for c in text)


def segments(text: str) -> int:
    """Number of SMS parts for a GSM-7 text (0 for an empty one)."""
    size = septets(text)
    if size == 0:
        return 0
    return 1 if size <= SINGLE_SEGMENT else -(-size // MULTI_SEGMENT)


def to_gsm7(text: str) -> str:
    """The nearest GSM-7 spelling of any text."""
    out = []
    for char in text:
        if char in BASIC or char in EXTENDED:
            out.append(char)
            continue
        if char in _REPLACEMENTS:
            out.append(_REPLACEMENTS[char])
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char)
                       if not unicodedata.combining(c))
        if base and all(c in BASIC for c in base):
            out.append(base)
        elif char == "ç":
            out.append("c")
        # anything else (emoji, other scripts) has no GSM-7 spelling: left out
    return "".join(out)


@dataclass(frozen=True)
class SmsSize:
    """How a text goes out by SMS: its encoding and number of segments."""

    encoding: str        # "GSM-7" or "UCS-2"
    segments: int

    @property
    def too_long(self) -> bool:
        return self.segments > WARN_SEGMENTS


def as_sms(text: str) -> tuple[str, SmsSize]:
    """How a text goes by SMS (bot/channels/sms.py spells every body in GSM-7): that
    spelling, and its size. For the previews staff see before a broadcast."""
    sms = to_gsm7(text)
    return sms, sms_size(sms)


def sms_size(text: str) -> SmsSize:
    """GSM-7 when every character is in the GSM alphabet, else UCS-2 (70/67 a part)."""
    if is_gsm7(text):
        return SmsSize("GSM-7", segments(text))
    units = len(text.encode("utf-16-le")) // 2
    count = 0 if units == 0 else 1 if units <= UCS2_SINGLE else -(-units // UCS2_MULTI)
    return SmsSize("UCS-2", count)
