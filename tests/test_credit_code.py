"""统一社会信用代码 validation (GB 32100-2015): one validator for forms, admin and imports."""

import pytest
from django.core.exceptions import ValidationError

from enterprises.credit_code import (
    check_character,
    is_valid_credit_code,
    normalise_credit_code,
    validate_credit_code,
)

# Codes published on the companies' own licences and in the national
# enterprise credit information system.
REAL_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_published_codes_are_valid(code):
    validate_credit_code(code)


@pytest.mark.parametrize("code", REAL_CODES)
def test_every_single_character_change_is_caught(code):
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for position in range(18):
        for replacement in alphabet:
            if replacement == code[position]:
                continue
            altered = code[:position] + replacement + code[position + 1 :]
            if position in range(2, 8) and not replacement.isdigit():
                continue  # not even the right shape; covered below
            assert not is_valid_credit_code(altered), altered


@pytest.mark.parametrize("code", REAL_CODES)
def test_adjacent_transpositions_are_caught(code):
    for i in range(17):
        if code[i] == code[i + 1]:
            continue
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        assert not is_valid_credit_code(swapped), swapped


@pytest.mark.parametrize(
    "value, code",
    [
        ("91440300708461136t", "91440300708461136T"),  # lower case
        (" 9144 0300 7084 6113 6T ", "91440300708461136T"),  # spaces
        ("９１４４０３００１９２２０３８２１６", "914403001922038216"),  # full-width digits
        ("\u3000914403001922038216\u3000", "914403001922038216"),  # ideographic spaces
    ],
)
def test_what_people_type_is_normalised_then_accepted(value, code):
    assert normalise_credit_code(value) == code
    validate_credit_code(value)


@pytest.mark.parametrize(
    "value, code",
    [
        ("91440300708461136", "length"),  # 17 characters
        ("9144030070846113600", "length"),  # 19 characters
        ("91440300708461136I", "characters"),  # I is not in the alphabet
        ("9144O300708461136T", "characters"),  # letter O in the division code
        ("91440300708461136A", "check"),
    ],
)
def test_bad_codes_give_the_reason(value, code):
    with pytest.raises(ValidationError) as raised:
        validate_credit_code(value)
    assert raised.value.code == code


def test_check_character_is_in_alphabet_for_zero_remainder():
    # A sum divisible by 31 maps to '0', not to the 32nd character.
    assert check_character("00000000000000000") == "0"
