"""The typed readers of the environment (tongxiang_liaison.envvars): the
default when a variable is unset or empty, the value when it reads as its
type, and a start refused with the variable and value named otherwise."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tongxiang_liaison import envvars

ROOT = Path(__file__).resolve().parent.parent
NAME = "TONGXIANG_TEST_VARIABLE"


@pytest.fixture
def setenv(monkeypatch):
    def set_(value):
        monkeypatch.setenv(NAME, value)

    monkeypatch.delenv(NAME, raising=False)
    return set_


@pytest.mark.parametrize("reader, default", [(envvars.env_str, "d"), (envvars.env_int, 7),
                                             (envvars.env_float, 0.5), (envvars.env_bool, True),
                                             (envvars.env_list, ["a", "b"])])  # fmt: skip
@pytest.mark.parametrize("value", [None, ""])
def test_unset_or_empty_gives_the_default(setenv, reader, default, value):
    if value is not None:
        setenv(value)
    assert reader(NAME, default) == default


@pytest.mark.parametrize("reader, default", [(envvars.env_int, 7), (envvars.env_float, 0.5),
                                             (envvars.env_bool, False),
                                             (envvars.env_list, ["x"])])  # fmt: skip
def test_blanks_only_give_the_default_of_a_typed_variable(setenv, reader, default):
    setenv("   ")
    assert reader(NAME, default) == default


def test_a_string_is_kept_as_it_is(setenv):
    setenv(" 市联络办 <a@b> ")
    assert envvars.env_str(NAME, "d") == " 市联络办 <a@b> "
    assert envvars.env_str("TONGXIANG_SURELY_UNSET") is None


@pytest.mark.parametrize("value, expected", [("25", 25), (" 8 ", 8), ("0", 0), ("-3", -3), ("007", 7)])
def test_whole_numbers(setenv, value, expected):
    setenv(value)
    assert envvars.env_int(NAME, 1) == expected


@pytest.mark.parametrize("value", ["abc", "2.5", "1e3", "25s", "0x10", "一"])
def test_a_bad_whole_number_names_the_variable_and_the_value(setenv, value):
    setenv(value)
    with pytest.raises(ImproperlyConfigured) as raised:
        envvars.env_int(NAME, 1)
    assert NAME in str(raised.value) and repr(value) in str(raised.value)
    assert "整数" in str(raised.value) and "whole number" in str(raised.value)


@pytest.mark.parametrize("value, expected", [("0.5", 0.5), ("2", 2.0), (" -1.25 ", -1.25)])
def test_decimal_numbers(setenv, value, expected):
    setenv(value)
    assert envvars.env_float(NAME, 0.0) == expected


@pytest.mark.parametrize("value", ["half", "nan", "inf", "1,5"])
def test_a_bad_decimal_number_is_refused(setenv, value):
    setenv(value)
    with pytest.raises(ImproperlyConfigured, match=NAME):
        envvars.env_float(NAME, 0.0)


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " On "])
def test_true_words(setenv, value):
    setenv(value)
    assert envvars.env_bool(NAME, False) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "No", "off", " off "])
def test_false_words(setenv, value):
    setenv(value)
    assert envvars.env_bool(NAME, True) is False


@pytest.mark.parametrize("value", ["2", "maybe", "y", "n", "enabled", "真"])
def test_a_bad_boolean_is_refused_rather_than_read_as_false(setenv, value):
    setenv(value)
    with pytest.raises(ImproperlyConfigured) as raised:
        envvars.env_bool(NAME, False)
    assert NAME in str(raised.value) and repr(value) in str(raised.value)
    assert "0/false/no/off" in str(raised.value)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("a", ["a"]),
        ("a,b", ["a", "b"]),
        (" a , b ,, ", ["a", "b"]),
        (",", []),
        ("example.gov.cn,127.0.0.1", ["example.gov.cn", "127.0.0.1"]),
    ],
)
def test_lists(setenv, value, expected):
    setenv(value)
    assert envvars.env_list(NAME, ["default"]) == expected


@pytest.mark.parametrize(
    "value, expected", [(None, [60, 300]), ("", [60, 300]), ("0", [0]), (" 5, 10 ,", [5, 10])]
)
def test_lists_of_whole_numbers(setenv, value, expected):
    if value is not None:
        setenv(value)
    assert envvars.env_int_list(NAME, [60, 300]) == expected


@pytest.mark.parametrize("value", ["a,b", "60,-1", ",", "1.5"])
def test_a_list_of_whole_numbers_refuses_anything_else(setenv, value):
    setenv(value)
    with pytest.raises(ImproperlyConfigured, match=f"{NAME}={value!r}"):
        envvars.env_int_list(NAME, [1])


def test_a_list_default_is_not_shared(setenv):
    default = ["a"]
    got = envvars.env_list(NAME, default)
    got.append("b")
    assert default == ["a"]


def test_a_choice_is_read_without_case_and_refused_outside_its_list(setenv):
    levels = ("DEBUG", "INFO", "WARNING")
    assert envvars.env_choice(NAME, "INFO", levels) == "INFO"
    setenv(" warning ")
    assert envvars.env_choice(NAME, "INFO", levels) == "WARNING"
    setenv("LOUD")
    with pytest.raises(ImproperlyConfigured, match="DEBUG/INFO/WARNING"):
        envvars.env_choice(NAME, "INFO", levels)


@pytest.mark.parametrize("value, expected", [("04-15", "04-15"), ("4-5", "04-05"), (" 12-31 ", "12-31")])
def test_a_month_day(setenv, value, expected):
    setenv(value)
    assert envvars.env_month_day(NAME, "01-01") == expected


@pytest.mark.parametrize("value", ["4/15", "04-31", "02-29", "13-01", "04", "04-15-2026", "april"])
def test_a_bad_month_day_is_refused(setenv, value):
    setenv(value)
    with pytest.raises(ImproperlyConfigured, match="04-15"):
        envvars.env_month_day(NAME, "04-15")


def _start_django(env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                               "print(settings.EMAIL_PORT, settings.EMAIL_USE_TLS, settings.ALLOWED_HOSTS)"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "tongxiang_liaison.settings", "DEBUG": "1", **env},
        capture_output=True,
        text=True,
    )  # fmt: skip


def test_the_settings_read_the_typed_values():
    result = _start_django({"EMAIL_PORT": "587", "EMAIL_USE_TLS": "yes", "ALLOWED_HOSTS": "a.cn, b.cn"})
    assert result.stdout.strip() == "587 True ['a.cn', 'b.cn']", result.stderr


def test_the_settings_keep_their_defaults():
    clean = {"EMAIL_PORT": "", "EMAIL_USE_TLS": "", "ALLOWED_HOSTS": ""}
    assert _start_django(clean).stdout.strip() == "25 False ['localhost', '127.0.0.1']"


BAD = [
    ("EMAIL_PORT", "twenty-five"),
    ("AXES_FAILURE_LIMIT", "5x"),
    ("EMAIL_USE_TLS", "maybe"),
    ("CAMPAIGN_FIRST_VISIT_DEADLINE", "4/15"),
    ("LOG_LEVEL", "LOUD"),
    ("CHANNEL_RETRY_SECONDS", "soon"),
]


@pytest.mark.parametrize("variable, value", BAD)
def test_a_bad_value_stops_the_start_naming_the_variable(variable, value):
    result = _start_django({variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and f"{variable}={value!r}" in result.stderr


def test_the_settings_read_every_variable_through_the_typed_readers():
    tree = ast.parse((ROOT / "tongxiang_liaison" / "settings.py").read_text(encoding="utf-8"))
    readers = {
        "env_str",
        "env_int",
        "env_bool",
        "env_list",
        "env_float",
        "env_choice",
        "env_month_day",
        "env_int_list",
    }
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    assert {c.func.id for c in calls} & readers
    # no hand parsing: no int()/float() or os.environ in the settings module
    assert [c.func.id for c in calls if c.func.id in {"int", "float", "bool"}] == []
    assert "os.environ" not in (ROOT / "tongxiang_liaison" / "settings.py").read_text(encoding="utf-8")
