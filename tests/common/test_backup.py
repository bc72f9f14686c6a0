"""Backup and restore (issue 13 point 12; BAK-02/04/05): a populated database round-trips through `db_backup` /
`db_restore` (SQLite always; PostgreSQL when DATABASE_URL is PostgreSQL), and tools/restore_check.py then re-verifies
the audit chain (and its anchor) and every draw in the restored copy. A tampered archive is refused."""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from apps.common.audit import audit_anchor_write, audit_chain_head
from apps.common.backup import archive_check, sha256_file
from apps.inspections.draws.services import plan_commit
from apps.inspections.models import Draw
from tests.inspections.conftest import World
from tests.inspections.draw_helpers import draw_now

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "tools" / "restore_check.py"


def populate(township_a, township_b, city_staff, media: Path):
    world = World(township_a, township_b)
    plan = world.plan(city_staff, strata=[{"key": "all", "label": "全部", "proportion": "0.2"}])
    plan_commit(actor=city_staff, plan_id=plan.pk)
    draw_now(actor=city_staff, plan_id=plan.pk)  # hrs-v2: the public value, then the draw
    second = world.plan(city_staff, name="2026年第二批", round_label="第二批")
    plan_commit(actor=city_staff, plan_id=second.pk)  # committed, not drawn yet: verifies its commitment only
    (media / "photos" / "2026").mkdir(parents=True, exist_ok=True)
    (media / "photos" / "2026" / "现场.jpg").write_bytes(b"\xff\xd8photo" + os.urandom(64))
    (media / "imports").mkdir(exist_ok=True)
    (media / "imports" / "名录.xlsx").write_bytes(b"PK" + os.urandom(128))


def backup(tmp_path, media) -> Path:
    out = StringIO()
    call_command("db_backup", "--dir", str(tmp_path / "backups"), "--media-root", str(media), stdout=out)
    assert "备份完成" in out.getvalue()
    (archive,) = (tmp_path / "backups").glob("*.tar")
    return archive


