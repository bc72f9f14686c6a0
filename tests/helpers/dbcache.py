"""The migrated SQLite test database, built once and kept on disk (issue 9 point 6: `make test` under 4 minutes).

Migrating the in-memory test database took ~19 CPU seconds per xdist worker. Here the first worker to start migrates
(Django's own ``create_test_db``, unchanged) and saves a page copy of the result (``sqlite3`` backup API) as
``<cache dir>/<key>.sqlite3``; every other worker, and every later run, copies that file into its in-memory
database instead of migrating (milliseconds).

- **Never stale.** The key is a SHA-256 over everything the migrated contents can depend on: every file of
  ``apps/`` and ``haining_foodsafety/`` (migrations, the models behind content types and permissions, the modules
  data migrations import), ``fixtures/`` (the JSON that data migrations load), the migrations and models of the
  third-party apps, ``INSTALLED_APPS``/``MIGRATION_MODULES``, and the Python, Django and SQLite versions. Editing a
  test does not rebuild it; editing application code does (one worker migrates, the other waits for it).
- **Safe when workers start at once.** The build runs under an exclusive ``flock`` on ``<key>.lock``; the copy is
  written to a temporary file and moved into place with ``os.replace``, so a reader sees the whole file or none.
- **Optional.** No cache (a fresh clone): the first worker builds it. ``HN_TEST_DB_CACHE=off`` migrates every time
  (Django's path, nothing read or written); ``HN_TEST_DB_CACHE=<dir>`` moves the cache (default
  ``.pytest_cache/hn-test-db/``, which ``make clean`` removes and git ignores).

Only SQLite in-memory test databases (``make test``) use it. PostgreSQL (CI), ``--reuse-db`` and
``TEST: {"MIGRATE": False}`` take Django's path unchanged.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sqlite3
import sys
from pathlib import Path

ENV = "HN_TEST_DB_CACHE"
SUFFIX = ".sqlite3"


def cache_dir() -> Path | None:
    from django.conf import settings

    value = os.environ.get(ENV, "")
    if value.lower() in {"0", "off", "no", "false"}:
        return None
    return Path(value) if value else Path(settings.BASE_DIR) / ".pytest_cache" / "hn-test-db"


PROJECT_DIRS = ("apps", "haining_foodsafety", "fixtures")


def _project_files(base: Path):
    for top in PROJECT_DIRS:
        root = base / top
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                yield path


def _third_party_files(base: Path):
    from django.apps import apps

    for config in apps.get_app_configs():
        root = Path(config.path)
        if any(root.is_relative_to(base / top) for top in PROJECT_DIRS):
            continue  # hashed whole by _project_files
        for rel in ("models.py", "models"):
            candidate = root / rel
            if candidate.is_file():
                yield candidate
            elif candidate.is_dir():
                yield from sorted(candidate.rglob("*.py"))
        migrations = root / "migrations"
        if migrations.is_dir():
            yield from sorted(migrations.rglob("*.py"))


def cache_key() -> str:
    """SHA-256 of everything the migrated database's schema and rows can depend on (see the module docstring)."""
    import django
    from django.conf import settings

    base = Path(settings.BASE_DIR).resolve()
    digest = hashlib.sha256()
    header = (sys.version, django.__version__, sqlite3.sqlite_version, settings.INSTALLED_APPS)
    digest.update(repr((*header, sorted(getattr(settings, "MIGRATION_MODULES", {}).items()))).encode())
    for path in (*_project_files(base), *_third_party_files(base)):
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(path: Path):
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _save(connection, target: Path) -> None:
    """Page copy of the migrated database to ``target``, atomically (temporary file, then ``os.replace``)."""
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    dest = sqlite3.connect(tmp)
    try:
        connection.ensure_connection()
        connection.connection.backup(dest)
    finally:
        dest.close()
    os.replace(tmp, target)
    for old in target.parent.glob(f"*{SUFFIX}"):  # entries of earlier code: keep one database per cache dir
        if old != target:
            old.unlink(missing_ok=True)
            old.with_suffix(".lock").unlink(missing_ok=True)


def _load(connection, source: Path) -> bool:
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        connection.ensure_connection()
        src.backup(connection.connection)
    except sqlite3.Error:
        return False
    finally:
        src.close()
    return True


def install():
    """Replace SQLite's ``create_test_db`` with the cached one; returns the function that puts Django's back."""
    from django.conf import settings
    from django.db.backends.sqlite3.creation import DatabaseCreation

    original = DatabaseCreation.create_test_db
    directory = cache_dir()
    if directory is None:
        return lambda: None

    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        name = self._get_test_db_name()
        if keepdb or not self.is_in_memory_db(name) or self.connection.settings_dict["TEST"]["MIGRATE"] is False:
            return original(self, verbosity, autoclobber, serialize, keepdb)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{cache_key()}{SUFFIX}"
        with _locked(target.with_suffix(".lock")):
            if not target.exists():
                # Django's own setup (migrate, createcachetable), then the copy for everyone else.
                name = original(self, verbosity, autoclobber, serialize, keepdb)
                _save(self.connection, target)
                return name
        # What create_test_db does for an in-memory database, with the migrated pages copied in instead of migrate.
        self._create_test_db(verbosity, autoclobber, keepdb)
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = name
        self.connection.settings_dict["NAME"] = name
        if not _load(self.connection, target):  # removed or unreadable under us: build as Django does
            self.connection.close()
            return original(self, verbosity, autoclobber, serialize, keepdb)
        if verbosity >= 1:
            self.log(f"Test database for alias {self.connection.alias!r} copied from {target}")
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        return name

    DatabaseCreation.create_test_db = create_test_db

    def restore():
        DatabaseCreation.create_test_db = original

    return restore
