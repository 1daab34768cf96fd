"""Reading cheque codes out of residents' messages (conversations/codes.py), with the
code's format as the engine serves it (storage/codes.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conversations.codes import (
    BAD_SYMBOL,
    CHECK_FAILED,
    WRONG_LENGTH,
    find_code,
    find_code_attempt,
    looks_like_code,
    looks_like_word,
    read_code,
)
from storage import codes as format_
from storage.codes import ALPHABET, CodeError, check_symbol, display, new_code, normalise
from tests.auxil.world import World


def test_find_code_inside_a_sentence():
    code = new_code()
    spaced = display(code).lower().replace("-", " ")
    assert find_code(f"mijn code is {spaced} dank u", format_) == code
    assert find_code(f"Bonjour, voici le code: {display(code)}.", format_) == code
    assert find_code("ik heb geen code maar wel een vraag over mijn gsm", format_) is None
    typo = code[:4] + ("0" if code[4] != "0" else "1") + code[5:]
    assert find_code(f"code {typo}", format_) is None     # a wrong check symbol is no find
    assert find_code_attempt(f"mijn code is {display(typo)}", format_) == typo


def test_words_of_the_code_alphabet_are_no_codes():
    assert looks_like_word("verzetten") and looks_like_word("afzeggen")
    assert not looks_like_code("verzetten", format_)
    assert find_code_attempt("ik wil verzetten", format_) is None
    assert find_code("mag mijn zoon erbij zijn", format_) is None   # passes the check by chance


@pytest.mark.parametrize("text", ["ik ben ziek", "ik kom niet", "tot morgen", "ja ok goed"])
def test_short_sentences_of_nine_code_letters_are_no_codes(text):
    """Their letters clean to nine symbols of the alphabet, but not grouped as printed."""
    assert not looks_like_code(text, format_)


@pytest.mark.parametrize("text", ["abcd efgh k", "ABCDEFGH K", "ABCD-EFGH-K", "abcdefghk",
                                  "ab3d efg hk"])   # grouped as printed, or with a digit
def test_codes_typed_as_printed_or_with_a_digit_still_look_like_codes(text):
    assert looks_like_code(text, format_)


def test_after_booking_a_short_sentence_is_never_a_wrong_code(sessions):
    world = World(sessions)
    world.coach()
    ann = world.resident()
    ann.up_to_topic(world.cheque())
    for text in ("3", "1", "1"):
        ann.say(text)
    reply = ann.say("ik ben ziek")
    assert "code" not in reply and ann.state == "menu"
    assert len(world.bookings()) == 1


@pytest.mark.parametrize(("typed", "problem"), [
    ("", WRONG_LENGTH),
    ("10A0-B1C0", WRONG_LENGTH),
    ("10A0-B1U0-Z", BAD_SYMBOL),
    ("10A0-B1C0-Y", CHECK_FAILED),
    ("01A0-B1C0-Z", CHECK_FAILED),
])
def test_read_code_says_what_is_wrong_as_the_format_does(typed, problem):
    assert read_code(typed, format_) == (None, problem)
    with pytest.raises(CodeError) as caught:
        normalise(typed)
    assert caught.value.problem == problem   # the same names on both sides


@given(st.text(alphabet=ALPHABET, min_size=8, max_size=8))
def test_read_code_agrees_with_the_format(data):
    code = data + check_symbol(data)
    assert read_code(display(code).lower(), format_) == (code, None)
    assert looks_like_code(display(code), format_)
