"""Audit chain (issue #2 point 5; SECURITY.md AUD-01/03/04/05): recording, verification, tampering, fail-closed."""

import random
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction

from apps.common import audit_drill as tamper
from apps.common import context
from apps.common.audit import GENESIS_HASH, audit_chain_head, audit_record, audit_verify, diff, model_snapshot
from apps.common.jobs import job_create
from apps.common.models import AuditChainHead, AuditEvent, Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(django_user_model):
    return django_user_model.objects.create_user(username="wang", password="x-Test#2026-pass", full_name="王五")


def make_chain(n, actor=None):
    """n varied events: some with an actor, IPs (v4, v6, spoofed header), diffs, numbers jsonb would reformat."""
    ips = ["10.1.2.3", "2001:DB8::0:1", None, "not-an-ip", "::ffff:192.0.2.7"]
    for i in range(n):
        with context.bind(ip=ips[i % len(ips)], request_id=f"req{i}"):
            audit_record(
                f"test.event{i % 3}",
                object_type="test.thing",
                object_id=str(i),
                object_repr=f"事项 {i}",
                actor=actor if i % 2 else None,
                changes={"name": [f"旧{i}", f"新{i}"], "score": [1.0, 1e16], "ratio": [0.5, 1e-7]},
                extra={"i": i, "text": "换行\r\n和\x00空字符", "nan": float("nan")},
            )


# ------------------------------------------------------------------------------------------------ recording
def test_audit_record_chains_events_and_captures_context(person):
    with context.bind(ip="192.0.2.10", request_id="abc123", actor=person):
        first = audit_record("thing.update", obj=person, changes={"full_name": ["张三", "王五"]})
    second = audit_record("thing.delete", object_type="x.y", object_id="7", object_repr="七号")

    first.refresh_from_db()
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    assert first.actor_id == person.pk and first.actor_repr and first.ip == "192.0.2.10"
    assert first.request_id == "abc123"
    assert first.object_type == "accounts.user" and first.object_id == str(person.pk)
    assert first.changes == {"full_name": ["张三", "王五"]}
    assert first.occurred_at.microsecond % 1000 == 0  # millisecond precision, identical on every backend
    assert second.actor_id is None and second.actor_repr == "系统"
    assert audit_chain_head() == (2, second.entry_hash)
    assert audit_verify().ok


def test_spoofed_ip_header_is_kept_in_extra_not_failing_the_write():
    with context.bind(ip="1.2.3.4, 5.6.7.8"):
        ev = audit_record("x.y")
    ev.refresh_from_db()
    assert ev.ip is None
    assert ev.extra == {"ip_raw": "1.2.3.4, 5.6.7.8"}


def test_values_the_database_reformats_still_verify(person):
    """IPv6 case, integral floats (jsonb prints 1e16 as an integer), NaN and NUL must hash as stored."""
    make_chain(12, actor=person)
    report = audit_verify()
    assert report.ok, report.reason
    assert report.checked == 12


def test_snapshot_and_diff(person):
    before = model_snapshot(person, fields=["full_name", "email"])
    person.full_name = "王六"
    assert diff(before, model_snapshot(person, fields=["full_name", "email"])) == {"full_name": ["王五", "王六"]}


# ------------------------------------------------------------------------------------------------ ORM refuses
def test_orm_refuses_update_and_delete_of_audit_events():
    ev = audit_record("x.y")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=ev.pk).update(action="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError), transaction.atomic():  # bulk_update breaks its atomic block on refusal
        AuditEvent.objects.bulk_update([ev], ["action"])
    ev.action = "changed"
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        ev.delete()
    assert AuditEvent.objects.get(pk=ev.pk).action == "x.y"
    assert audit_verify().ok


# ------------------------------------------------------------------------------------------------ fail-closed
def test_audit_failure_rolls_back_the_business_write(person, django_capture_on_commit_callbacks):
    """AUD-03: if the audit row cannot be written, the business change is not committed either."""
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        mock.patch.object(AuditEvent.objects, "create", side_effect=RuntimeError("audit store down")),
        pytest.raises(RuntimeError),
    ):
        job_create(kind="common.selftest", actor=person, title="自检")
    assert Job.objects.count() == 0
    assert callbacks == []  # nothing was published either
    assert AuditChainHead.objects.filter(last_seq__gt=0).count() == 0


