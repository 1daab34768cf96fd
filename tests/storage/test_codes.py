import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.codes import ALPHABET, CodeError, CodeProblem, check_symbol, clean, display, \
    is_valid, new_code, normalise

data_symbols = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


def with_check(data: str) -> str:
    return data + check_symbol(data)


@given(data_symbols)
def test_a_code_with_its_check_symbol_is_valid(data):
    assert is_valid(with_check(data))
    assert normalise(display(with_check(data))) == with_check(data)


@given(data_symbols)
def test_every_single_wrong_symbol_is_detected(data):
    code = with_check(data)
    for position in range(len(code)):          # the check symbol included
        for symbol in ALPHABET:
            if symbol != code[position]:
                typo = code[:position] + symbol + code[position + 1:]
                assert not is_valid(typo), (code, typo)


@given(data_symbols)
def test_every_swap_of_neighbours_is_detected(data):
    code = with_check(data)
    for position in range(len(code) - 1):      # the last swap moves the check symbol
        a, b = code[position], code[position + 1]
        if a != b:
            swapped = code[:position] + b + a + code[position + 2:]
            assert not is_valid(swapped), (code, swapped)
            with pytest.raises(CodeError) as caught:
                normalise(swapped)
            assert caught.value.problem == CodeProblem.CHECK_FAILED


def test_new_codes_are_valid_and_different():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(is_valid(code) and len(code) == 9 for code in codes)


@pytest.mark.parametrize("typed", [
    "10A0-B1C0-Z", "10A0B1C0Z", "10a0-b1c0-z", "10a0 b1c0 z", " 10A0 - B1C0 - Z ",
    "10A0.B1C0.Z", "1OAO-B1CO-Z", "10a0-bic0-z", "L0A0-BLC0-Z", "10a0_b1c0/z", "10A0\tB1C0\nZ",
])
def test_normalise_reads_what_people_type(typed):
    assert normalise(typed) == "10A0B1C0Z"


separators = st.sampled_from(["", "", "", " ", "-", ".", "  "])


@given(data_symbols, st.data())
def test_normalise_forgives_case_separators_and_look_alikes(data, draw):
    code = with_check(data)
    typed = ""
    for symbol in code:
        if symbol == "0":
            symbol = draw.draw(st.sampled_from("0Oo"))
        elif symbol == "1":
            symbol = draw.draw(st.sampled_from("1IiLl"))
        elif draw.draw(st.booleans()):
            symbol = symbol.lower()
        typed += symbol + draw.draw(separators)
    assert normalise(typed) == code
    assert clean(typed) == code


@pytest.mark.parametrize(("typed", "problem"), [
    ("", CodeProblem.WRONG_LENGTH),
    ("10A0-B1C0", CodeProblem.WRONG_LENGTH),             # check symbol left off
    ("10A0-B1C0-ZZ", CodeProblem.WRONG_LENGTH),
    ("10A0-B1C0-Z-1", CodeProblem.WRONG_LENGTH),
    ("10A0-B1U0-Z", CodeProblem.BAD_SYMBOL),             # U is not in Crockford's alphabet
    ("10A0-B1C0-*", CodeProblem.BAD_SYMBOL),
    ("10A0-B1Ç0-Z", CodeProblem.BAD_SYMBOL),
    ("10A0-B1C0-Y", CodeProblem.CHECK_FAILED),           # wrong check symbol
    ("10A0-B1C8-Z", CodeProblem.CHECK_FAILED),           # one data symbol wrong
    ("01A0-B1C0-Z", CodeProblem.CHECK_FAILED),           # neighbours swapped
])
def test_normalise_rejects_with_the_right_problem(typed, problem):
    with pytest.raises(CodeError) as caught:
        normalise(typed)
    assert caught.value.problem == problem
