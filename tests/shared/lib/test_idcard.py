"""Citizen ID numbers (GB 11643-1999): shape, birth date and check character, with Chinese messages."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from govservice.lib.idcard import InvalidIdNumber, check_char, is_valid, parse, parse_or_refuse

TODAY = dt.date(2026, 11, 24)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def with_check(first17: str) -> str:
    return first17 + check_char(first17)


def refusal(raw: str) -> str:
    with pytest.raises(InvalidIdNumber) as info:
        parse(raw, today=TODAY)
    message = str(info.value)
    assert CHINESE.search(message), message
    return message


def test_it_accepts_the_standard_examples():
    woman = parse("11010519491231002X", today=TODAY)
    man = parse("440524188001010014", today=TODAY)

    assert (woman.value, woman.area_code, woman.birth_date, woman.is_male) == (
        "11010519491231002X",
        "110105",
        dt.date(1949, 12, 31),
        False,
    )
    assert (man.value, man.area_code, man.birth_date, man.is_male) == (
        "440524188001010014",
        "440524",
        dt.date(1880, 1, 1),
        True,
    )


def test_it_computes_the_check_character_of_the_standard():
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"


def test_it_accepts_a_lower_case_x_and_stray_spaces():
    assert parse("11010519491231002x", today=TODAY).value == "11010519491231002X"
    assert parse(" 110105 19491231 002X ", today=TODAY).value == "11010519491231002X"
    assert is_valid("11010519491231002x")


def test_it_refuses_a_bad_check_character():
    assert "校验位" in refusal("110105194912310021")
    assert "校验位" in refusal("440524188001010015")
    assert not is_valid("110105194912310021")


def test_it_refuses_an_impossible_date():
    assert "出生日期不存在" in refusal(with_check("11010519900230001"))  # 30 February
    assert "出生日期不存在" in refusal(with_check("11010519901301001"))  # month 13
    assert "出生日期不存在" in refusal(with_check("11010520230229001"))  # 2023 is not a leap year


def test_it_accepts_29_february_of_a_leap_year():
    assert parse(with_check("11010520000229001"), today=TODAY).birth_date == dt.date(2000, 2, 29)


def test_it_refuses_a_birth_date_in_the_future():
    assert "不合理" in refusal(with_check("11010520261125001"))


def test_it_accepts_a_baby_born_today():
    assert parse(with_check("11010520261124001"), today=TODAY).birth_date == TODAY


def test_it_refuses_a_birth_year_before_1880():
    assert "不合理" in refusal(with_check("11010518791231001"))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "1101051949123100",  # 16 characters
        "11010519491231002",  # 17
        "11010519491231002XX",  # 19
        "11010519491231A02X",  # a letter inside
        "X10105194912310021",  # X anywhere but last
        "１1010519491231002X",  # a full-width digit that would otherwise pass every check
        "١١010519491231002X",  # Arabic-Indic digits, likewise
        "110105491231002",  # the old 15-digit format
    ],
)
def test_it_refuses_the_wrong_length_or_letters(raw):
    assert "18位" in refusal(raw)


def test_its_messages_read_in_the_readers_language():
    from django.utils import translation

    with translation.override("en"), pytest.raises(InvalidIdNumber) as english:
        parse("11010519491231002Y")
    with translation.override("zh-hans"), pytest.raises(InvalidIdNumber) as chinese:
        parse("11010519491231002Y")
    assert str(english.value) == "An ID number has 18 characters: 17 digits, then a digit or X."
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in str(english.value))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(chinese.value))


def test_parse_or_refuse_answers_a_malformed_number_as_the_domain_refusal_every_service_gives():
    from govservice.api import status_for
    from govservice.lib.errors import DomainError

    good = parse_or_refuse("11010519491231002x")
    assert good.value == "11010519491231002X"
    with pytest.raises(DomainError) as refused:
        parse_or_refuse("110105194912310021")
    assert refused.value.code == "invalid_id_number" and status_for(refused.value) == 422
    assert str(refused.value.message) == "身份证号码校验位不正确，请核对后重新输入。"
    with pytest.raises(DomainError):
        parse_or_refuse("11010520300101002X", today=dt.date(2026, 12, 7))
