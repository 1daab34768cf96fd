"""Cheque codes: 8 Crockford base32 symbols plus one check symbol, shown XXXX-XXXX-C.

The check symbol is a Damm-style check over the quasigroup x*y = 2x + y in GF(32)
(polynomial x^5 + x^2 + 1). Because that operation is a Latin square and weakly totally
anti-symmetric, every single wrong symbol and every swap of two neighbouring symbols
(the check symbol included) is detected, while staying inside the 32-symbol alphabet
(Crockford's own mod-37 check needs five extra symbols such as '*' and '~').
"""

from __future__ import annotations

import re
import secrets
from enum import StrEnum

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
VALUE = {symbol: index for index, symbol in enumerate(ALPHABET)}
DATA_LENGTH = 8
CODE_LENGTH = DATA_LENGTH + 1
_POLY = 0b100101  # x^5 + x^2 + 1, irreducible over GF(2)
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_IGNORED = re.compile(r"[\s\-._/]+")


class CodeProblem(StrEnum):
    WRONG_LENGTH = "wrong_length"
    BAD_SYMBOL = "bad_symbol"
    CHECK_FAILED = "check_failed"


class CodeError(ValueError):
    def __init__(self, problem: CodeProblem, text: str) -> None:
        super().__init__(f"{problem.value}: {text!r}")
        self.problem = problem


def _times_two(value: int) -> int:
    value <<= 1
    return value ^ _POLY if value & 0b100000 else value


def _fold(values: list[int]) -> int:
    interim = 0
    for value in values:
        interim = _times_two(interim) ^ value
    return interim


def check_symbol(data: str) -> str:
    """The check symbol for 8 data symbols: the one that folds the whole code to zero."""
    return ALPHABET[_times_two(_fold([VALUE[s] for s in data]))]


def is_valid(code: str) -> bool:
    """True when a normalised 9-symbol code passes its check."""
    return len(code) == CODE_LENGTH and all(s in VALUE for s in code) and \
        _fold([VALUE[s] for s in code]) == 0


def normalise(text: str) -> str:
    """Read a code as a person typed it: case, spaces, dashes, dots; O as 0, I/L as 1.

    Returns the 9-symbol form or raises CodeError saying what is wrong.
    """
    cleaned = _IGNORED.sub("", text).upper().translate(_READ_AS)
    if len(cleaned) != CODE_LENGTH:
        raise CodeError(CodeProblem.WRONG_LENGTH, text)
    if any(symbol not in VALUE for symbol in cleaned):
        raise CodeError(CodeProblem.BAD_SYMBOL, text)
    if not is_valid(cleaned):
        raise CodeError(CodeProblem.CHECK_FAILED, text)
    return cleaned


def display(code: str) -> str:
    """'ABCDEFGHK' -> 'ABCD-EFGH-K', the printed form."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def new_code() -> str:
    """A fresh code from the operating system's cryptographic random source."""
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return data + check_symbol(data)


def find_code(text: str) -> str | None:
    """A valid code inside a longer message ('mijn code is abcd efgh k'), or None.

    Tries every run of neighbouring words that cleans up to nine symbols; only a run
    whose check symbol holds counts, so stray words never make a code.
    """
    words = text.split()
    for first in range(len(words)):
        for last in range(first + 1, min(len(words), first + 5) + 1):
            candidate = _IGNORED.sub("", "".join(words[first:last])).upper().translate(_READ_AS)
            if len(candidate) > CODE_LENGTH:
                break
            if len(candidate) == CODE_LENGTH and is_valid(candidate) \
                    and _written_as_code(words[first:last]):
                return candidate
    return None


def find_code_attempt(text: str) -> str | None:
    """A code-shaped run inside a sentence whose check fails ('mijn code is NDXJ-HZ1M-7'):
    nine symbols written as a code, with a digit or a dash, so no plain words."""
    words = text.split()
    for first in range(len(words)):
        for last in range(first + 1, min(len(words), first + 5) + 1):
            run = words[first:last]
            candidate = _IGNORED.sub("", "".join(run)).upper().translate(_READ_AS)
            if len(candidate) > CODE_LENGTH:
                break
            raw = "".join(run)
            if len(candidate) == CODE_LENGTH and all(s in VALUE for s in candidate) \
                    and (any(c.isdigit() for c in raw) or "-" in raw) \
                    and _written_as_code(run):
                return candidate
    return None


# How a code is written: as printed (4-4-1), without the last dash, or as one run.
_CODE_SHAPES = {(9,), (4, 4, 1), (8, 1)}


def _written_as_code(words: list[str]) -> bool:
    """One check symbol lets one in 32 runs of words pass by chance ("zoon erbij"): a run
    of several words counts only when shaped like a printed code, and never a word."""
    pieces = tuple(len(p) for p in re.split(r"[\s\-._/]+", " ".join(words).strip(".,;:!?"))
                   if p)
    if len(words) > 1 and pieces not in _CODE_SHAPES:
        return False
    return not any(looks_like_word(word.strip(".,;:!?")) for word in words)


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


def looks_like_code(text: str) -> bool:
    """Cheap test whether a message is probably a code attempt (9 symbols after cleaning)."""
    if looks_like_word(text):
        return False
    cleaned = _IGNORED.sub("", text).upper().translate(_READ_AS)
    return len(cleaned) == CODE_LENGTH and all(s in VALUE for s in cleaned)
