import os

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from .factories import UnitFactory, information_officer, user_with_role

IN_CI = os.environ.get("CI", "").lower() == "true"
# pytest-xdist runs test files in several processes at once ("gw0", "gw1", …).
TEST_PROCESS = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _own_queue():
    """Each test process sends its tasks to a Redis queue of its own, so that a
    Celery worker started by one process never runs a task another sent (against
    that other's test database), nor a developer's worker a test's task."""
    from tongxiang_liaison.celery import app

    app.conf.task_default_queue = f"tests-{TEST_PROCESS}"


_own_queue()


def need(condition, reason):
    """Skip with a printed reason on a bare laptop; fail under CI=true, where
    every service is supposed to be there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


def at_once(function, times=2):
    """Run ``function`` in ``times`` threads released together (two workers,
    two beats at the same instant); the errors they raised, if any. Each
    thread closes its own database connection."""
    import threading

    from django.db import connection as thread_connection

    barrier, errors = threading.Barrier(times), []

    def run():
        try:
            barrier.wait(timeout=10)
            function()
        except Exception as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def pytest_configure(config):
    """A fast password hasher under test: PBKDF2 spends about a second per
    test login on a loaded 2-core machine; what is tested is who may log in,
    not the hash. The site keeps Django's default hashers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the site's language; a request that switched to
    English leaves it active in the thread (LocaleMiddleware does not reset)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Production serves hashed names from collectstatic's manifest; tests
    render templates without running collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):
    """Texts are kept in jobs.sms.outbox, as emails in mail.outbox."""
    from jobs import sms

    settings.SMS_BACKEND = "memory"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded import files wait in MEDIA_ROOT between preview and confirm."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def postgres(db):
    need(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL=postgres://…")
    return connection


@pytest.fixture
def unit_a(db):
    return UnitFactory(name="市经信局")


@pytest.fixture
def unit_b(db):
    return UnitFactory(name="市商务局")


@pytest.fixture
def officer_a(unit_a):
    return information_officer(unit_a, name="信息员甲", username="officer_a")


@pytest.fixture
def staff_user(db):
    return user_with_role("liaison_staff", username="staff")


@pytest.fixture
def places(db):
    """The places the office's files name (tests/office_files.py)."""
    from enterprises.models import Place

    from .office_files import PLACES

    return {name: Place.objects.create(name=name, kind=kind) for name, kind in PLACES}


@pytest.fixture
def office(client, staff_user):
    """The liaison office's staff, logged in to the admin."""
    staff_user.is_staff = True
    staff_user.save()
    client.force_login(staff_user)
    return client


@pytest.fixture
def role_groups(transactional_db):
    """Transactional tests (live server, workers) flush the database between
    tests; the flush sends ``post_migrate``, which installs the role groups
    again. Installing them here once more costs little and states the need."""
    from cadres.permissions import install_role_groups

    install_role_groups()


@pytest.fixture
def eager_tasks(monkeypatch):
    """Tasks run at once, in this process, as in the laptop demo, whatever
    broker CI configured; a task sent "on commit" runs at once, as it does
    after a real request (the test's own transaction never commits)."""
    from jobs import queue
    from tongxiang_liaison.celery import app

    monkeypatch.setattr(queue.transaction, "on_commit", lambda send, using=None: send())
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before
