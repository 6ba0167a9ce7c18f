"""No two overlapping pairings of one cadre and one enterprise (R5), enforced
by PostgreSQL itself: an exclusion constraint over the date range each pairing
is in force, from its start to its early end or term end, both inclusive.

SQLite (the laptop demo) has no exclusion constraints; there the rule is held
by cadres.services.pairing_conflicts, which every write path calls."""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE cadres_pairing ADD CONSTRAINT pairing_no_overlap EXCLUDE USING gist (
    cadre_id WITH =,
    enterprise_id WITH =,
    daterange(start_date, COALESCE(ended_on, end_date), '[]') WITH &&
);
"""
DROP = "ALTER TABLE cadres_pairing DROP CONSTRAINT IF EXISTS pairing_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("cadres", "0002_role_groups")]

    operations = [migrations.RunPython(forwards, backwards)]
