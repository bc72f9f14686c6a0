"""Named actors and shared fixtures (STYLE.md §3.9): township_a/b, staff_a, inspector_a, city_staff, leader, ..."""

import functools
import os
import socket
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.db import DEFAULT_DB_ALIAS
from rest_framework.test import APIClient

from apps.accounts.models import Township
from apps.accounts.roles import ROLE_BY_CODE
from apps.accounts.services import reference_data_load, roles_sync
from tests.helpers import otp as _otp

# Client.force_login also verifies the second factor of the accounts that need one (tests/helpers/otp.py, AUTH-06).
_otp.install()

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
CHROMIUM = "/usr/bin/chromium"


# ---------------------------------------------------------------- service markers (postgres / redis / browser)
# A test marked @pytest.mark.postgres / redis / browser is skipped, with the reason, when its service is absent;
# with REQUIRE_SERVICES=1 (postgres, redis) or REQUIRE_BROWSER=1 (browser) it fails instead (CI: .ci/run).


@functools.cache
def _postgres_missing() -> str | None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "需要 PostgreSQL：未设置 DATABASE_URL=postgres://...（当前为 SQLite）"
    return None


def _tcp_reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@functools.cache
def _redis_missing() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "需要 Redis：未设置 REDIS_URL=redis://..."
    parsed = urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 6379
    if not _tcp_reachable(host, port):
        return f"需要 Redis：无法连接 {host}:{port}（REDIS_URL）"
    return None


@functools.cache
def _browser_missing() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"需要浏览器：未找到 {CHROMIUM}（apt-get install chromium fonts-noto-cjk）"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "需要浏览器：未安装 playwright（pip install -r requirements-dev.txt）"
    return None


SERVICE_MARKERS = {
    "postgres": (_postgres_missing, "REQUIRE_SERVICES"),
    "redis": (_redis_missing, "REQUIRE_SERVICES"),
    "browser": (_browser_missing, "REQUIRE_BROWSER"),
}


def service_missing_reason(marker: str) -> str | None:
    """Why the service behind `marker` is unavailable here, or None when it is available."""
    return SERVICE_MARKERS[marker][0]()


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    transactional = bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    return transactional or "transactional_db" in fixtures or "live_server" in fixtures


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Transactional tests (django_db(transaction=True), transactional_db, live_server) end with a flush that empties
    every table, including the rows data migrations put there (business types, check items, risk schemes...).
    Give them serialized rollback, so each one starts from the post-migration contents again and later tests see
    the same reference rows as on the first run (this matters on PostgreSQL, where those tests run)."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if not _is_transactional(item) or (marker and "serialized_rollback" in marker.kwargs):
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        kwargs.update(transaction=True, serialized_rollback=True)
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)
    _long_first(items)


# The longest tests (seconds each: schemathesis ~2 min, the marked `slow` ones) are sent first, so that under
# xdist they run beside the rest of the suite instead of after it on one worker while the other worker idles.
# pytest-django sorts the items (database tests, transactional tests, the rest); this runs after it.
LONG_FIRST_MARKERS = ("schemathesis", "slow")


def _long_first(items):
    items.sort(key=lambda item: not any(item.get_closest_marker(name) for name in LONG_FIRST_MARKERS))


# After a transactional test its flush has emptied every table; put back what the session started from (the
# post-migration rows, the reference data, an empty audit chain) at once, committed, so the tests that follow on the
# same worker find it instead of each reloading it inside its own (rolled-back) transaction. This is what lets
# transactional tests run anywhere in the order (a long one first, xdist work stealing) at no per-test cost.
_SESSION: dict = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    blocker = _SESSION.get("blocker")
    if blocker is not None and _is_transactional(item):
        with blocker.unblock():
            _session_state_restore()
    return result


def _session_state_restore():
    from django.db import connection

    snapshot = _SESSION.get("sqlite_snapshot")
    if snapshot is not None:
        # SQLite (make test): copy the whole database back, page by page, from the in-memory snapshot taken at the
        # end of the session setup — milliseconds, where re-inserting the rows object by object took ~0.6 s a test.
        connection.ensure_connection()
        snapshot.backup(connection.connection)
        return
    if _reference_present() and _permissions_present():
        return  # the test was skipped before its database was set up: nothing was flushed
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        connection.creation.deserialize_db_from_string(contents)
    _reference_load()
    _audit_chain_reset()
    _sequences_past_restored_rows()


