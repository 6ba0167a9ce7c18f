"""Typed reads of the environment, for :mod:`tongxiang_liaison.settings`.

Each reader takes the variable's name and a default. An unset variable, or
one set to the empty string, gives the default (for the typed readers, a
value of blanks only too); a value that cannot be read
as the asked type stops the start with :class:`ImproperlyConfigured` naming
the variable and the value, rather than running with a guess.

Booleans read ``1``/``true``/``yes``/``on`` and ``0``/``false``/``no``/``off``
(any case, surrounding blanks ignored); lists are comma-separated, blanks
around items and empty items dropped.

Kept free of Django settings so the settings module can import it first.
"""

import datetime
import os

from django.core.exceptions import ImproperlyConfigured

TRUE = frozenset({"1", "true", "yes", "on"})
FALSE = frozenset({"0", "false", "no", "off"})


def _raw(name):
    """The variable's text, or None when it is unset, empty or only blanks."""
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value


def _bad(name, value, expected):
    return ImproperlyConfigured(
        f"环境变量 {name} 的值 {value!r} 无效：应为{expected[0]}。"
        f" / Environment variable {name}={value!r} is not valid: expected {expected[1]}."
    )


def env_str(name, default=None):
    """The text of ``name``, as it is; ``default`` when unset or empty."""
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_int(name, default):
    """A whole number (``-3``, ``0``, `` 25 ``); ``default`` when unset or empty."""
    value = _raw(name)
    if value is None:
        return default
    try:
        return int(value.strip(), 10)
    except ValueError:
        raise _bad(name, value, ("整数", "a whole number")) from None


def env_float(name, default):
    """A decimal number (``0.5``, ``2``); ``default`` when unset or empty."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise _bad(name, value, ("数字", "a number")) from None
    if number != number or number in (float("inf"), float("-inf")):  # nan, inf
        raise _bad(name, value, ("有限的数字", "a finite number"))
    return number


def env_bool(name, default):
    """``1/true/yes/on`` or ``0/false/no/off``; ``default`` when unset or empty."""
    value = _raw(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise _bad(name, value, ("1/true/yes/on 或 0/false/no/off", "one of 1/true/yes/on or 0/false/no/off"))


def env_list(name, default):
    """Comma-separated items, stripped, empty ones dropped; ``default`` (a
    list) when unset or empty."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name, default, choices):
    """One of ``choices`` (compared without case, returned as spelled in
    ``choices``); ``default`` when unset or empty."""
    value = _raw(name)
    if value is None:
        return default
    by_key = {choice.lower(): choice for choice in choices}
    try:
        return by_key[value.strip().lower()]
    except KeyError:
        listed = "/".join(choices)
        raise _bad(name, value, (f"{listed} 之一", f"one of {listed}")) from None


def env_month_day(name, default):
    """A day of the year as ``MM-DD`` (``04-15``), one that every year has
    (not ``02-29``); returned as written, zero-padded. ``default`` when unset
    or empty."""
    value = _raw(name)
    if value is None:
        return default
    try:
        month, day = (int(part, 10) for part in value.strip().split("-"))
        datetime.date(2023, month, day)  # a year without 29 February
    except ValueError:
        raise _bad(
            name, value, ("每年都有的月-日，如 04-15", "a month-day every year has, like 04-15")
        ) from None
    return f"{month:02d}-{day:02d}"


def env_int_list(name, default):
    """Comma-separated whole numbers (``60,300,900``), each 0 or more;
    ``default`` (a list) when unset or empty."""
    value = _raw(name)
    if value is None:
        return list(default)
    try:
        numbers = [int(item.strip(), 10) for item in value.split(",") if item.strip()]
    except ValueError:
        numbers = None
    if not numbers or any(number < 0 for number in numbers):
        raise _bad(
            name,
            value,
            ("逗号分隔的非负整数，如 60,300,900", "comma-separated whole numbers >= 0, like 60,300,900"),
        )
    return numbers
