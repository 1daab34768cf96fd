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
