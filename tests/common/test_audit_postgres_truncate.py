"""AUD-04 on PostgreSQL: TRUNCATE of the audit table is refused by a statement trigger (common.0003) for every role
but a superuser, even one that was granted TRUNCATE; and the tamper drill (AUD-05) on PostgreSQL."""

import uuid

import pytest
from django.db import DatabaseError, connection, transaction

from apps.common.audit import audit_record, audit_verify
from apps.common.audit_drill import tamper_drill
from apps.common.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_truncate_is_refused_even_with_the_privilege():
    audit_record("x.y")
    role = f"hn_test_trunc_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cur:  # inside the test transaction: the role goes with the rollback
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses a table with pending deferred FK checks
        cur.execute(f"CREATE ROLE {role} NOLOGIN")
        cur.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}")
        cur.execute(f"SET LOCAL ROLE {role}")
    try:
        for statement in (
            "TRUNCATE common_auditevent CASCADE",
            "TRUNCATE common_auditevent, common_auditchainhead CASCADE",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
                cur.execute(statement)
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET ROLE")
    assert AuditEvent.objects.count() == 1 and audit_verify().ok


def test_the_triggers_are_installed():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'common_auditevent'::regclass AND NOT tgisinternal "
            "ORDER BY tgname"
        )
        names = [row[0] for row in cur.fetchall()]
    assert names == ["common_auditevent_no_truncate", "common_auditevent_no_update_delete"]


def test_a_superuser_passes_the_truncate_trigger():
    """The test runner's flush truncates as a superuser, who could disable the trigger anyway."""
    audit_record("x.y")
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses a table with pending deferred FK checks
    with transaction.atomic():
        sid = transaction.savepoint()
        with connection.cursor() as cur:
            cur.execute("TRUNCATE common_auditevent CASCADE")
        assert AuditEvent.objects.count() == 0
        transaction.savepoint_rollback(sid)
    assert AuditEvent.objects.count() == 1


def test_tamper_drill_on_postgresql_with_the_triggers_disabled():
    report = tamper_drill(operations=120, entries=30, seed=11)
    assert report.ok, report.missed
    assert AuditEvent.objects.count() == 0  # padding and tampering rolled back
