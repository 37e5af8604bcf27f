"""Masking of personal data for display (DOMAIN.md §8)."""

from __future__ import annotations

import pytest

from govservice.lib.masking import mask_id_public, mask_id_staff, mask_name, mask_phone

ID = "11010519491231002X"


def test_it_masks_an_id_number_for_staff_screens():
    assert mask_id_staff(ID) == "110105********002X"


def test_it_masks_an_id_number_for_public_screens_sms_and_paper():
    assert mask_id_public(ID) == "1101**********002X"


def test_it_never_shows_the_birth_date():
    assert "19491231" not in mask_id_staff(ID)
    assert "19491231" not in mask_id_public(ID)


def test_it_keeps_the_length_of_the_number():
    assert len(mask_id_staff(ID)) == len(mask_id_public(ID)) == 18


def test_it_masks_everything_of_a_value_too_short_to_mask_partly():
    assert mask_id_staff("123456789") == "*********"
    assert mask_id_public("1234567") == "*******"
    assert mask_phone("123456") == "******"


def test_it_masks_a_phone_number():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone(" 13812341234 ") == "138****1234"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳修", "欧阳*"),
        ("司马相如", "司马**"),
        (" 李四 ", "李*"),
    ],
)
def test_it_keeps_only_the_family_name(name, masked):
    assert mask_name(name) == masked


def test_it_still_hides_something_of_a_one_character_name():
    assert mask_name("张") == "张*"


def test_it_treats_a_two_character_name_starting_like_a_compound_surname_as_surname_and_given_name():
    # "欧阳" alone is more likely 欧 + 阳 than a surname without a given name.
    assert mask_name("欧阳") == "欧*"


def test_it_masks_an_empty_name_to_nothing():
    assert mask_name("") == ""
    assert mask_name("   ") == ""
