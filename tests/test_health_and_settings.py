"""/healthz reports each dependency; settings refuse to run in production
without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import need

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get(reverse("healthz"))
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert "broker" in body["checks"]
    assert response.status_code == 200


@pytest.mark.django_db
def test_healthz_answers_503_when_media_storage_cannot_be_written(client, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("x")
    settings.MEDIA_ROOT = blocked / "media"  # a path below a file: no write can succeed
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["media"]["ok"] is False
    assert response.json()["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_with_a_real_redis_broker(client):
    need(bool(settings.CELERY_BROKER_URL), "needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0")
    body = client.get(reverse("healthz")).json()
    assert body["checks"]["broker"] == {"ok": True}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def _start_django(env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "tongxiang_liaison.settings", **env},
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _start_django({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_demo_starts_without_secret_key_when_debug_is_on():
    assert _start_django({"DEBUG": "1"}).stdout.strip() == "started"


def test_chinese_first_settings():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]
