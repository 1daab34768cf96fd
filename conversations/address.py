"""Reading an address as residents write it: postcode or place name, street and number.

Pure (no I/O): "Kerkstraat 12, 9100", "9100 Sint-Niklaas, Vijfstraten 77", "91OO",
"Sorry ik was het vergeten. Parklaan 8", "Mercatorstraat nummer 112".
"""

from __future__ import annotations

import re

POSTCODE = re.compile(r"(?<!\d)(\d{4})(?!\d)")

# "91OO": the letter O typed for a zero inside a postcode.
_POSTCODE_WITH_O = re.compile(r"(?<![\w])(?=[\dOo]{4}(?![\w]))(?=\d)[\dOo]{4}")


def postcode_in(text: str, places: tuple[tuple[str, str], ...]) -> tuple[str | None, str]:
    """The postcode (or the place name standing for it) and the text without it."""
    text = _POSTCODE_WITH_O.sub(lambda m: m.group(0).replace("O", "0").replace("o", "0"),
                                text)
    match = POSTCODE.search(text)
    postcode = match.group(1) if match else None
    rest = text if match is None else text[:match.start()] + " " + text[match.end():]
    for place, code in sorted(places, key=lambda p: -len(p[0])):
        pattern = r"[-\s]+".join(re.escape(word) for word in re.split(r"[-\s]+", place))
        found = re.search(rf"(?<!\w){pattern}(?!\w)", rest, flags=re.IGNORECASE)
        if found is not None:
            rest = rest[:found.start()] + " " + rest[found.end():]
            postcode = postcode or code
    return postcode, rest.strip(" ,.;-")


# What people write around an address: "ik woon in de Kerkstraat 5 te 9100".
_ADDRESS_LEAD = re.compile(
    r"^(?:(?:ik\s+woon|wij\s+wonen|we\s+wonen)\s+(?:in\s+de|in|op\s+de|op|aan\s+de|aan)\s+"
    r"|(?:mijn|ons)\s+adres\s+is\s*:?\s*|adres\s*:\s*"
    r"|j['\u2019]habite\s+(?:au\s+|à\s+|a\s+)?|(?:mon\s+)?adresse\s*(?:est)?\s*:?\s*"
    r"|i\s+live\s+(?:at|in|on)\s+|my\s+address\s+is\s*:?\s*|address\s*:\s*)",
    re.IGNORECASE)
_ADDRESS_TAIL = re.compile(r"\s+(?:te|in|à|a|at|,)\s*$", re.IGNORECASE)


_HOUSE_NUMBER_WORD = re.compile(r"\b(?:huis)?(?:nummer|nr|numero|numéro|number|no)\.?\s+(?=\d)",
                                re.IGNORECASE)
_STREET_PART = re.compile(r"[^\W\d_]{3,}.*\d")


def clean_street(text: str) -> str:
    """The street and number without the words around them; capitalised like a street.

    "Sorry ik was het vergeten. Parklaan 8" and "Dat heb ik toch al gezegd, Hoogstraat
    40" keep the part with a street and a number; "Mercatorstraat nummer 112" loses the
    word "nummer"; "Kerkstraat 12, bus 3" keeps its box number.
    """
    street = re.sub(r"\s+", " ", text).strip(" ,.;-")
    street = _HOUSE_NUMBER_WORD.sub("", street)
    parts = [part.strip() for part in re.split(r"[.;:!?,]+\s*(?!\d)", street) if part.strip()]
    if len(parts) > 1:
        at = next((i for i, part in enumerate(parts) if _STREET_PART.search(part)), None)
        if at is not None:
            kept = [parts[at]] + [p for p in parts[at + 1:] if re.fullmatch(
                r"(?:bus|boite|boîte|box|apt|app)\.?\s*\w{1,4}", p, re.IGNORECASE)]
            street = ", ".join(kept)
    street = _ADDRESS_LEAD.sub("", street)
    street = _ADDRESS_TAIL.sub("", street).strip(" ,.;-")
    return street[:1].upper() + street[1:]


def street_ok(text: str) -> bool:
    return bool(re.search(r"[^\W\d_]{2,}", text)) and bool(re.search(r"\d", text))
