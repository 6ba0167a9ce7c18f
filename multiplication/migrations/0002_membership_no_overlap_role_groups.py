"""Two things the registry's tables need beyond their columns:

- no two periods of one enterprise in one category share a day (R17),
  enforced by PostgreSQL with an exclusion constraint over the inclusive
  date range; SQLite (the laptop demo) has none, and there the rule is held
  by multiplication.services.overlap_problem, which every write path calls;
- the role groups get their rights on these tables (cadres.permissions)."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE multiplication_membership ADD CONSTRAINT membership_no_overlap EXCLUDE USING gist (
    enterprise_id WITH =,
    category WITH =,
    daterange(started_on, ended_on, '[]') WITH &&
);
"""
DROP = "ALTER TABLE multiplication_membership DROP CONSTRAINT IF EXISTS membership_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def install(apps, schema_editor):
    from cadres.permissions import install_role_groups

    install_role_groups(apps)


class Migration(migrations.Migration):
    dependencies = [("multiplication", "0001_initial"), ("issues", "0004_spot_checks_progress")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
