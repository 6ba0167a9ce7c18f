"""``/healthz``: is this process able to serve? Answers JSON for a load balancer
or a monitoring script, 200 when every configured dependency answers, 503 if not."""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def database_state():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; report it
        logger.warning("healthz: database check failed: %s", exc)
        return {"ok": False, "detail": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def broker_state():
    if not settings.CELERY_BROKER_URL:
        return {"ok": True, "detail": "not configured: tasks run eagerly"}
    from tongxiang_liaison.celery import app

    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    except Exception as exc:
        logger.warning("healthz: broker check failed: %s", exc)
        return {"ok": False, "detail": exc.__class__.__name__}
    return {"ok": True}


def media_state():
    """Imports wait between preview and confirm, and reports are published,
    in MEDIA_ROOT (shared storage when there are several hosts): it must
    take a write."""
    probe = Path(settings.MEDIA_ROOT) / f".healthz-{uuid.uuid4().hex}"
    try:
        probe.parent.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        logger.warning("healthz: media storage check failed: %s", exc)
        return {"ok": False, "detail": exc.__class__.__name__}
    return {"ok": True}


@never_cache
def healthz(request):
    checks = {"database": database_state(), "broker": broker_state(), "media": media_state()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks},
        status=200 if healthy else 503,
    )
