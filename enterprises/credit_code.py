"""统一社会信用代码 (unified social credit code), GB 32100-2015.

Eighteen characters: registration authority (1), entity category (1),
administrative division (6 digits), organisation code (9, GB 11714), and a
check character computed over the first seventeen with weights 3^i mod 31 on
the 31-character alphabet that leaves out I, O, S, V and Z.

One validator, used by the model field (so by admin forms and every import)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tabular.cells import compact_code

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: index for index, char in enumerate(ALPHABET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]
SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
LENGTH = 18


def check_character(first17):
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(value):
    """Half-width, upper case, no spaces: the form a code is stored in."""
    return compact_code(value) or ""


def validate_credit_code(value):
    code = normalise_credit_code(value)
    if len(code) != LENGTH:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，当前为 %(length)d 位。"),
            code="length",
            params={"length": len(code)},
        )
    if not SHAPE.match(code):
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符（不使用 I、O、S、V、Z），第 3–8 位应为行政区划数字。"),
            code="characters",
        )
    if check_character(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位不正确，请核对是否抄错。"),
            code="check",
        )


def is_valid_credit_code(value):
    try:
        validate_credit_code(value)
    except ValidationError:
        return False
    return True
