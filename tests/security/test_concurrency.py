"""CONC-02, CONC-04, CONC-05 and CONC-06 on PostgreSQL (SQLite serialises writers and ignores SELECT … FOR UPDATE).

Threads each with their own database connection (closed when the thread ends), released together by a barrier, as
CONC-01 does (tests/inspections/test_concurrency.py). CONC-03 (two devices finalising one result) is
tests/inspections/test_api_fieldwork.py::test_two_devices_finalising_at_once_on_postgresql. CONC-06 is asserted in
every test here: no request or call ends in a 5xx or an unhandled database error (deadlock, serialization failure),
and none is retried — the code has no retry loop; locks are taken in one order (the parent row first) instead.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connections, transaction
from rest_framework.test import APIClient

from apps.common.audit import audit_record, audit_verify
from apps.common.exceptions import DomainError
from apps.common.models import AuditEvent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(n: int, work, *, timeout: float = 120) -> tuple[list, list[BaseException]]:
    """Run ``work(i)`` in ``n`` threads released together; its return values (or DomainError class names) and any
    other exception."""
    barrier = threading.Barrier(n)
    outcomes: list = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait(timeout=60)
            try:
                value = work(i)
            except DomainError as exc:
                value = exc.status_code
            finally:
                connections.close_all()
            with lock:
                outcomes.append(value)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller (a deadlock would land here)
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting (lock wait not bounded)"
    return outcomes, errors


# ---------------------------------------------------------------------------- CONC-02: one task slot
@pytest.fixture(name="field")
def _field(township_a, township_b, inspector_a, user_factory):
    from tests.inspections.fieldwork_helpers import Field

    return Field(township_a, township_b, inspector_a, user_factory)


def test_fifty_devices_opening_the_same_task_record_fill_one_slot(field):
    """CONC-02: one draft record per task. 50 phones POST the same task at once: one 201, 49 × 409, one row."""
    from apps.inspections.choices import TaskStatus
    from apps.inspections.models import InspectionResult, InspectionTask

    version = InspectionTask.objects.get(pk=field.task.pk).version

    def open_record(i):
        client = APIClient()
        client.force_authenticate(field.user if i % 2 else field.colleague_user)
        return client.post("/api/v1/inspections/results/", {"task": field.task.pk}, format="json").status_code

    statuses, errors = _race(50, open_record)
    assert not errors, errors[:3]
    assert Counter(statuses) == {201: 1, 409: 49}
    assert InspectionResult.objects.filter(task=field.task).count() == 1
    task = InspectionTask.objects.get(pk=field.task.pk)
    assert task.status == TaskStatus.IN_PROGRESS and task.version == version + 1
    assert AuditEvent.objects.filter(action="inspections.result_start").count() == 1


def test_fifty_reassignments_of_one_task_with_the_same_version(field, city_staff, township_a):
    """CONC-02: 50 staff re-assign the same manual task from the version they read, each naming another pair:
    exactly one wins (version + 1, its pair and no other on the task), 49 × 409, the team never mixed."""
    from apps.inspections.fieldwork.services.tasks import task_assign_inspectors
    from apps.inspections.models import InspectionTask, TaskInspector
    from tests.inspections.factories import make_inspector

    pairs = [(make_inspector(township=township_a).pk, make_inspector(township=township_a).pk) for _ in range(50)]
    version = InspectionTask.objects.get(pk=field.task.pk).version

    def assign(i):
        task_assign_inspectors(actor=city_staff, task_id=field.task.pk, inspector_ids=list(pairs[i]), version=version)
        return i

    outcomes, errors = _race(50, assign)
    assert not errors, errors[:3]
    winners = [o for o in outcomes if o != 409]
    assert len(winners) == 1 and outcomes.count(409) == 49
    task = InspectionTask.objects.get(pk=field.task.pk)
    assert task.version == version + 1
    team = sorted(TaskInspector.objects.filter(task=task).values_list("inspector_id", flat=True))
    assert team == sorted(pairs[winners[0]])
    assert AuditEvent.objects.filter(action="inspections.task_assign").count() == 1


# ---------------------------------------------------------------------------- CONC-04: import against an edit
@pytest.mark.parametrize("edit_first", [True, False], ids=["edit-then-import", "import-then-edit"])
def test_an_import_and_an_edit_of_the_same_enterprise_never_lose_a_write(staff_a, edit_first):
    """CONC-04: a user edits enterprise X from the version they read while an import updates X. Either the edit lands
    first — then the import sees X's version moved, plans again on the locked row and records the user's value as
    the 'before' of its change line (nothing silently replaced) — or the import lands first and the edit, carrying
    the old version, is refused with 412. Both sides run at once; the order is forced by who takes X's row first."""
    from apps.enterprises import imports, services
    from apps.enterprises.imports import plan as plan_mod
    from apps.enterprises.models import Enterprise, ImportRow
    from tests.fixtures_xlsx.builders import valid_rows, workbook

    rows = valid_rows(2, townships=["硖石街道"])
    imports.enterprise_import_commit(actor=staff_a, data=workbook(rows))
    x = Enterprise.objects.get(uscc=rows[0]["统一社会信用代码"])
    read_version = x.version
    rows[0]["联系人"] = "导入人"
    data = workbook(rows)
    first_done = threading.Event()
    real_changed_since = plan_mod._changed_since

    def changed_since_after_the_edit(plan):
        if edit_first:
            first_done.wait(timeout=30)  # the edit commits while the import has planned but not yet locked
        changed = real_changed_since(plan)  # takes X's row lock
        if not edit_first:
            first_done.set()  # the edit now waits for the import's lock, then finds the version moved
        return changed

    plan_mod._changed_since = changed_since_after_the_edit
    try:

        def work(i):
            if i == 0:
                return ("import", imports.enterprise_import_commit(actor=staff_a, data=data)["updated"])
            if not edit_first:
                first_done.wait(timeout=30)
            try:
                services.enterprise_update(
                    actor=staff_a, enterprise_id=x.pk, data={"contact_person": "编辑人"}, expected_version=read_version
                )
                return ("edit", 200)
            finally:
                first_done.set()

        outcomes, errors = _race(2, work)
    finally:
        plan_mod._changed_since = real_changed_since
    assert not errors, errors
    x.refresh_from_db()
    line = ImportRow.objects.filter(enterprise_id=x.pk).order_by("-pk").first()
    if edit_first:
        assert sorted(outcomes) == [("edit", 200), ("import", 1)]
        assert x.version == read_version + 2 and x.contact_person == "导入人"
        assert line.changes["contact_person"] == ["编辑人", "导入人"]  # the overwrite is on the record, not silent
    else:
        assert sorted(outcomes, key=str) == [("import", 1), 412]
        assert x.version == read_version + 1 and x.contact_person == "导入人"
    assert audit_verify().ok


# ---------------------------------------------------------------------------- CONC-05: the audit chain
WRITERS, EVENTS_EACH = 32, 20  # 640 events; SECURITY.md asks 32 × 1,000 (nightly size: set CONC05_EVENTS)


def test_thirty_two_writers_build_one_gap_free_chain():
    """CONC-05: 32 writers, each event in its own transaction: chain valid, seq gap-free, no two entries share a
    parent (no fork), every writer's events all there."""
    import os

    each = int(os.environ.get("CONC05_EVENTS", EVENTS_EACH))

    def write(t):
        for i in range(each):
            with transaction.atomic():
                audit_record("conc.write", object_type="test.thread", object_id=str(t), extra={"i": i})
        return t

    outcomes, errors = _race(WRITERS, write, timeout=300)
    assert not errors, errors[:3]
    assert sorted(outcomes) == list(range(WRITERS))
    total = WRITERS * each
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    assert AuditEvent.objects.values("prev_hash").distinct().count() == total
    assert Counter(AuditEvent.objects.values_list("object_id", flat=True)) == {str(t): each for t in range(WRITERS)}
    report = audit_verify()
    assert report.ok and report.checked == total and report.head_seq == total
