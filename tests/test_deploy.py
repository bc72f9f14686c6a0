"""Production plumbing: docker-compose.yml, Dockerfile and the restricted application database role."""

import contextlib
import io
import os
import re
import shutil
import subprocess
import uuid

import pytest
import yaml
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction

from apps.accounts.models import Township
from apps.common.audit import audit_record
from apps.common.models import AuditEvent

ROOT = settings.BASE_DIR
DUMMY_ENV = {
    "DJANGO_SECRET_KEY": "dummy",
    "FIELD_ENCRYPTION_KEY": "dummy",
    "DRAW_SIGNING_KEY": "dummy",
    "DJANGO_ALLOWED_HOSTS": "shipin.example.cn",
    "POSTGRES_PASSWORD": "dummy",
    "APP_DB_PASSWORD": "dummy",
}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_the_production_services_with_health_checks(compose):
    services = compose["services"]
    assert {"postgres", "redis", "init", "web", "worker", "beat"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert "--appendonly" in services["redis"]["command"] and "yes" in services["redis"]["command"]
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name], name
    assert set(compose["volumes"]) >= {"pgdata", "redisdata", "media", "static"}


def test_compose_app_services_wait_for_healthy_backends_and_use_production_settings(compose):
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        deps = service["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
        assert deps["init"]["condition"] == "service_completed_successfully"
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "haining_foodsafety.settings.production"
        assert "APP_DB_USER" in env["DATABASE_URL"]  # the restricted role, not the owner
    assert "gunicorn" in compose["services"]["web"]["command"]
    assert "worker" in compose["services"]["worker"]["command"]
    assert "beat" in compose["services"]["beat"]["command"]
    init = compose["services"]["init"]
    assert "POSTGRES_USER" in init["environment"]["DATABASE_URL"]
    assert "db_app_role" in " ".join(init["command"])


def test_env_example_lists_every_required_compose_variable():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    defined = set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    assert required and required <= defined


@pytest.mark.skipif(
    shutil.which("docker-compose") is None, reason="未安装 docker-compose（apt-get install docker-compose）"
)
def test_docker_compose_config_validates_and_requires_secrets():
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    cmd = ["docker-compose", "-f", "docker-compose.yml", "--project-directory", str(ROOT), "config", "-q"]
    ok = subprocess.run(cmd, cwd=ROOT, env={**base, **DUMMY_ENV}, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    missing = {k: v for k, v in DUMMY_ENV.items() if k != "DJANGO_SECRET_KEY"}
    refused = subprocess.run(cmd, cwd=ROOT, env={**base, **missing}, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "DJANGO_SECRET_KEY" in refused.stderr


def test_dockerfile_runs_as_non_root_with_cjk_fonts():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim$", text, flags=re.MULTILINE)
    assert "fonts-noto-cjk" in text
    assert "pip install -r requirements.txt" in text
    assert "collectstatic" in text
    user_lines = [line for line in text.splitlines() if line.startswith("USER ")]
    assert user_lines and user_lines[-1].split()[1] not in ("root", "0")


# ---------------------------------------------------------------- db_app_role (PostgreSQL only)


@pytest.mark.postgres
@pytest.mark.django_db
def test_app_role_has_dml_but_no_truncate_and_cannot_change_audit_rows(reference):
    # Everything here (including CREATE ROLE) runs inside the test's transaction and is rolled back with it.
    role = f"hn_test_app_{uuid.uuid4().hex[:10]}"
    out = io.StringIO()
    call_command("db_app_role", role, stdout=out)
    assert "common_auditevent" in out.getvalue()
    if django_apps.is_installed("apps.inspections"):  # its draw tables carry an *_append_only trigger
        assert "inspections_draw" in out.getvalue()
    audit_record("test.before_role")
    township = Township.objects.order_by("pk").first()

    @contextlib.contextmanager
    def as_app_role():
        from psycopg2 import sql

        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
            yield cur
            cur.execute("RESET ROLE")

    # Ordinary work succeeds: reads, updates, and appending to the audit chain (insert + chain head update).
    with as_app_role() as cur:
        cur.execute("SELECT count(*) FROM accounts_township")
        assert cur.fetchone()[0] == 12
        cur.execute("UPDATE accounts_township SET name = name WHERE id = %s", [township.pk])
        audit_record("test.as_app_role")
    assert AuditEvent.objects.filter(action="test.as_app_role").exists()

    refused = [
        "TRUNCATE common_auditevent",
        "TRUNCATE accounts_township CASCADE",
        "UPDATE common_auditevent SET action = 'forged'",
        "DELETE FROM common_auditevent",
        "ALTER TABLE common_auditevent DISABLE TRIGGER ALL",
        "CREATE TABLE hn_intruder (id int)",
        "DROP TABLE accounts_township CASCADE",
    ]
    for statement in refused:
        with pytest.raises(ProgrammingError, match="permission denied|must be owner"), as_app_role() as cur:
            cur.execute(statement)

    # Idempotent: a second run (every `docker-compose up`) changes nothing and does not fail.
    call_command("db_app_role", role, stdout=io.StringIO())


@pytest.mark.django_db
def test_app_role_command_refuses_other_databases(monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("db_app_role", "haining_app")
