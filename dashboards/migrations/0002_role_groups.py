"""Give the role groups their rights on this app's tables (cadres.permissions)."""

from django.db import migrations


def install(apps, schema_editor):
    from cadres.permissions import install_role_groups

    install_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("multiplication", "0002_membership_no_overlap_role_groups"),
    ]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
