"""Backup and restore (issue 13 point 12; SECURITY.md BAK-02/04/05): one archive holds the database and the media.

Archive ``haining-<engine>-<UTC time>.tar`` with, beside it, ``<archive>.sha256`` (``sha256sum`` format):

* ``manifest.json`` — format, time, engine, the applied migrations, the audit chain head, and the SHA-256 of the
  database file and of every media file;
* ``database.dump`` (PostgreSQL: ``pg_dump -Fc``, one consistent snapshot) or ``database.sqlite3`` (embedded mode:
  SQLite's online backup API, a consistent copy even while the server writes);
* ``media/…`` — the files under MEDIA_ROOT (photos, imports, reports).

Restore refuses an archive whose SHA-256 does not match its ``.sha256`` (or that has none), and then every file
whose digest differs from the manifest, before it touches anything. The database and the media are copied one
after the other, not in one snapshot: a file uploaded during the backup may be missing from it (BAK-05 is about
the digests of the files the database names, checked after a restore by the integrity checks).
"""

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import environ
from django.conf import settings
from django.db import connection, connections

from .audit import audit_chain_head

FORMAT = "haining-backup/1"
DB_MEMBER = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal with a Chinese message (the commands turn it into CommandError)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def database_config(url: str | None = None) -> dict:
    """The settings dict of the default database, or of ``url`` (``postgres://…`` or ``sqlite:////path``)."""
    if url:
        return environ.Env.db_url_config(url)
    return dict(settings.DATABASES["default"])


def engine_of(config: dict) -> str:
    engine = config["ENGINE"]
    if "postgresql" in engine:
        return "postgresql"
    if "sqlite" in engine:
        return "sqlite"
    raise BackupError(f"不支持的数据库类型：{engine}")


def _pg_env(config: dict) -> tuple[dict, list[str]]:
    """(environment, connection arguments) for pg_dump/pg_restore: the password goes in PGPASSWORD, never argv."""
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = str(config["PASSWORD"])
    args = ["--dbname", str(config["NAME"])]
    if config.get("HOST"):
        args += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        args += ["--port", str(config["PORT"])]
    if config.get("USER"):
        args += ["--username", str(config["USER"])]
    return env, args


def _run(cmd: list[str], env: dict, what: str) -> None:
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"找不到 {cmd[0]}：请安装 PostgreSQL 客户端（与服务器同一主版本）") from exc
    if proc.returncode != 0:
        raise BackupError(f"{what}失败（{cmd[0]} 退出码 {proc.returncode}）：{proc.stderr.strip()[-2000:]}")


def _dump_database(target: Path, engine: str) -> None:
    if engine == "postgresql":
        env, args = _pg_env(database_config())
        _run(["pg_dump", "--format=custom", "--no-password", *args, "--file", str(target)], env, "导出数据库")
        return
    # SQLite: the online backup API copies a consistent snapshot page by page (WAL included) — never cp the file.
    # Not from inside a transaction of this connection: SQLite would wait for the transaction's own lock.
    if connection.in_atomic_block:
        raise BackupError("不能在数据库事务中备份 SQLite（请在事务之外运行）")
    connection.ensure_connection()
    dest = sqlite3.connect(target)
    try:
        connection.connection.backup(dest)
    finally:
        dest.close()


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _applied_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).migration_qs.order_by("app", "name").values_list("app", "name"):
        latest[app] = name
    return latest


@dataclass
class BackupResult:
    archive: Path
    checksum_file: Path
    sha256: str
    manifest: dict


