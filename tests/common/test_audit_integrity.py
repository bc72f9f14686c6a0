"""Audit integrity beyond the chain itself: the daily anchor outside the database (AUD-06), the tamper drill command
(AUD-05), escaped one-line text output (AUD-10) and the ORM's append-only guard (AUD-04)."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from apps.common.audit import (
    audit_anchor_write,
    audit_record,
    audit_verify_anchors,
    escape_text,
    event_json_line,
    event_text_line,
)
from apps.common.audit_drill import OPERATIONS, disable_append_only_trigger, sql, tamper_drill
from apps.common.models import AuditEvent

pytestmark = pytest.mark.django_db


def chain(n):
    for i in range(n):
        audit_record("test.event", object_type="test.thing", object_id=str(i), object_repr=f"事项 {i}")


# ------------------------------------------------------------------------------------------- AUD-06 anchors
def test_anchor_records_the_signed_head_outside_the_database(tmp_path):
    chain(3)
    path = audit_anchor_write(tmp_path, now=dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC))
    record = json.loads(path.read_text(encoding="utf-8"))
    head = AuditEvent.objects.get(seq=3)
    assert (record["seq"], record["hash"], record["count"]) == (3, head.entry_hash, 3)
    assert record["date"] == "2026-12-07" and record["time"] == "2026-12-07T15:00:00.000000Z"
    assert record["signature"].startswith("hmac-sha256:")
    report = audit_verify_anchors(tmp_path)
    assert report.ok and report.checked == 1


def test_anchors_accumulate_and_are_never_overwritten(tmp_path):
    chain(2)
    first = audit_anchor_write(tmp_path)
    assert audit_anchor_write(tmp_path) == first  # same head the same day: the same file, unchanged
    chain(1)
    second = audit_anchor_write(tmp_path)
    assert second != first and len(list(tmp_path.iterdir())) == 2
    assert audit_verify_anchors(tmp_path).checked == 2


def test_a_recomputed_chain_is_caught_by_the_anchor(tmp_path):
    """The attack the chain alone cannot see: a superuser rewrites an event and re-hashes every later one."""
    from apps.common.audit import HASHED_FIELDS, compute_entry_hash

    chain(5)
    audit_anchor_write(tmp_path)
    disable_append_only_trigger()
    sql("UPDATE common_auditevent SET object_repr = %s WHERE seq = 2", ["改写后的对象"])
    prev = AuditEvent.objects.get(seq=1).entry_hash
    for ev in AuditEvent.objects.filter(seq__gte=2).order_by("seq"):
        fields = {f: getattr(ev, f) for f in HASHED_FIELDS}
        fields["actor_id"] = ev.actor_id
        new = compute_entry_hash(prev, fields)
        sql("UPDATE common_auditevent SET prev_hash = %s, entry_hash = %s WHERE seq = %s", [prev, new, ev.seq])
        prev = new
    sql("UPDATE common_auditchainhead SET last_hash = %s", [prev])
    from apps.common.audit import audit_verify

    assert audit_verify().ok  # the chain is self-consistent again
    report = audit_verify_anchors(tmp_path)
    assert not report.ok and "第 5 条记录的哈希与锚定值不符" in report.problems[0]


def test_a_truncated_chain_and_a_forged_anchor_are_caught(tmp_path):
    chain(4)
    path = audit_anchor_write(tmp_path)
    record = json.loads(path.read_text(encoding="utf-8"))
    record["seq"] = 9
    (tmp_path / "audit-anchor-2026-01-01-000000000009.json").write_text(json.dumps(record), encoding="utf-8")
    report = audit_verify_anchors(tmp_path)
    assert not report.ok and report.problems == [
        "audit-anchor-2026-01-01-000000000009.json：签名无效（锚定文件被改动或密钥不符）"
    ]
    (tmp_path / "audit-anchor-2026-01-01-000000000009.json").unlink()
    disable_append_only_trigger()
    sql("DELETE FROM common_auditevent WHERE seq = 4")
    sql("UPDATE common_auditchainhead SET last_seq = 3")
    report = audit_verify_anchors(tmp_path)
    assert not report.ok and "锚定的第 4 条记录已不存在" in report.problems[0]


def test_anchor_key_comes_from_settings(tmp_path, settings):
    chain(1)
    settings.AUDIT_ANCHOR_KEY = "key-one"
    audit_anchor_write(tmp_path)
    settings.AUDIT_ANCHOR_KEY = "key-two"
    assert not audit_verify_anchors(tmp_path).ok


def test_anchor_and_verify_commands(tmp_path):
    chain(2)
    out = StringIO()
    call_command("audit_anchor", "--dir", str(tmp_path), stdout=out)
    assert "已写入审计链锚定" in out.getvalue()
    out = StringIO()
    call_command("audit_verify", "--anchors", str(tmp_path), stdout=out)
    assert "审计链校验通过" in out.getvalue() and "与锚定核对通过：1 个锚定文件" in out.getvalue()
    disable_append_only_trigger()
    sql("UPDATE common_auditevent SET entry_hash = %s WHERE seq = 2", ["e" * 64])
    sql("UPDATE common_auditchainhead SET last_hash = %s", ["e" * 64])
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("audit_verify", "--anchors", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "与锚定核对失败" in err.getvalue()


def test_daily_beat_entry_and_task(settings, tmp_path):
    from apps.common.tasks import audit_anchor_task, audit_verify_task

    entry = settings.CELERY_BEAT_SCHEDULE["audit-anchor-daily"]
    assert entry["task"] == "common.audit_anchor"
    settings.AUDIT_ANCHOR_DIR = tmp_path
    chain(1)
    assert audit_anchor_task.delay().get().startswith(str(tmp_path))
    assert audit_verify_task.delay().get()["anchors_checked"] == 1


# ------------------------------------------------------------------------------------------- AUD-05 drill
def test_drill_detects_every_operation_at_the_exact_seq_and_leaves_nothing():
    chain(3)
    before = list(AuditEvent.objects.order_by("seq").values_list("seq", "entry_hash"))
    report = tamper_drill(operations=150, entries=40, seed=7)
    assert report.ok, report.missed
    assert report.operations == report.detected == 150 and report.entries == 40
    assert set(report.by_operation) == set(OPERATIONS)  # every kind of tampering was tried
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", "entry_hash")) == before


def test_drill_command_requires_a_copy_and_reports_100_percent():
    with pytest.raises(CommandError, match="副本"):
        call_command("audit_tamper_drill", stdout=StringIO())
    out = StringIO()
    call_command("audit_tamper_drill", "--on-copy", "--operations", "60", "--entries", "20", "--seed", "1", stdout=out)
    assert "篡改 60 次，在准确序号处发现 60 次（100.0%）" in out.getvalue()


def test_drill_refuses_a_chain_already_broken():
    chain(3)
    disable_append_only_trigger()
    sql("UPDATE common_auditevent SET object_repr = 'x' WHERE seq = 2")
    with pytest.raises(RuntimeError, match="演练前已断裂"):
        tamper_drill(operations=5, entries=3)


# ------------------------------------------------------------------------------------------- AUD-10 text output
HOSTILE = "甲\r\n#99 auth.login 伪造的一行\x1b[31m红色\x1b[0m\x85\u2028\u2029\x00\t\\n" + "长" * 5000


def test_hostile_values_never_split_an_event_into_two_lines():
    audit_record("test.event", object_repr=HOSTILE, changes={"name": ["旧", HOSTILE]}, extra={HOSTILE[:20]: 1})
    audit_record("test.event", object_repr="第二条")
    out = StringIO()
    call_command("audit_export", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("seq=1 ") and lines[1].startswith("seq=2 ")
    assert "\x1b" not in lines[0] and "\\e[31m" in lines[0] and "\\r\\n#99" in lines[0]
    assert "…[截断，原长" in lines[0] and len(lines[0]) < 12_000
    out = StringIO()
    call_command("audit_export", "--format", "jsonl", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["object_repr"].startswith("甲\r\n#99") and "\x1b[31m" in first["object_repr"]  # lossless, escaped


def test_escape_text_is_unambiguous():
    assert escape_text("a\\nb") == "a\\\\nb" and escape_text("a\nb") == "a\\nb"
    assert escape_text("x" * 10, limit=4) == "xxxx…[截断，原长 10 字符]"
    assert escape_text({"k": "\u2028"}) == '{"k": "\\u2028"}'


def test_text_and_json_lines_of_one_event():
    ev = audit_record("test.event", object_repr="正常")
    assert event_text_line(ev).count("\n") == 0 and "action=test.event" in event_text_line(ev)
    assert json.loads(event_json_line(ev))["entry_hash"] == ev.entry_hash


def test_export_since_seq_to_a_file(tmp_path):
    chain(4)
    target = tmp_path / "audit.log"
    call_command("audit_export", "--since-seq", "2", "--output", str(target), stdout=StringIO())
    assert [line.split()[0] for line in target.read_text(encoding="utf-8").splitlines()] == ["seq=3", "seq=4"]


# ------------------------------------------------------------------------------------------- AUD-04 (ORM; SQLite too)
def test_orm_refuses_every_write_path_on_audit_events():
    ev = audit_record("test.event")
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=ev.pk).update(action="x"),
        lambda: AuditEvent.objects.all().delete(),
        lambda: ev.delete(),
        lambda: ev.save(),
        lambda: AuditEvent.objects.bulk_update([ev], ["action"]),
        lambda: AuditEvent.objects.update_or_create(pk=ev.pk, defaults={"action": "x"}),
    ):
        with pytest.raises(PermissionError), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=ev.pk).action == "test.event"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL: tests/common/test_audit_postgres.py")
def test_sqlite_has_no_trigger_the_orm_is_the_guard():
    """SQLite has no TRUNCATE and the migration adds no trigger there (embedded demo mode): documented deviation."""
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'common_auditevent'")
        assert cur.fetchall() == []
