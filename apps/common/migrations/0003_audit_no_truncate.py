"""The audit table refuses TRUNCATE too (SECURITY.md AUD-04), on PostgreSQL: a statement-level trigger.

``common.0002`` left TRUNCATE to grants because the test runner's flush truncates every table. The flush runs as a
database superuser, and a superuser can switch any trigger off anyway (``ALTER TABLE … DISABLE TRIGGER``), so the
trigger lets a superuser through and refuses every other role — the application role and the owner role alike,
even if a TRUNCATE privilege was granted by mistake. SQLite has no TRUNCATE."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION common_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND rolsuper) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS common_auditevent_no_truncate ON common_auditevent;
CREATE TRIGGER common_auditevent_no_truncate
    BEFORE TRUNCATE ON common_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION common_auditevent_no_truncate();
"""

DROP = """
DROP TRIGGER IF EXISTS common_auditevent_no_truncate ON common_auditevent;
DROP FUNCTION IF EXISTS common_auditevent_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # params=None: the "%" in RAISE is not a placeholder


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("common", "0002_audit_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