def test_missing_head_with_existing_events_refuses_to_write():
    audit_record("x.y")
    AuditChainHead.objects.all().delete()
    with pytest.raises(RuntimeError, match="链头缺失"):
        audit_record("x.z")
    report = audit_verify()
    assert not report.ok and report.first_broken_seq == 1


# ------------------------------------------------------------------------------------------------ verify + tamper
def test_audit_verify_command_reports_success_in_chinese():
    make_chain(5)
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "审计链校验通过" in out.getvalue() and "共 5 条记录" in out.getvalue()


def test_audit_verify_command_exits_nonzero_with_first_broken_seq():
    make_chain(6)
    tamper.disable_append_only_trigger()
    tamper.edit_field(4, 6)
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 1
    assert "第一处断裂在第 4 条记录" in err.getvalue()


def test_empty_chain_verifies():
    report = audit_verify()
    assert report.ok and report.checked == 0


@pytest.mark.parametrize("operation", sorted(tamper.OPERATIONS))
@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_each_tampering_is_caught_at_the_exact_seq(operation, position):
    n = 8
    make_chain(n)
    assert audit_verify().ok
    k = {"first": 1, "middle": 5, "last": n}[position]
    if operation == "swap_rows" and k == n:
        k = n - 1
    tamper.disable_append_only_trigger()
    expected = tamper.OPERATIONS[operation](k, n)
    report = audit_verify(batch_size=3)  # several batches, so batch boundaries are crossed
    assert not report.ok
    assert report.first_broken_seq == expected, report.reason
    assert report.reason


def test_tamper_drill_random_operations_all_caught_at_exact_seq():
    """AUD-05 drill (reduced size): random operations at random places, each undone before the next."""
    n = 30
    make_chain(n)
    tamper.disable_append_only_trigger()
    rng = random.Random(20261129)
    ops = sorted(tamper.OPERATIONS)
    caught = 0
    drills = 120
    for _ in range(drills):
        name = rng.choice(ops)
        k = rng.randint(1, n - 1 if name == "swap_rows" else n)
        with tamper.rolled_back():
            expected = tamper.OPERATIONS[name](k, n)
            report = audit_verify(batch_size=7)
            assert (report.ok, report.first_broken_seq) == (False, expected), (name, k, report.reason)
            caught += 1
        assert audit_verify().ok  # the savepoint rollback restored the chain
    assert caught == drills


def test_tampering_with_the_head_is_caught():
    make_chain(4)
    AuditChainHead.objects.filter(pk=1).update(last_hash="b" * 64)
    report = audit_verify()
    assert (report.ok, report.first_broken_seq) == (False, 4)


def test_rows_past_a_stale_head_are_judged_against_a_fresh_head():
    """Inside a READ COMMITTED transaction the head is read before the rows; later legitimate appends are fine,
    rows past the fresh head are forged."""
    from apps.common.audit import _VERIFY_COLUMNS, _walk

    make_chain(5)
    hashes = dict(AuditEvent.objects.values_list("seq", "entry_hash"))

    def rows():
        return AuditEvent.objects.order_by("seq").values_list(*_VERIFY_COLUMNS).iterator()

    assert _walk(rows(), 3, hashes[3], lambda: (5, hashes[5])) == (5, None, "")
    checked, broken, _ = _walk(rows(), 3, hashes[3], lambda: (4, hashes[4]))
    assert (checked, broken) == (4, 5)
    assert _walk(rows(), 3, "c" * 64, lambda: (5, hashes[5]))[1] == 3