def restore_check(database_url, media, anchors) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "haining_foodsafety.settings.base",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media),
    }
    env.pop("REDIS_URL", None)
    proc = subprocess.run(
        [sys.executable, str(CHECK), "--json", "--anchors", str(anchors)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def scratch_postgres():
    """An empty database next to the test database, dropped afterwards."""
    name = f"hn_restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    yield f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"
    with connection.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _round_trip(tmp_path, township_a, township_b, city_staff, target_url):
    media = tmp_path / "media"
    populate(township_a, township_b, city_staff, media)
    anchors = tmp_path / "anchors"
    audit_anchor_write(anchors)
    head_seq, head_hash = audit_chain_head()
    assert head_seq >= 5 and Draw.objects.count() == 2
    archive = backup(tmp_path, media)
    manifest = archive_check(archive)
    assert manifest["audit_head"] == {"seq": head_seq, "hash": head_hash}
    assert sorted(manifest["media"]) == ["imports/名录.xlsx", "photos/2026/现场.jpg"]

    restored_media = tmp_path / "restored-media"
    out = StringIO()
    call_command(
        "db_restore",
        str(archive),
        "--yes",
        "--database-url",
        target_url,
        "--media-root",
        str(restored_media),
        stdout=out,
    )
    assert "恢复完成" in out.getvalue()
    for name, digest in manifest["media"].items():
        assert sha256_file(restored_media / name) == digest  # BAK-05: every media digest matches

    report = restore_check(target_url, restored_media, anchors)
    assert report["ok"], report["problems"]
    assert report["pending_migrations"] == []
    assert report["audit"] == {"checked": head_seq, "head_seq": head_seq, "head_hash": head_hash}
    assert report["anchors"] == {"checked": 1}
    assert report["draws"] == 2
    return archive


@pytest.mark.django_db(transaction=True)
def test_sqlite_round_trip_reverifies_the_chain_and_every_draw(tmp_path, township_a, township_b, city_staff):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite 嵌入模式的往返（当前数据库为 PostgreSQL，见下一个测试）")
    _round_trip(tmp_path, township_a, township_b, city_staff, f"sqlite:///{tmp_path / 'restored.sqlite3'}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_round_trip_reverifies_the_chain_and_every_draw(
    tmp_path, township_a, township_b, city_staff, scratch_postgres
):
    _round_trip(tmp_path, township_a, township_b, city_staff, scratch_postgres)


@pytest.mark.django_db(transaction=True)
def test_restore_check_finds_a_tampered_restored_copy(tmp_path, township_a, township_b, city_staff):
    """The check is not a rubber stamp: edit an audit row and a draw's stored result in the restored copy."""
    if connection.vendor != "sqlite":
        pytest.skip("只在 SQLite 上做（篡改用 sqlite3 直接改恢复出的文件）")
    import sqlite3

    target = tmp_path / "restored.sqlite3"
    _round_trip(tmp_path, township_a, township_b, city_staff, f"sqlite:///{target}")
    db = sqlite3.connect(target)
    db.execute("UPDATE common_auditevent SET object_repr = '篡改' WHERE seq = 3")
    db.execute(
        "UPDATE inspections_drawselection SET code = (SELECT code FROM inspections_drawselection ORDER BY id DESC "
        "LIMIT 1) WHERE id = (SELECT MIN(id) FROM inspections_drawselection)"
    )
    db.commit()
    db.close()
    report = restore_check(f"sqlite:///{target}", tmp_path / "restored-media", tmp_path / "anchors")
    assert not report["ok"]
    assert any("审计链在第 3 条断裂" in p for p in report["problems"])
    assert any(p.startswith("抽取 ") for p in report["problems"])


# ------------------------------------------------------------------------------------------- tampered archives
@pytest.fixture
def archive(tmp_path, transactional_db):
    media = tmp_path / "media"
    (media / "a").mkdir(parents=True)
    (media / "a" / "b.txt").write_text("证据", encoding="utf-8")
    return backup(tmp_path, media)


def _restore(archive, tmp_path):
    never = (
        f"sqlite:///{tmp_path / 'never.sqlite3'}"
        if connection.vendor == "sqlite"
        else "postgres://postgres@127.0.0.1:5432/hn_never_restored"  # refused before it is ever reached
    )
    call_command(
        "db_restore",
        str(archive),
        "--yes",
        "--database-url",
        never,
        "--media-root",
        str(tmp_path / "never-media"),
        stdout=StringIO(),
    )


def test_a_flipped_byte_is_refused_before_anything_changes(archive, tmp_path):
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="SHA-256.*不符：备份已被改动或损坏，拒绝恢复"):
        _restore(archive, tmp_path)
    assert not (tmp_path / "never.sqlite3").exists() and not (tmp_path / "never-media").exists()


def test_a_missing_checksum_is_refused(archive, tmp_path):
    archive.with_name(archive.name + ".sha256").unlink()
    with pytest.raises(CommandError, match="缺少校验文件"):
        _restore(archive, tmp_path)


def test_a_rebuilt_archive_with_a_fresh_checksum_is_refused_by_the_manifest(archive, tmp_path):
    """Whoever swaps a media file and recomputes the outer SHA-256 still meets the manifest's digests."""
    rebuilt = tmp_path / "rebuilt.tar"
    with tarfile.open(archive) as src, tarfile.open(rebuilt, "w") as dst:
        for member in src:
            data = src.extractfile(member).read()
            if member.name == "media/a/b.txt":
                data = "伪造的证据".encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    rebuilt.with_name(rebuilt.name + ".sha256").write_text(f"{sha256_file(rebuilt)}  {rebuilt.name}\n")
    with pytest.raises(CommandError, match="媒体文件 a/b.txt 与清单中的 SHA-256 不符"):
        _restore(rebuilt, tmp_path)
    assert not (tmp_path / "never.sqlite3").exists()


def test_restore_asks_before_replacing(archive, tmp_path, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    out = StringIO()
    with pytest.raises(CommandError, match="已取消"):
        call_command("db_restore", str(archive), "--database-url", f"sqlite:///{tmp_path / 'x.sqlite3'}", stdout=out)
    assert "此操作不可撤销" in out.getvalue() and not (tmp_path / "x.sqlite3").exists()


def test_restore_refuses_another_engine(archive, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the archive fixture is made on the current engine")
    with pytest.raises(CommandError, match="不能跨数据库类型恢复"):
        call_command(
            "db_restore", str(archive), "--yes", "--database-url", "postgres://u@127.0.0.1:1/x", stdout=StringIO()
        )
