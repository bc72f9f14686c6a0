"""PostgreSQL-only audit guarantees: the append-only trigger (AUD-04), fail-closed on a refused INSERT (AUD-03),
and a gap-free, fork-free chain under concurrent writers (CONC-05)."""

import threading
import uuid

import pytest
from django.db import DatabaseError, connection, models, transaction

from apps.common.audit import audit_record, audit_verify
from apps.common.jobs import job_create
from apps.common.models import AuditChainHead, AuditEvent, Job

pytestmark = pytest.mark.postgres


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE common_auditevent SET action = 'changed' WHERE seq = 1",
        "UPDATE common_auditevent SET entry_hash = prev_hash",
        "DELETE FROM common_auditevent WHERE seq = 1",
        "DELETE FROM common_auditevent",
    ],
)
def test_trigger_refuses_update_and_delete(statement):
    audit_record("x.y")
    audit_record("x.z")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute(statement)
    assert list(AuditEvent.objects.order_by("seq").values_list("action", flat=True)) == ["x.y", "x.z"]
    assert audit_verify().ok


@pytest.mark.django_db
def test_trigger_refuses_even_when_the_orm_guard_is_bypassed():
    ev = audit_record("x.y")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        models.QuerySet.update(AuditEvent.objects.filter(pk=ev.pk), action="changed")  # skips AuditEventQuerySet
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=ev.pk)._raw_delete(connection.alias)
    assert AuditEvent.objects.get(pk=ev.pk).action == "x.y"


@pytest.mark.django_db
def test_business_write_fails_closed_when_the_audit_insert_is_refused(django_user_model):
    """AUD-03: run as an application role without INSERT on the audit table; the business write must not commit."""
    actor = django_user_model.objects.create_user(username="li", password="x-Test#2026-pass")
    role = f"hn_test_noaudit_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cur:  # all inside the test transaction: rolled back (role included) at the end
        cur.execute(f"CREATE ROLE {role} NOLOGIN")
        cur.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        cur.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cur.execute(f"REVOKE INSERT ON common_auditevent FROM {role}")
        cur.execute(f"SET LOCAL ROLE {role}")
    try:
        with pytest.raises(DatabaseError, match="permission denied"):
            job_create(kind="common.selftest", actor=actor, title="自检")
        assert Job.objects.count() == 0
        assert AuditChainHead.objects.filter(last_seq__gt=0).count() == 0
    finally:
        with connection.cursor() as cur:
            cur.execute("RESET ROLE")
    assert Job.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_build_one_gap_free_chain():
    """CONC-05 (reduced): 8 threads x 25 events, each event its own transaction, released together; a verifier
    runs alongside and must never see a broken chain (consistent snapshot)."""
    threads_n, per_thread = 8, 25
    barrier = threading.Barrier(threads_n + 1)
    errors: list[BaseException] = []
    reports = []
    writers_done = threading.Event()

    def writer(t):
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record("conc.write", object_type="test.thread", object_id=str(t), extra={"i": i})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    def verifier():
        try:
            barrier.wait()
            while not writers_done.is_set():
                reports.append(audit_verify(batch_size=50))  # own REPEATABLE READ snapshot
                with transaction.atomic():  # inside a caller's READ COMMITTED transaction (e.g. the audit page)
                    reports.append(audit_verify(batch_size=50))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(t,)) for t in range(threads_n)]
    checker = threading.Thread(target=verifier)
    for th in [*threads, checker]:
        th.start()
    for th in threads:
        th.join(timeout=120)
    writers_done.set()
    checker.join(timeout=120)

    assert errors == []
    total = threads_n * per_thread
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))  # gap-free
    assert AuditEvent.objects.values("prev_hash").distinct().count() == total  # no two entries share a parent
    for t in range(threads_n):
        assert AuditEvent.objects.filter(object_id=str(t)).count() == per_thread
    final = audit_verify()
    assert final.ok and final.checked == total and final.head_seq == total
    assert reports and all(r.ok for r in reports), [r.reason for r in reports if not r.ok]
