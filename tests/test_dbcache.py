"""The on-disk copy of the migrated SQLite test database (tests/helpers/dbcache.py) is never stale."""

import sqlite3

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.helpers import dbcache


@pytest.mark.django_db
def test_the_test_database_has_every_migration_applied_and_its_reference_rows():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    from apps.enterprises.models import BusinessType
    from apps.risk.models import RiskScheme

    assert BusinessType.objects.exists() and RiskScheme.objects.exists()  # rows loaded by data migrations


def test_the_key_changes_with_any_hashed_file_and_only_with_its_content(tmp_path, monkeypatch, settings):
    migration = tmp_path / "apps" / "x" / "migrations" / "0001_initial.py"
    migration.parent.mkdir(parents=True)
    (tmp_path / "haining_foodsafety").mkdir()
    (tmp_path / "fixtures").mkdir()
    migration.write_text("operations = []\n", encoding="utf-8")
    settings.BASE_DIR = tmp_path
    monkeypatch.setattr(dbcache, "_third_party_files", lambda base: iter(()))
    first = dbcache.cache_key()
    assert dbcache.cache_key() == first
    migration.write_text("operations = [1]\n", encoding="utf-8")
    assert dbcache.cache_key() != first
    migration.write_text("operations = []\n", encoding="utf-8")
    assert dbcache.cache_key() == first
    (tmp_path / "fixtures" / "townships.json").write_text("[]", encoding="utf-8")  # data a migration may load
    assert dbcache.cache_key() != first


def test_the_cache_can_be_switched_off_and_moved(monkeypatch, tmp_path):
    monkeypatch.setenv(dbcache.ENV, "off")
    assert dbcache.cache_dir() is None
    monkeypatch.setenv(dbcache.ENV, str(tmp_path))
    assert dbcache.cache_dir() == tmp_path


def test_save_is_atomic_and_keeps_one_entry(tmp_path):
    class Wrapper:
        def __init__(self):
            self.connection = sqlite3.connect(":memory:")
            self.connection.execute("create table t (x)")
            self.connection.execute("insert into t values (42)")
            self.connection.commit()  # Django's connection is in autocommit; a backup waits for an open write

        def ensure_connection(self):
            pass

    (tmp_path / f"old{dbcache.SUFFIX}").write_bytes(b"stale")
    target = tmp_path / f"new{dbcache.SUFFIX}"
    dbcache._save(Wrapper(), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary file, no older entry
    assert sqlite3.connect(target).execute("select x from t").fetchall() == [(42,)]
