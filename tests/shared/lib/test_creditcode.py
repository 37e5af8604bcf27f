"""Unified social credit codes (GB 32100-2015): shape, alphabet and check character, with Chinese messages."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from govservice.lib.creditcode import ALPHABET, VALUES, WEIGHTS, InvalidCreditCode, check_char, is_valid, parse

CHINESE = re.compile(r"[\u4e00-\u9fff]")
# The standard's and the examples.
VALID = ("91350100M000100Y43", "91110000600037341L", "91110108551385082Q")


def refusal(raw: str) -> str:
    with pytest.raises(InvalidCreditCode) as info:
        parse(raw)
    message = str(info.value)
    assert CHINESE.search(message), message
    return message


@pytest.mark.parametrize("code", VALID)
def test_it_accepts_the_standard_examples(code):
    parsed = parse(code)
    assert parsed.value == code and is_valid(code)
    assert check_char(code[:17]) == code[17]


def test_it_reads_the_parts_of_a_code():
    parsed = parse("91350100M000100Y43")
    assert (parsed.authority, parsed.region, parsed.organisation_code) == ("9", "350100", "M000100Y4")


def test_its_weights_are_three_to_the_power_of_the_position_minus_one_mod_31():
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)


def test_it_writes_a_check_value_of_31_as_zero():
    # The first 17 of a code whose sum is a multiple of 31: C18 = 31 - 0 = 31, written "0".
    body = "9111000060003734"
    last = next(
        char for char in ALPHABET if (sum(VALUES[c] * w for c, w in zip(body + char, WEIGHTS, strict=True))) % 31 == 0
    )
    assert check_char(body + last) == "0"
    assert is_valid(body + last + "0")


def test_it_accepts_lower_case_and_spaces_as_people_copy_them():
    assert parse(" 9111 0108 5513 8508 2q ").value == "91110108551385082Q"


@pytest.mark.parametrize(
    "wrong", ["91350100M000100Y44", "91110000600037341K", "91110108551385082R", "91110108551385083Q"]
)
def test_it_refuses_a_wrong_check_character(wrong):
    assert "校验位" in refusal(wrong)
    assert not is_valid(wrong)


@pytest.mark.parametrize("wrong", ["", "9111010855138508", "91110108551385082QQ"])
def test_it_refuses_a_code_of_the_wrong_length(wrong):
    assert "18位" in refusal(wrong)


@pytest.mark.parametrize(
    "wrong",
    [
        "91110108551385O82Q",  # the letter O is not in the alphabet
        "9111010855138508IQ",  # nor I
        "91A10108551385082Q",  # the region is six digits
        "91110108551385082！",
        "９1110108551385082Q",  # a full-width digit
    ],
)
def test_it_refuses_characters_outside_the_alphabet(wrong):
    assert "大写字母" in refusal(wrong)


def test_its_refusals_read_in_english_too():
    with translation.override("en"), pytest.raises(InvalidCreditCode) as info:
        parse("91350100M000100Y44")
    assert "check character" in str(info.value)
