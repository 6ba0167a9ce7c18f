"""Create the role groups with their permissions (see cadres.permissions)."""

from django.db import migrations


def create_role_groups(apps, schema_editor):
    from cadres.permissions import install_role_groups

    install_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cadres", "0001_initial"),
        ("enterprises", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
