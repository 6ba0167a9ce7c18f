"""Mainland mobile numbers: a cadre's natural key in imports, an enterprise contact's sign-in."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tabular.cells import compact_code

MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_mobile(value):
    """Half-width digits, no spaces or dashes, no +86 prefix."""
    text = (compact_code(value) or "").replace("-", "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    return text


def is_mobile(value):
    """Whether ``value``, once normalised, is a mainland mobile number (a
    landline such as 0573-88123456, or two numbers in one cell, is not)."""
    return bool(MOBILE.match(normalise_mobile(value)))


def validate_mobile(value):
    if not is_mobile(value):
        raise ValidationError(
            _("手机号应为 11 位数字，以 13–19 开头：%(value)s"),
            code="mobile",
            params={"value": value},
        )