def backup_create(directory: Path, *, media_root: Path | None = None, now: dt.datetime | None = None) -> BackupResult:
    """Write an archive and its ``.sha256`` into ``directory``; returns both paths and the manifest."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    now = now or dt.datetime.now(dt.UTC)
    engine = engine_of(database_config())
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    archive = directory / f"haining-{engine}-{stamp}.tar"
    if archive.exists():
        raise BackupError(f"备份文件 {archive} 已存在，不覆盖")
    with tempfile.TemporaryDirectory(prefix="hn-backup-", dir=directory) as tmp:
        db_file = Path(tmp) / DB_MEMBER[engine]
        head_seq, head_hash = audit_chain_head()
        _dump_database(db_file, engine)
        media = _media_files(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "engine": engine,
            "migrations": _applied_migrations(),
            "audit_head": {"seq": head_seq, "hash": head_hash},
            "database": {"file": db_file.name, "sha256": sha256_file(db_file), "bytes": db_file.stat().st_size},
            "media": {p.relative_to(media_root).as_posix(): sha256_file(p) for p in media},
        }
        partial = archive.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for path in media:
                tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
        partial.rename(archive)
    digest = sha256_file(archive)
    checksum_file = archive.with_name(archive.name + ".sha256")
    checksum_file.write_text(f"{digest}  {archive.name}\n", encoding="utf-8")
    return BackupResult(archive, checksum_file, digest, manifest)


# ---------------------------------------------------------------------------- restore
def archive_check(archive: Path) -> dict:
    """Refuse a tampered or incomplete archive; return its manifest. Checks the archive's SHA-256 against the file
    beside it, then (after reading) the database file and every media file against the manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}")
    checksum_file = archive.with_name(archive.name + ".sha256")
    if not checksum_file.is_file():
        raise BackupError(f"缺少校验文件 {checksum_file.name}：无法确认备份未被改动，拒绝恢复")
    try:
        expected = checksum_file.read_text(encoding="utf-8").split()[0].lower()
    except (IndexError, UnicodeDecodeError):
        raise BackupError(f"校验文件 {checksum_file.name} 格式不正确，拒绝恢复") from None
    actual = sha256_file(archive)
    if actual != expected:
        raise BackupError(
            f"备份文件的 SHA-256（{actual[:16]}…）与校验文件（{expected[:16]}…）不符：备份已被改动或损坏，拒绝恢复"
        )
    try:
        with tarfile.open(archive, "r:") as tar:
            member = tar.extractfile("manifest.json")
            manifest = json.loads(member.read().decode("utf-8"))
    except (tarfile.TarError, KeyError, AttributeError, ValueError) as exc:
        raise BackupError(f"备份文件不是本系统的备份（{exc}），拒绝恢复") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    return manifest


def _safe_member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"备份中有不安全的路径 {name}，拒绝恢复")
    return path


def _extract(archive: Path, manifest: dict, into: Path) -> tuple[Path, dict[str, Path]]:
    """Extract the regular files (no links, no absolute or ``..`` paths) and check every digest."""
    db_name = manifest["database"]["file"]
    media: dict[str, Path] = {}
    db_path = None
    with tarfile.open(archive, "r:") as tar:
        for member in tar:
            rel = _safe_member_path(member.name)
            if not member.isfile():
                raise BackupError(f"备份中有非普通文件 {member.name}，拒绝恢复")
            if member.name == "manifest.json":
                continue
            target = into / Path(*rel.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
            if member.name == db_name:
                db_path = target
            elif rel.parts[0] == "media":
                media[PurePosixPath(*rel.parts[1:]).as_posix()] = target
            else:
                raise BackupError(f"备份中有清单之外的文件 {member.name}，拒绝恢复")
    if db_path is None or sha256_file(db_path) != manifest["database"]["sha256"]:
        raise BackupError("备份中的数据库文件缺失或与清单中的 SHA-256 不符，拒绝恢复")
    expected = manifest.get("media", {})
    if set(media) != set(expected):
        raise BackupError(f"备份中的媒体文件与清单不一致（{len(media)} 个，清单 {len(expected)} 个），拒绝恢复")
    for name, path in media.items():
        if sha256_file(path) != expected[name]:
            raise BackupError(f"媒体文件 {name} 与清单中的 SHA-256 不符，拒绝恢复")
    return db_path, media


@dataclass
class RestoreResult:
    manifest: dict
    target: str
    media_files: int


def backup_restore(archive: Path, *, database_url: str | None = None, media_root: Path | None = None) -> RestoreResult:
    """Check the archive, then replace the target database (default: this site's) and copy the media files."""
    manifest = archive_check(archive)
    config = database_config(database_url)
    engine = engine_of(config)
    if engine != manifest["engine"]:
        raise BackupError(f"备份来自 {manifest['engine']}，目标数据库是 {engine}：不能跨数据库类型恢复")
    media_root = Path(media_root or settings.MEDIA_ROOT)
    work = Path(archive).resolve().parent
    with tempfile.TemporaryDirectory(prefix="hn-restore-", dir=work) as tmp:
        db_path, media = _extract(Path(archive), manifest, Path(tmp))
        if database_url is None:
            connections.close_all()  # our own sessions must not hold locks on the tables being replaced
        if engine == "postgresql":
            env, args = _pg_env(config)
            cmd = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
            _run([*cmd, "--exit-on-error", "--no-password", *args, str(db_path)], env, "恢复数据库")
        else:
            target = str(config["NAME"])
            src = sqlite3.connect(db_path)
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)  # replaces the target's pages under its lock (no half-copied file)
            finally:
                src.close()
                dst.close()
        for name, path in media.items():
            dest = media_root / Path(*PurePosixPath(name).parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    return RestoreResult(manifest, _describe(config), len(media))


def _describe(config: dict) -> str:
    if engine_of(config) == "sqlite":
        return f"SQLite {config['NAME']}"
    return f"PostgreSQL {config.get('HOST') or 'localhost'}:{config.get('PORT') or 5432}/{config['NAME']}"


def describe_target(database_url: str | None = None) -> str:
    return _describe(database_config(database_url))
