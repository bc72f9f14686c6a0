"""Draw tables are append-only at the database level on PostgreSQL (SECURITY.md DRW-06 / AUD-04): a row trigger
refuses UPDATE and DELETE on draws, seals, outcomes, selections and inspector assignments. TRUNCATE is left to grants
(the test runner's flush truncates). On SQLite the ORM guards in apps/inspections/models/base.py refuse."""

from django.db import migrations

TABLES = [
    "inspections_draw",
    "inspections_drawseal",
    "inspections_drawoutcome",
    "inspections_drawselection",
    "inspections_drawinspectorassignment",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION inspections_draw_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'draw records are append-only (% on % refused)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION inspections_draw_append_only();"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS inspections_draw_append_only();")


class Migration(migrations.Migration):
    dependencies = [("inspections", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
