"""Security: login lockout shared through the database, production settings
that pass Django's deploy check, CSRF on every form, and property-based
tests of the rules that parse what people type (credit codes, quarters,
working-day deadlines)."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cadres.demo import demo_credit_code
from enterprises.credit_code import ALPHABET, check_character, is_valid_credit_code, normalise_credit_code
from issues.workdays import WorkCalendar, add_working_days, working_days_between
from tabular.cells import to_halfwidth
from tests.factories import user_with_role
from visits.quarters import Quarter, quarters_through

ROOT = Path(settings.BASE_DIR)


@pytest.mark.django_db
def test_repeated_failed_logins_lock_that_username_from_that_address(client):
    user_with_role("cadre", username="ganbu")
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post("/login/", {"username": "ganbu", "password": "wrong"}, REMOTE_ADDR="10.1.1.1")
        if attempt < settings.AXES_FAILURE_LIMIT:
            assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    assert response.status_code == 429  # the fifth failure locks
    locked = client.post(
        "/login/", {"username": "ganbu", "password": "pw-for-tests-only"}, REMOTE_ADDR="10.1.1.1"
    )
    assert locked.status_code == 429
    assert "登录失败次数过多，该账号已锁定 30 分钟" in locked.content.decode()
    assert AccessAttempt.objects.filter(username="ganbu").exists()  # in the database: shared by every process
    elsewhere = client.post(
        "/login/", {"username": "ganbu", "password": "pw-for-tests-only"}, REMOTE_ADDR="10.1.1.2"
    )
    assert elsewhere.status_code == 302  # the colleague at another desk is not locked out


def test_the_client_address_behind_the_proxy_cannot_be_forged(rf, settings):
    from tongxiang_liaison.views import client_ip

    settings.PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.7", REMOTE_ADDR="127.0.0.1")
    assert client_ip(request) == "10.0.0.7"  # what the proxy saw, not what the client wrote
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"


def production_env():
    # The test run's own variables stay out (the browser tests allow async-unsafe ORM calls).
    env = {
        k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    for line in (ROOT / "deploy" / "production.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name] = value
    env["DATABASE_URL"] = "sqlite:///:memory:"  # the check reads settings, not data
    return env


def test_the_documented_production_environment_passes_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os;"
            "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tongxiang_liaison.settings');"
            "django.setup(); from django.conf import settings as s;"
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
            " s.SESSION_COOKIE_AGE)",
        ],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
    )
    assert probe.stdout.split() == ["True", "True", "31536000", "28800"], probe.stderr


def test_every_post_form_carries_a_csrf_token():
    missing = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for form in re.findall(r"<form[^>]*>.*?</form>", text, flags=re.S | re.I):
            if re.search(r'method="post"', form, re.I) and "{% csrf_token %}" not in form:
                missing.append(str(template.relative_to(ROOT)))
    assert missing == []


# -- property-based tests ----------------------------------------------------------

CODE_CHARS = st.sampled_from(ALPHABET)


@st.composite
def credit_codes(draw):
    first = draw(st.sampled_from("9Y15"))
    category = draw(st.sampled_from("1239"))
    division = "".join(draw(st.lists(st.sampled_from("0123456789"), min_size=6, max_size=6)))
    organisation = "".join(draw(st.lists(CODE_CHARS, min_size=9, max_size=9)))
    first17 = first + category + division + organisation
    return first17 + check_character(first17)


@given(credit_codes())
def test_every_well_formed_code_validates_and_survives_spaces_and_full_width(code):
    assert is_valid_credit_code(code)
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in code)
    assert normalise_credit_code(f"  {full_width[:9]} {full_width[9:]} ") == code
    assert is_valid_credit_code(code.lower())


@given(credit_codes(), st.integers(min_value=0, max_value=17), CODE_CHARS)
def test_changing_any_one_character_is_caught(code, position, replacement):
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    assert not is_valid_credit_code(changed)


@given(credit_codes(), st.sampled_from(["", "0", "00"]))
def test_a_code_of_the_wrong_length_is_refused(code, extra):
    assert not is_valid_credit_code(code[:-1])
    if extra:
        assert not is_valid_credit_code(code + extra)  # 19 or 20 characters


def test_demo_codes_are_valid():
    assert all(is_valid_credit_code(demo_credit_code(n)) for n in range(10_000_000, 10_000_500))


@given(st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2099, 12, 31)))
def test_a_day_lies_in_its_quarter_between_its_first_and_last_day(day):
    quarter = Quarter.of(day)
    assert quarter.first_day <= day <= quarter.last_day and quarter.contains(day)
    assert Quarter.parse(quarter.label) == quarter
    assert quarter.next().previous() == quarter
    assert quarter.next().first_day == quarter.last_day + datetime.timedelta(days=1)
    assert quarters_through(quarter, quarter) == 1 and quarters_through(quarter.next(), quarter) == 0
    assert 1 <= quarter.days_left(day) <= 92


@given(st.text(max_size=12))
def test_parsing_a_quarter_accepts_only_year_q_number(text):
    try:
        quarter = Quarter.parse(text)
    except ValueError:
        return
    assert re.fullmatch(r"\s*\d{4}\s*[Qq]\s*[1-4]\s*", text) and quarter.label in to_halfwidth(text).upper()


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dates(min_value=datetime.date(2015, 1, 1), max_value=datetime.date(2030, 12, 1)),
    st.integers(min_value=1, max_value=40),
)
def test_a_deadline_is_a_working_day_exactly_n_working_days_on(start, days):
    due = add_working_days(start, days)
    assert due > start
    assert WorkCalendar(due, due).is_workday(due)
    assert working_days_between(start, due) == days
    assert add_working_days(start, days + 1) > due
