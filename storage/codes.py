"""Cheque codes: 8 Crockford base32 symbols plus one check symbol, shown XXXX-XXXX-C.

The check symbol is a Damm-style check over the quasigroup x*y = 2x + y in GF(32)
(polynomial x^5 + x^2 + 1). Because that operation is a Latin square and weakly totally
anti-symmetric, every single wrong symbol and every swap of two neighbouring symbols
(the check symbol included) is detected, while staying inside the 32-symbol alphabet
(Crockford's own mod-37 check needs five extra symbols such as '*' and '~').

This module is the code's format and its generation, shared by storage (importing and
creating cheques) and, through the engine, by the conversation: reading codes out of what
residents write is conversations/codes.py.
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


def clean(text: str) -> str:
    """The symbols of a code as a person typed it: case, spaces, dashes, dots ignored;
    O read as 0, I and L as 1. Not checked: see normalise."""
    return _IGNORED.sub("", text).upper().translate(_READ_AS)


def normalise(text: str) -> str:
    """Read a code as a person typed it: case, spaces, dashes, dots; O as 0, I/L as 1.

    Returns the 9-symbol form or raises CodeError saying what is wrong.
    """
    cleaned = clean(text)
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
