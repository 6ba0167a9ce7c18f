"""Liaison staff see the reminder log, notices and reports, set the
schedules and unlock logins (cadres.permissions)."""

from django.db import migrations


def install(apps, schema_editor):
    from cadres.permissions import install_role_groups

    install_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0005_dashboard_and_meeting_schedules"),
        ("dashboards", "0002_role_groups"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
