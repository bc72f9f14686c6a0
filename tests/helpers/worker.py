"""A REAL Celery worker process for the tests (tests/common/test_worker_redis.py, tests/common/test_faults.py).

``broker_queue`` points the Celery app of the test process at a broker (REDIS_URL unless given) and routes jobs onto
a queue of its own; ``start_worker`` starts a worker process on that queue, pointed at the test database; every
process is ended by its PID (``stop_worker``). ``hard_timeout`` bounds a test in wall time (SIGALRM).
"""

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def test_database_url() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's test_<name>, per xdist worker)."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(s['NAME'], safe='')}"


test_database_url.__test__ = False  # not a test, despite the name


def _reset_pools(app) -> None:
    """Forget cached broker pools/routes so a new broker URL and routes take effect."""
    app._pool = None
    app.amqp._producer_pool = None
    app.amqp.__dict__.pop("router", None)
    app.amqp.flush_routes()


@contextlib.contextmanager
def broker_queue(broker_url: str | None = None):
    """Publish through the real broker onto a queue of our own; restore the Celery app afterwards."""
    from haining_foodsafety.celery import app

    broker_url = broker_url or os.environ["REDIS_URL"]
    queue = f"hn-test-{uuid.uuid4().hex[:12]}"
    keys = ("task_always_eager", "broker_url", "task_routes", "broker_transport_options", "task_publish_retry_policy")
    saved = {k: app.conf[k] for k in keys}
    app.conf.task_always_eager = False
    app.conf.broker_url = broker_url
    app.conf.task_routes = {"common.run_job": {"queue": queue}}
    # A broker that is down must not hang the publisher: a few quick retries, then the outbox row stays pending.
    app.conf.task_publish_retry_policy = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
    _reset_pools(app)
    try:
        yield queue
    finally:
        for key, value in saved.items():
            app.conf[key] = value
        _reset_pools(app)
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis.from_url(broker_url, socket_connect_timeout=1, socket_timeout=1)
            client.delete(queue, f"_kombu.binding.{queue}")
            client.close()


def start_worker(queue: str, *, broker_url: str | None = None, pool: str = "solo", concurrency: int = 1, env=None):
    """Start ``celery worker`` on ``queue`` against the test database; its log path is ``proc.log_path``."""
    log = tempfile.NamedTemporaryFile(prefix="hn-worker-", suffix=".log", delete=False)
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "haining_foodsafety.settings.test"),
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": broker_url or os.environ["REDIS_URL"],
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    cmd = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "haining_foodsafety",
        "worker",
        f"--pool={pool}",
        f"--concurrency={concurrency}",
        "-l",
        "warning",
        "-Q",
        queue,
        "-n",
        f"{queue}-{uuid.uuid4().hex[:6]}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    proc = subprocess.Popen(cmd, cwd=BASE_DIR, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name
    log.close()
    return proc


def stop_worker(proc) -> None:
    proc.terminate()  # warm shutdown, by PID
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(proc.log_path)


def worker_log(proc) -> str:
    return Path(proc.log_path).read_text(errors="replace")[-3000:]


def child_pids(pid: int) -> list[int]:
    """The direct children of ``pid`` (Linux /proc), e.g. the prefork pool processes of a worker we started."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(c) for c in (task / "children").read_text().split()]
    return children


class HardTimeout(Exception):
    pass


@contextlib.contextmanager
def hard_timeout(seconds: int):
    """Fail the block (and so the test, with its finalizers run) after ``seconds`` of wall time."""

    def expire(signum, frame):
        raise HardTimeout(f"超过硬性时限 {seconds} 秒")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
