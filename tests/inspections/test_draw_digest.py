"""AUD-06 for draws: each commitment is in the audit chain and in a signed daily digest written outside the DB."""

import datetime as dt
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from apps.common.audit import audit_chain_head
from apps.common.models import AuditEvent
from apps.inspections.draws import algorithm as hrs
from apps.inspections.draws import signing
from apps.inspections.draws.digest import build_digest, verify_digest, write_digest
from apps.inspections.draws.services import plan_commit

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(world, city_staff):
    first = plan_commit(actor=city_staff, plan_id=world.plan(city_staff).pk)
    second = plan_commit(actor=city_staff, plan_id=world.plan(city_staff, name="第二个", round_label="第二批").pk)
    return [first, second]


def test_each_commitment_is_in_the_audit_chain(committed):
    for draw in committed:
        event = AuditEvent.objects.get(action="inspections.plan_commit", object_id=str(draw.plan_id))
        assert event.extra["seed_commitment"] == draw.seed_commitment
        assert event.extra["algorithm"] == "hrs-v2" and event.extra["public_randomness"] == draw.public_randomness


def test_the_daily_digest_is_signed_write_once_and_verifies(committed, tmp_path):
    today = timezone.localdate()
    path, written = write_digest(today, directory=tmp_path)
    assert written and path.name == f"draw-commitments-{today.isoformat()}.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert [c["draw_uid"] for c in doc["commitments"]] == [d.draw_uid for d in committed]
    assert doc["commitments"][0]["seed_commitment"] == committed[0].seed_commitment
    seq, head = audit_chain_head()
    assert doc["audit_chain_head"] == {"seq": seq, "hash": head}
    assert signing.verify(hrs.signing_payload(doc), doc["signature"])
    assert verify_digest(path) == []
    before = path.read_bytes()
    assert write_digest(today, directory=tmp_path) == (path, False)  # never rewritten
    assert path.read_bytes() == before
    # an edited file no longer carries the platform's signature
    doc["commitments"][0]["seed_commitment"] = "0" * 64
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert verify_digest(edited) == ["摘要文件的平台签名无效"]


def test_the_digest_catches_a_commitment_edited_in_the_database(committed, tmp_path):
    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL trigger refuses the edit itself (test_models)")
    path, _ = write_digest(timezone.localdate(), directory=tmp_path)
    with connection.cursor() as cur:
        cur.execute("UPDATE inspections_draw SET seed_commitment = %s WHERE id = %s", ["f" * 64, committed[1].pk])
    problems = verify_digest(path)
    assert problems == [f"{committed[1].draw_uid}：数据库中的承诺与摘要不一致"]


def test_a_later_commitment_of_the_same_day_is_reported(world, city_staff, tmp_path):
    path, _ = write_digest(timezone.localdate(), directory=tmp_path)  # an empty day so far
    late = plan_commit(actor=city_staff, plan_id=world.plan(city_staff).pk)
    assert verify_digest(path) == [f"{late.draw_uid}：摘要生成后才出现的同日承诺（承诺时间可能被倒签）"]


def test_command_beat_and_setting(committed, capsys, monkeypatch):
    today = timezone.localdate()
    call_command("draw_digest", "--date", today.isoformat())
    path = settings.DRAW_DIGEST_DIR / f"draw-commitments-{today.isoformat()}.json"
    assert path.exists() and "已写出" in capsys.readouterr().out
    call_command("draw_digest", "--verify", str(path))
    assert "VERIFIED" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("draw_digest", "--date", "2026-13-40")
    entry = settings.CELERY_BEAT_SCHEDULE["inspections-draw-digest-daily"]
    assert entry["task"] == "inspections.draw_digest"
    from apps.inspections import tasks

    monkeypatch.setattr(tasks, "close_old_connections", lambda: None)  # the test's transaction stays open
    draw_digest_task = tasks.draw_digest_task

    yesterday = today - dt.timedelta(days=1)
    assert draw_digest_task() == str(settings.DRAW_DIGEST_DIR / f"draw-commitments-{yesterday.isoformat()}.json")
    assert build_digest(yesterday)["commitments"] == []
    path.unlink()
