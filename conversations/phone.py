"""Reading a phone number as people write it: '0470 12 34 56', '+32 470/12.34.56'.

Pure (no I/O), so both the resident's conversation and the staff commands use it.
"""

from __future__ import annotations

import re

import phonenumbers


def read_phone(text: str, region: str) -> str | None:
    """A Belgian (or international) number in E.164 form, or None."""
    cleaned = re.sub(r"[^\d+]", "", text)
    if not 8 <= len(cleaned) <= 16:
        return None
    try:
        number = phonenumbers.parse(cleaned, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_RUN = re.compile(r"\+?\d[\d\s./-]{6,}\d")


def find_phone(text: str, region: str) -> str | None:
    """A number inside a sentence: 'mijn nummer is nu 0470 99 99 99'."""
    for run in _RUN.findall(text):
        phone = read_phone(run, region)
        if phone is not None:
            return phone
    return None


def show_phone(e164: str, region: str) -> str:
    """'+32470999999' -> '0470 99 99 99': the way the resident writes it."""
    try:
        number = phonenumbers.parse(e164, region)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
