"""Reading cheque codes out of what residents write.

"mijn code is abcd efgh k", "Dag, hier is mijn code: 6HV3-JHC9-H", a code with one
symbol wrong inside a sentence, and words that are no codes ("verzetten" is nine symbols
of the code alphabet). The code's format itself (alphabet, check symbol, length) is a fact
of the cheques, kept in storage/codes.py; the conversation gets it from the engine as
`Context.codes` (a `CodeFormat`), so no flow imports storage.

Pure: no I/O.
"""

from __future__ import annotations

import re
from typing import Protocol


class CodeFormat(Protocol):
    """The printed code's format, as the conversation needs it (storage.codes is one)."""

    CODE_LENGTH: int
    VALUE: dict[str, int]            # the alphabet's symbols and their values

    def clean(self, text: str) -> str:
        """The symbols as typed: case and separators ignored, look-alikes read."""
        ...

    def is_valid(self, code: str) -> bool:
        """True when a cleaned code passes its check."""
        ...


# What is wrong with a message read as a whole code (storage.codes.CodeProblem's values).
WRONG_LENGTH, BAD_SYMBOL, CHECK_FAILED = "wrong_length", "bad_symbol", "check_failed"


def read_code(text: str, codes: CodeFormat) -> tuple[str | None, str | None]:
    """The message as one code: (the code, None) or (None, what is wrong with it)."""
    cleaned = codes.clean(text)
    if len(cleaned) != codes.CODE_LENGTH:
        return None, WRONG_LENGTH
    if any(symbol not in codes.VALUE for symbol in cleaned):
        return None, BAD_SYMBOL
    if not codes.is_valid(cleaned):
        return None, CHECK_FAILED
    return cleaned, None


def _runs(text: str, codes: CodeFormat) -> list[tuple[list[str], str]]:
    """Every run of up to five neighbouring words with at most a code's symbols, cleaned."""
    words = text.split()
    runs = []
    for first in range(len(words)):
        for last in range(first + 1, min(len(words), first + 5) + 1):
            candidate = codes.clean("".join(words[first:last]))
            if len(candidate) > codes.CODE_LENGTH:
                break
            runs.append((words[first:last], candidate))
    return runs


def find_code(text: str, codes: CodeFormat) -> str | None:
    """A valid code inside a longer message ('mijn code is abcd efgh k'), or None.

    Tries every run of neighbouring words that cleans up to nine symbols; only a run
    whose check symbol holds counts, so stray words never make a code.
    """
    for run, candidate in _runs(text, codes):
        if len(candidate) == codes.CODE_LENGTH and codes.is_valid(candidate) \
                and _written_as_code(run):
            return candidate
    return None


def find_code_attempt(text: str, codes: CodeFormat) -> str | None:
    """A code-shaped run inside a sentence whose check fails ('mijn code is NDXJ-HZ1M-7'):
    nine symbols written as a code, with a digit or a dash, so no plain words."""
    for run, candidate in _runs(text, codes):
        raw = "".join(run)
        if len(candidate) == codes.CODE_LENGTH \
                and all(s in codes.VALUE for s in candidate) \
                and (any(c.isdigit() for c in raw) or "-" in raw) and _written_as_code(run):
            return candidate
    return None


# How a code is written: as printed (4-4-1), without the last dash, or as one run.
_CODE_SHAPES = {(9,), (4, 4, 1), (8, 1)}


def _shaped_as_code(words: list[str]) -> bool:
    """One word, or several whose pieces are a printed code's groups (4-4-1, 8-1)."""
    pieces = tuple(len(p) for p in re.split(r"[\s\-._/]+", " ".join(words).strip(".,;:!?"))
                   if p)
    return len(words) == 1 or pieces in _CODE_SHAPES


def _written_as_code(words: list[str]) -> bool:
    """One check symbol lets one in 32 runs of words pass by chance ("zoon erbij"): a run
    of several words counts only when shaped like a printed code, and never a word."""
    return _shaped_as_code(words) \
        and not any(looks_like_word(word.strip(".,;:!?")) for word in words)


def looks_like_word(text: str) -> bool:
    """True for one written word such as 'verzetten': letters only, three vowels or more
    (but not mostly vowels), no letter three times in a row.

    Printed codes are random symbols, a third of them digits, shown with dashes; a
    mistyped one written as a single word of letters with three vowels is rare (under
    1 in 100), while nine-letter words of the code alphabet are common in Dutch. Such a
    word is never counted as a wrong code (G9 counts guesses, not words).
    """
    stripped = text.strip()
    vowels = sum(c in "aeiouyAEIOUY" for c in stripped)
    return stripped.isalpha() and 3 <= vowels <= 0.6 * len(stripped) \
        and not re.search(r"(.)\1\1", stripped, flags=re.IGNORECASE)   # "AAAB..." is no word


def looks_like_code(text: str, codes: CodeFormat) -> bool:
    """Cheap test whether a message is probably a code attempt (9 symbols after cleaning).

    Several words of letters only must be grouped as printed: "ik ben ziek" and "ik kom
    niet" are nine symbols of the alphabet too, and are no code to say is wrong."""
    if looks_like_word(text):
        return False
    words = text.split()
    if not any(c.isdigit() for c in text) and not _shaped_as_code(words):
        return False
    cleaned = codes.clean(text)
    return len(cleaned) == codes.CODE_LENGTH and all(s in codes.VALUE for s in cleaned)