def _sequences_past_restored_rows():
    """The restored rows keep their ids; a flush that reset the sequences (``flush``'s default) would make the next
    insert on PostgreSQL reuse id 1. Move every sequence past its table's largest id (no-op on SQLite)."""
    from django.apps import apps as registry
    from django.core.management.color import no_style
    from django.db import connection

    models = [m for m in registry.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    statements = connection.ops.sequence_reset_sql(no_style(), models)  # unmanaged models have no table
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _skip_setup_deserialization():
    """Serialized rollback loads the post-migration rows again before every transactional test; here the state is
    already there when any test starts (the session setup loaded it, and the teardown hook above restores it after
    each transactional test's flush), so that second load (~2 s a test) is skipped. ``serialized_rollback`` itself
    stays on: it makes the teardown flush leave permissions and content types to the restore (no post_migrate).
    Returns the function that puts Django's method back."""
    from django.test import TransactionTestCase

    original = TransactionTestCase.__dict__["_fixture_setup"]

    def _fixture_setup(cls):
        serialized, cls.serialized_rollback = cls.serialized_rollback, False
        try:
            original.__func__(cls)
        finally:
            cls.serialized_rollback = serialized

    TransactionTestCase._fixture_setup = classmethod(_fixture_setup)

    def restore():
        TransactionTestCase._fixture_setup = original

    return restore


def _sqlite_snapshot():
    """On SQLite, a copy of the test database as the session setup left it (``sqlite3`` backup API), or None."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    snapshot = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(snapshot)
    return snapshot


def _permissions_present() -> bool:
    from django.contrib.auth.models import Permission

    return Permission.objects.exists()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Just before pytest-django creates the test database: on SQLite, the migrated database comes from the on-disk
    cache (tests/helpers/dbcache.py: built by the first worker, keyed by a hash of the code and migrations)."""
    from tests.helpers import dbcache

    restore = dbcache.install()
    yield
    restore()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's database setup, plus: the serialized post-migration contents stay reachable from every
    connection wrapper. Django keeps them on the wrapper object, but once Playwright's sync API has started an event
    loop in this process, asgiref hands out a new wrapper (context-local) that lacks them, and serialized rollback
    would silently do nothing. This project has one database alias, so the class attribute is unambiguous."""
    from django.db import connections

    patched = []
    if len(connections.settings) == 1:
        wrapper = connections[DEFAULT_DB_ALIAS]
        contents = getattr(wrapper, "_test_serialized_contents", None)
        if contents is not None:
            type(wrapper)._test_serialized_contents = contents
            patched.append(type(wrapper))
    # Reference data once per test database (issue 9 point 6), not before every test: tests run in transactions
    # that roll back, so the rows stay; a transactional test's flush removes them and `reference` reloads them.
    with django_db_blocker.unblock():
        _reference_load()
        _audit_chain_reset()
        snapshot = _sqlite_snapshot()
    if snapshot is not None:
        _SESSION["sqlite_snapshot"] = snapshot
    _SESSION["blocker"] = django_db_blocker
    restore_setup = _skip_setup_deserialization()
    yield
    restore_setup()
    _SESSION.pop("blocker", None)
    snapshot = _SESSION.pop("sqlite_snapshot", None)
    if snapshot is not None:
        snapshot.close()
    for cls in patched:
        del cls._test_serialized_contents


def pytest_report_header(config):
    """One line saying which services this run has, so a log tells at once what was skipped and why."""
    parts = []
    for name in SERVICE_MARKERS:
        reason = service_missing_reason(name)
        parts.append(f"{name}={'可用' if reason is None else '缺少'}")
    flags = f"REQUIRE_SERVICES={os.environ.get('REQUIRE_SERVICES', '0')} REQUIRE_BROWSER={os.environ.get('REQUIRE_BROWSER', '0')}"
    return f"服务：{' '.join(parts)}；{flags}"


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    for name, (missing, require_var) in SERVICE_MARKERS.items():
        if item.get_closest_marker(name) is None:
            continue
        reason = missing()
        if reason is None:
            continue
        if os.environ.get(require_var) == "1":
            pytest.fail(f"{require_var}=1 但服务不可用，测试不能跳过：{reason}", pytrace=False)
        pytest.skip(reason)


# Reference rows that data migrations load (model label, migration module, loader). A transactional test's flush
# empties them; serialized rollback restores them for transactional tests, and this restores them for any test
# that asks for `reference`, whatever ran before it on the same worker.
MIGRATION_REFERENCE_DATA = (
    ("enterprises.BusinessType", "apps.enterprises.migrations.0002_reference_business_types", "load"),
    ("standards.CheckItem", "apps.standards.migrations.0002_starter_check_items", "load"),
    ("standards.TestLimit", "apps.standards.migrations.0004_starter_catalogue", "load"),
    ("risk.RiskScheme", "apps.risk.migrations.0002_reference_schemes", "load"),
    ("inspections.KeyInspectionRule", "apps.inspections.migrations.0005_key_rules_and_final_guard", "load_rules"),
    ("sampling.QuotaRate", "apps.sampling.migrations.0004_plans_default_config", "load"),
    ("incidents.RewardRule", "apps.incidents.migrations.0002_complaints_defaults", "forwards"),
    ("assessment.Campaign", "apps.assessment.migrations.0002_campaigns_defaults", "load"),
    ("assessment.AssessmentScheme", "apps.assessment.migrations.0004_schemes_default", "forwards"),
)


def ensure_migration_reference_data() -> list[str]:
    import importlib

    from django.apps import apps as registry

    reloaded = []
    for label, module, loader in MIGRATION_REFERENCE_DATA:
        app_label = label.split(".")[0]
        if not registry.is_installed(f"apps.{app_label}") or registry.get_model(label).objects.exists():
            continue
        getattr(importlib.import_module(module), loader)(registry, None)
        reloaded.append(label)
    return reloaded


def _reference_load():
    from django.contrib.auth.models import Permission
    from django.core.management.sql import emit_post_migrate_signal

    if not Permission.objects.exists():
        # After the last transactional test of a run its flush (post_migrate inhibited by serialized rollback)
        # leaves no permissions or content types until the next transactional test restores them: recreate them,
        # or the role groups would be synced empty.
        emit_post_migrate_signal(verbosity=0, interactive=False, db=DEFAULT_DB_ALIAS)
    ensure_migration_reference_data()
    reference_data_load()
    roles_sync()


def _audit_chain_reset():
    """The session load's audit events are setup, not test data: every test starts from an empty chain (seq 1),
    as it did when each test loaded the reference itself. TRUNCATE (PostgreSQL refuses DELETE on the chain), with
    CASCADE for the rows that point at events (import records: none exist yet at session start)."""
    from django.core.management.color import no_style
    from django.db import connection

    from apps.common.models import AuditChainHead, AuditEvent

    tables = [AuditEvent._meta.db_table, AuditChainHead._meta.db_table]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
    connection.ops.execute_sql_flush(statements)


def _reference_present() -> bool:
    from apps.accounts.roles import ROLES

    return Township.objects.count() >= 12 and Group.objects.filter(permissions__isnull=False).distinct().count() >= len(
        ROLES
    )


@pytest.fixture
def reference(db):
    """Haining's 12 townships, populations and role groups, as `make run` loads them (and the migration data).

    Loaded once per test database by django_db_setup; reloaded only after a transactional test flushed them."""
    if not _reference_present():
        _reference_load()


@pytest.fixture
def township_a(reference):
    return Township.objects.get(code="xiashi")


@pytest.fixture
def township_b(reference):
    return Township.objects.get(code="xucun")


def make_user(username, role_code=None, townships=(), **extra):
    from apps.accounts.models import User

    user = User.objects.create_user(username=username, password="Test#pass-2026", full_name=username, **extra)
    if role_code:
        user.groups.add(Group.objects.get(name=ROLE_BY_CODE[role_code].label))
        user.is_staff = ROLE_BY_CODE[role_code].admin_role
        user.save(update_fields=["is_staff"])
    if townships:
        user.townships.set(townships)
    return user


@pytest.fixture
def user_factory(reference):
    return make_user


@pytest.fixture
def staff_a(reference, township_a):
    return make_user("staff_a", "township_staff", [township_a])


@pytest.fixture
def staff_b(reference, township_b):
    return make_user("staff_b", "township_staff", [township_b])


@pytest.fixture
def inspector_a(reference, township_a):
    return make_user("inspector_a", "inspector", [township_a])


@pytest.fixture
def city_staff(reference):
    return make_user("city_staff", "city_staff")


@pytest.fixture
def leader(reference):
    return make_user("leader", "city_leader")


@pytest.fixture
def complaint_officer(reference):
    return make_user("complaint_officer", "complaint_officer")


@pytest.fixture
def sys_admin(reference):
    return make_user("sys_admin", "sys_admin")


@pytest.fixture
def security_admin(reference):
    return make_user("security_admin", "security_admin")


@pytest.fixture
def audit_admin(reference):
    return make_user("audit_admin", "audit_admin")


@pytest.fixture
def user_without_perms(reference, township_a):
    return make_user("nobody", None, [township_a])


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture(autouse=True)
def _permission_cache_generation():
    """Each test starts a new generation of apps.accounts.permcache: a rolled-back test may re-use a user id (and,
    under a frozen clock, its date_joined), so an entry cached by an earlier test must not be read."""
    from apps.accounts import permcache

    permcache.bump()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (locmem in tests): what an earlier test kept — the quota page's figures,
    keyed by township and year, ids that a rolled-back test re-uses — must not be read."""
    from django.core.cache import cache

    cache.clear()
