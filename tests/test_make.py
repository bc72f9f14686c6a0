"""`make run`'s data step (setup_demo) and the service markers every other test relies on."""

import io
import os
import socket
from contextlib import nullcontext

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from apps.accounts.models import Township, User
from apps.accounts.services import DEMO_ACCOUNTS
from apps.common.management.commands import setup_demo
from tests import conftest

# ---------------------------------------------------------------- setup_demo


def run_setup_demo(*args):
    out = io.StringIO()
    call_command("setup_demo", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_setup_demo_loads_reference_creates_accounts_and_prints_them_last():
    output = run_setup_demo("--enterprises", "0", "--password", "Demo#pass-2026")
    assert Township.objects.count() == 12
    usernames = [row[0] for row in DEMO_ACCOUNTS]
    assert set(User.objects.filter(username__in=usernames).values_list("username", flat=True)) == set(usernames)
    assert User.objects.get(username="zhenjie").check_password("Demo#pass-2026")
    # The accounts table comes after everything else so it stays on screen above the server banner.
    tail = output[output.index("演示账户") :]
    for username in usernames:
        assert username in tail
    assert "Demo#pass-2026" in tail
    assert output.rstrip().endswith("演示环境已就绪。")


@pytest.mark.django_db
def test_setup_demo_is_idempotent(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Second#pass-2026")
    run_setup_demo("--enterprises", "0")
    run_setup_demo("--enterprises", "0")
    assert Township.objects.count() == 12
    assert User.objects.filter(username__in=[row[0] for row in DEMO_ACCOUNTS]).count() == len(DEMO_ACCOUNTS)
    assert User.objects.get(username="shenji").check_password("Second#pass-2026")


@pytest.mark.django_db
def test_setup_demo_default_password_is_documented():
    run_setup_demo("--enterprises", "0")
    assert User.objects.get(username="lingdao").check_password(setup_demo.DEFAULT_DEMO_PASSWORD)
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert setup_demo.DEFAULT_DEMO_PASSWORD in readme


@pytest.mark.django_db
def test_setup_demo_calls_seed_demo_only_when_registered(monkeypatch):
    calls = []
    real_call_command = setup_demo.call_command

    def spy(name, *args, **kwargs):
        if name == "seed_demo":
            calls.append(args)
            return None
        return real_call_command(name, *args, **kwargs)

    monkeypatch.setattr(setup_demo, "call_command", spy)
    monkeypatch.setattr(setup_demo, "get_commands", lambda: {"seed_demo": "fake"})
    run_setup_demo("--enterprises", "25")
    assert calls == [("--enterprises", "25")]

    calls.clear()
    monkeypatch.setattr(setup_demo, "get_commands", lambda: {})
    output = run_setup_demo("--enterprises", "25")
    assert calls == []
    assert "seed_demo" in output


def test_setup_demo_refuses_outside_demo_mode(settings):  # noqa: F811 (pytest-django's settings fixture)
    from django.core.management.base import CommandError

    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="演示模式"):
        run_setup_demo("--enterprises", "0")


# ---------------------------------------------------------------- service markers (tests/conftest.py)


class FakeItem:
    def __init__(self, *markers):
        self.markers = set(markers)

    def get_closest_marker(self, name):
        return object() if name in self.markers else None


@pytest.fixture
def service_states(monkeypatch):
    """Pretend each service is present (None) or missing (a reason)."""
    states = {"postgres": None, "redis": None, "browser": None}
    patched = {
        name: (lambda name=name: states[name], require) for name, (_, require) in conftest.SERVICE_MARKERS.items()
    }
    monkeypatch.setattr(conftest, "SERVICE_MARKERS", patched)
    monkeypatch.delenv("REQUIRE_SERVICES", raising=False)
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)
    return states


