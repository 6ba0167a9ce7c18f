"""Backups (README, "Backups"): a pg_dump of a live database restores into a
fresh database with pg_restore, and the app starts on it: no migration
missing, its pages answer, its data is all there."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import need
from tests.factories import EnterpriseFactory, PairingFactory

ROOT = Path(settings.BASE_DIR)
pytestmark = pytest.mark.django_db(transaction=True)

STARTS = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongxiang_liaison.settings")
django.setup()
from django.test import Client
from enterprises.models import Enterprise
from cadres.models import Pairing
response = Client().get("/healthz", HTTP_HOST="localhost")
print(response.status_code, Enterprise.objects.count(), Pairing.objects.count())
"""


def test_a_dump_restores_into_a_fresh_database_and_the_app_starts_on_it(tmp_path):
    need(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL=postgres://…")
    for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        need(any((Path(p) / tool).exists() for p in os.environ["PATH"].split(":")), f"needs {tool}")
    for _ in range(3):
        PairingFactory(enterprise=EnterpriseFactory())
    params = connection.settings_dict
    base = [
        "-h",
        params["HOST"] or "127.0.0.1",
        "-p",
        str(params["PORT"] or 5432),
        "-U",
        params["USER"] or "postgres",
    ]
    dump = tmp_path / "liaison.dump"
    subprocess.run(["pg_dump", *base, "--format=custom", f"--file={dump}", params["NAME"]], check=True)
    restored = f"liaison_restored_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", *base, restored], check=True)
    try:
        subprocess.run(["pg_restore", *base, "--no-owner", f"--dbname={restored}", str(dump)], check=True)
        user = params["USER"] or "postgres"
        host = params["HOST"] or "127.0.0.1"
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{user}@{host}:{params['PORT'] or 5432}/{restored}",
            "SECRET_KEY": "restore-test-only",
            "ALLOWED_HOSTS": "localhost",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        check = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--check"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert check.returncode == 0, check.stdout + check.stderr  # nothing left to migrate
        started = subprocess.run(
            [sys.executable, "-c", STARTS], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert started.returncode == 0, started.stderr
        status, enterprises, pairings = started.stdout.split()[-3:]
        assert (status, enterprises, pairings) == ("200", "3", "3")
    finally:
        subprocess.run(["dropdb", *base, "--if-exists", restored], check=False)
