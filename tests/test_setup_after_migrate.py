"""Role groups and default schedules come from one table each, installed by
``post_migrate`` (never by a migration calling today's code), and a second
``migrate`` changes nothing the office set (issue 14)."""

import ast
from pathlib import Path

from django.contrib.auth.models import Group
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from cadres.permissions import GROUP_NAMES, ROLE_PERMISSIONS
from jobs.schedules import SCHEDULES

from .project import PACKAGES

ROOT = Path(__file__).resolve().parent.parent


def granted(group):
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def expected(role):
    return {
        f"{label.split('.')[0]}.{action}_{label.split('.')[1]}"
        for label, actions in ROLE_PERMISSIONS[role].items()
        for action in actions
    }


def test_every_role_group_has_exactly_its_table_rights(db):
    for role, name in GROUP_NAMES.items():
        assert granted(Group.objects.get(name=name)) == expected(role), name


def test_migrate_again_restores_a_group_and_keeps_the_office_schedule(db):
    staff = Group.objects.get(name=GROUP_NAMES["liaison_staff"])
    staff.permissions.clear()
    daily = PeriodicTask.objects.get(name=SCHEDULES[0].name)
    daily.enabled = False
    daily.save()
    PeriodicTask.objects.filter(name=SCHEDULES[-1].name).delete()

    call_command("migrate", verbosity=0)

    assert granted(staff) == expected("liaison_staff")
    daily.refresh_from_db()
    assert daily.enabled is False  # the office's switch is kept
    assert set(PeriodicTask.objects.values_list("name", flat=True)) >= {s.name for s in SCHEDULES}
    assert PeriodicTask.objects.filter(name=SCHEDULES[-1].name).count() == 1


def test_no_migration_calls_the_project_code():
    """A migration replays the past: the code a step runs is in the migration
    itself. Module-level imports name the validators a field carries (as
    Django writes them); no function of a migration imports our code."""
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package / "migrations").glob("*.py"):
            for function in ast.walk(ast.parse(path.read_text())):
                if not isinstance(function, ast.FunctionDef):
                    continue
                for node in ast.walk(function):
                    names = []
                    if isinstance(node, ast.ImportFrom) and node.module:
                        names = [node.module]
                    elif isinstance(node, ast.Import):
                        names = [alias.name for alias in node.names]
                    offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in PACKAGES]
    assert offenders == []


def test_one_initial_migration_per_app():
    """No deployment has happened yet: each app's schema is one migration."""
    for package in PACKAGES:
        folder = ROOT / package / "migrations"
        if folder.is_dir():
            assert sorted(p.name for p in folder.glob("0*.py")) == ["0001_initial.py"], package


def test_the_models_and_the_migrations_agree(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
