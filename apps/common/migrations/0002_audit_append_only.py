"""On PostgreSQL the audit table is append-only at the database level: a row trigger refuses UPDATE and DELETE
(SECURITY.md AUD-04). TRUNCATE is left to grants (the application role gets no TRUNCATE privilege in production,
docs/operations.md), because the test runner's flush truncates every table. SQLite has no such guard; the ORM refuses there (AuditEvent.save/delete)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION common_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS common_auditevent_no_update_delete ON common_auditevent;
CREATE TRIGGER common_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON common_auditevent
    FOR EACH ROW EXECUTE FUNCTION common_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS common_auditevent_no_update_delete ON common_auditevent;
DROP TRIGGER IF EXISTS common_auditevent_no_truncate ON common_auditevent;
DROP FUNCTION IF EXISTS common_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # params=None: the "%" in RAISE is not a placeholder


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("common", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