@pytest.mark.parametrize(
    ("marker", "require_var"),
    [("postgres", "REQUIRE_SERVICES"), ("redis", "REQUIRE_SERVICES"), ("browser", "REQUIRE_BROWSER")],
)
def test_marker_skips_with_reason_or_fails_when_required(service_states, monkeypatch, marker, require_var):
    service_states[marker] = "需要某服务：未设置"
    with pytest.raises(pytest.skip.Exception, match="需要某服务"):
        conftest.pytest_runtest_setup(FakeItem(marker))

    monkeypatch.setenv(require_var, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{require_var}=1.*需要某服务"):
        conftest.pytest_runtest_setup(FakeItem(marker))


def test_marker_runs_when_service_present_and_ignores_unmarked(service_states, monkeypatch):
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    conftest.pytest_runtest_setup(FakeItem("postgres", "redis", "browser"))  # all present: nothing raised
    service_states["redis"] = "需要 Redis"
    conftest.pytest_runtest_setup(FakeItem("slow"))  # unmarked for redis: nothing raised
    with pytest.raises(pytest.fail.Exception):
        conftest.pytest_runtest_setup(FakeItem("postgres", "redis"))


def test_browser_requirement_does_not_follow_services_flag(service_states, monkeypatch):
    service_states["browser"] = "需要浏览器"
    monkeypatch.setenv("REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.skip.Exception):
        conftest.pytest_runtest_setup(FakeItem("browser"))


def test_redis_probe(monkeypatch):
    probe = conftest._redis_missing.__wrapped__
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert "REDIS_URL" in probe()

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{port}/0")
    assert "无法连接" in probe()

    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(1)
        monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{listening.getsockname()[1]}/0")
        assert probe() is None


def test_postgres_probe_follows_the_configured_database():
    assert (conftest._postgres_missing.__wrapped__() is None) == (connection.vendor == "postgresql")


def test_browser_probe_follows_chromium(monkeypatch):
    monkeypatch.setattr(conftest, "CHROMIUM", "/nonexistent/chromium")
    assert "chromium" in conftest._browser_missing.__wrapped__()


# The markers themselves, on the real services: skipped here without them, required in CI (.ci/run).


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_marker_runs_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cur:
        cur.execute("SHOW server_version_num")
        assert int(cur.fetchone()[0]) >= 150000


@pytest.mark.redis
def test_redis_marker_runs_with_redis():
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=2)
    assert client.ping() is True


@pytest.mark.browser
def test_browser_marker_finds_chromium():
    assert os.access(conftest.CHROMIUM, os.X_OK)


class CollectedItem:
    def __init__(self, marker=None, fixturenames=()):
        self.markers = [marker.mark] if marker is not None else []
        self.fixturenames = list(fixturenames)

    def get_closest_marker(self, name):
        return next((m for m in self.markers if m.name == name), None)

    def add_marker(self, marker, append=True):
        mark = getattr(marker, "mark", marker)
        self.markers.insert(len(self.markers) if append else 0, mark)


def test_transactional_tests_get_serialized_rollback():
    plain = CollectedItem(pytest.mark.django_db)
    marked = CollectedItem(pytest.mark.django_db(transaction=True, databases=["default"]))
    by_fixture = CollectedItem(None, ["transactional_db"])
    live = CollectedItem(None, ["live_server"])
    explicit = CollectedItem(pytest.mark.django_db(transaction=True, serialized_rollback=False))
    no_db = CollectedItem(None, ["settings"])
    conftest.pytest_collection_modifyitems(None, [plain, marked, by_fixture, live, explicit, no_db])

    for item in (marked, by_fixture, live):
        mark = item.get_closest_marker("django_db")
        assert mark.kwargs["transaction"] is True and mark.kwargs["serialized_rollback"] is True
    assert marked.get_closest_marker("django_db").kwargs["databases"] == ["default"]
    assert "serialized_rollback" not in plain.get_closest_marker("django_db").kwargs
    assert explicit.get_closest_marker("django_db").kwargs["serialized_rollback"] is False  # an explicit choice stays
    assert no_db.get_closest_marker("django_db") is None


@pytest.mark.django_db
def test_reference_fixture_restores_migration_data_after_a_flush():
    """A transactional test's flush empties the rows data migrations loaded; `reference` puts them back."""
    from apps.enterprises.models import BusinessType
    from apps.standards.models import CheckItem
    from tests.conftest import ensure_migration_reference_data

    count = BusinessType.objects.count()
    BusinessType.objects.filter(parent__isnull=False).delete()
    BusinessType.objects.all().delete()
    CheckItem.objects.all().delete()
    assert set(ensure_migration_reference_data()) >= {"enterprises.BusinessType", "standards.CheckItem"}
    assert BusinessType.objects.count() == count and CheckItem.objects.exists()
    assert ensure_migration_reference_data() == []


def test_long_tests_are_collected_first_and_the_rest_keep_their_order():
    plain = CollectedItem(pytest.mark.django_db)
    contract = CollectedItem(pytest.mark.schemathesis)
    other = CollectedItem(None, ["settings"])
    slow = CollectedItem(pytest.mark.slow)
    items = [plain, contract, other, slow]
    conftest.pytest_collection_modifyitems(None, items)
    assert items == [contract, slow, plain, other]


@pytest.mark.django_db(transaction=True)
def test_session_state_restore_puts_back_what_a_flush_removed(reference):
    from django.contrib.auth.models import Group, Permission

    from apps.common.models import AuditEvent
    from apps.enterprises.models import BusinessType
    from apps.standards.models import TestLimit

    before = (BusinessType.objects.count(), TestLimit.objects.count(), Permission.objects.count())
    # As a transactional test's own teardown flushes: without resetting sequences (flush's default resets them,
    # and the restored rows keep their ids, so the next insert on PostgreSQL would collide with id 1).
    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True, reset_sequences=False)
    assert not Township.objects.exists() and not Permission.objects.exists() and not BusinessType.objects.exists()

    conftest._session_state_restore()
    assert (BusinessType.objects.count(), TestLimit.objects.count(), Permission.objects.count()) == before
    assert Township.objects.count() == 12 and Group.objects.filter(permissions__isnull=False).exists()
    assert not AuditEvent.objects.exists()  # the reload's own events are setup, as at session start


def _run_teardown_hook(item):
    hook = conftest.pytest_runtest_teardown(item, None)
    next(hook)
    with pytest.raises(StopIteration):
        hook.send(None)


def test_the_state_is_restored_after_transactional_tests_only(monkeypatch):
    calls = []
    monkeypatch.setattr(conftest, "_session_state_restore", lambda: calls.append(1))
    monkeypatch.setitem(conftest._SESSION, "blocker", type("Blocker", (), {"unblock": lambda self: nullcontext()})())
    _run_teardown_hook(CollectedItem(pytest.mark.django_db))
    _run_teardown_hook(CollectedItem(None, ["settings"]))
    assert calls == []
    _run_teardown_hook(CollectedItem(pytest.mark.django_db(transaction=True)))
    _run_teardown_hook(CollectedItem(None, ["live_server"]))
    assert calls == [1, 1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_inserts_after_a_restore_do_not_reuse_restored_ids(reference):
    """A flush that resets the sequences, then the restore: the next insert gets a fresh id (CI once failed with
    'duplicate key ... standards_samplingcategory_pkey (id)=(1)' after such a flush)."""
    from apps.standards.models import SamplingCategory

    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)  # resets the sequences
    conftest._session_state_restore()
    top = SamplingCategory.objects.order_by("-pk").values_list("pk", flat=True).first()
    created = SamplingCategory.objects.create(code="seq-check", name="序列检查", level=1)
    assert created.pk > top


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", [1, 2])
def test_a_transactional_test_starts_from_the_full_state(round_):
    """Without serialized rollback's setup load (skipped: the teardown hook already restored the state), a
    transactional test still starts with the post-migration rows, the reference data and the permissions; round 2
    runs after round 1's flush when both land on one worker."""
    from django.contrib.auth.models import Group, Permission

    from apps.enterprises.models import BusinessType
    from apps.standards.models import SamplingCategory

    assert Township.objects.count() == 12 and Permission.objects.exists()
    assert BusinessType.objects.exists() and SamplingCategory.objects.exists()
    assert Group.objects.filter(permissions__isnull=False).exists()
    Township.objects.filter(code="xiashi").update(name=f"改名{round_}")  # flushed and restored after the test


def test_browser_fixtures_are_used_from_tests_browser_only():
    """A module elsewhere that imports the browser fixtures defines a second session-wide `chromium`: two Playwright
    instances in one worker ("Sync API inside the asyncio loop", CI failed on it). Browser tests live in tests/browser."""
    root = settings.BASE_DIR / "tests"
    needle = "tests.browser" + ".conftest"  # split, so this file does not match itself
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "browser" not in path.relative_to(root).parts[:1] and needle in path.read_text("utf-8")
    ]
    assert offenders == []
