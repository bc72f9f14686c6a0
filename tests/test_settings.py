"""Settings read the environment; production refuses to start without a strong key, PostgreSQL, Redis and hosts."""

import base64
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
STRONG_KEY = secrets.token_urlsafe(64)
FIELD_KEY = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
PRODUCTION = "haining_foodsafety.settings.production"
SAMPLE_ENV = {
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "FIELD_ENCRYPTION_KEY": FIELD_KEY,
    "DRAW_SIGNING_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    # `check --deploy` does not connect: a PostgreSQL URL nobody listens on proves it.
    "DATABASE_URL": "postgres://haining_app:secret@127.0.0.1:9/haining",
    "REDIS_URL": "redis://127.0.0.1:9/0",
    "DJANGO_ALLOWED_HOSTS": "shipin.example.gov.cn",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://shipin.example.gov.cn",
}


def run_python(args, env_overrides, settings_module=PRODUCTION):
    """Run `python <args>` in the project with a clean environment (only PATH/HOME/LANG kept)."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG", "SYSTEMROOT") if k in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_locale_timezone_and_user_model():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.AUTH_USER_MODEL == "accounts.User"
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"


# One subprocess evaluates the settings modules under several environments (fresh imports each time), so the
# refusal cases cost one interpreter start instead of ten.
PROBE = r"""
import importlib, json, os, sys
cases = json.loads(sys.stdin.read())
base_env = dict(os.environ)
out = {}
for case in cases:
    os.environ.clear()
    os.environ.update(base_env)
    os.environ.update(case["env"])
    for name in [m for m in sys.modules if m.startswith("haining_foodsafety.settings")]:
        del sys.modules[name]
    try:
        s = importlib.import_module(case["module"])
    except Exception as exc:
        out[case["id"]] = {"error": type(exc).__name__, "message": str(exc)}
        continue
    db = s.DATABASES["default"]
    out[case["id"]] = {
        "engine": db["ENGINE"], "name": str(db["NAME"]), "eager": s.CELERY_TASK_ALWAYS_EAGER,
        "propagates": s.CELERY_TASK_EAGER_PROPAGATES, "broker": s.CELERY_BROKER_URL,
        "cache": s.CACHES["default"]["BACKEND"], "lang": s.LANGUAGE_CODE, "tz": s.TIME_ZONE,
        "user": s.AUTH_USER_MODEL, "debug": s.DEBUG, "demo": s.DEMO_MODE,
    }
print(json.dumps(out))
"""
BASE = "haining_foodsafety.settings.base"
REFUSALS = {
    "no-key": ({"DJANGO_SECRET_KEY": ""}, "强密钥"),
    "short-key": ({"DJANGO_SECRET_KEY": "short-key"}, "强密钥"),
    "low-entropy-key": ({"DJANGO_SECRET_KEY": "ab" * 40}, "强密钥"),
    "placeholder-key": ({"DJANGO_SECRET_KEY": "change-me-" + STRONG_KEY}, "强密钥"),
    "insecure-key": ({"DJANGO_SECRET_KEY": "django-insecure-" + STRONG_KEY}, "强密钥"),
    "no-field-key": ({"FIELD_ENCRYPTION_KEY": ""}, "FIELD_ENCRYPTION_KEY"),
    "no-draw-key": ({"DRAW_SIGNING_KEY": ""}, "DRAW_SIGNING_KEY"),
    "no-database": ({"DATABASE_URL": ""}, "PostgreSQL"),
    "sqlite": ({"DATABASE_URL": "sqlite:////tmp/hn-prod.sqlite3"}, "PostgreSQL"),
    "no-redis": ({"REDIS_URL": ""}, "Redis"),
    "no-hosts": ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS"),
    "wildcard-host": ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS"),
}


def _without_empty(env):
    return {k: v for k, v in env.items() if v != ""}


@pytest.fixture(scope="module")
def evaluated():
    import json

    cases = [
        {"id": "embedded", "module": BASE, "env": {}},
        {
            "id": "real-stack",
            "module": BASE,
            "env": {"DATABASE_URL": "postgres://u:p@db.example:5432/hn", "REDIS_URL": "redis://cache.example:6379/2"},
        },
        {"id": "production", "module": PRODUCTION, "env": SAMPLE_ENV},
    ]
    for case_id, (overrides, _) in REFUSALS.items():
        # Empty means "unset": the probe starts from the clean environment of run_python.
        cases.append({"id": case_id, "module": PRODUCTION, "env": _without_empty({**SAMPLE_ENV, **overrides})})
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_default_is_sqlite_and_eager_celery(evaluated):
    values = evaluated["embedded"]
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("db.sqlite3")
    assert values["eager"] is True and values["propagates"] is True
    assert values["broker"] == "memory://"
    assert values["debug"] is False and values["demo"] is False
    assert (values["lang"], values["tz"], values["user"]) == ("zh-hans", "Asia/Shanghai", "accounts.User")


def test_environment_switches_to_postgres_and_redis(evaluated):
    values = evaluated["real-stack"]
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "hn"
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.example:6379/2"
    assert values["cache"] == "django_redis.cache.RedisCache"


def test_production_settings_values(evaluated):
    values = evaluated["production"]
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["eager"] is False
    assert values["debug"] is False and values["demo"] is False
    assert values["cache"] == "django_redis.cache.RedisCache"
    assert (values["lang"], values["tz"], values["user"]) == ("zh-hans", "Asia/Shanghai", "accounts.User")


@pytest.mark.parametrize("case_id", list(REFUSALS))
def test_production_refuses_to_start(evaluated, case_id):
    outcome = evaluated[case_id]
    assert outcome.get("error") == "ImproperlyConfigured", outcome
    assert outcome["message"].startswith("生产环境需要"), outcome
    assert REFUSALS[case_id][1] in outcome["message"]


def test_production_refuses_to_start_the_process():
    """The same refusal, end to end: `manage.py check` exits non-zero with the Chinese message."""
    env = _without_empty({**SAMPLE_ENV, "REDIS_URL": ""})
    result = run_python(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "生产环境需要 Redis" in result.stderr


def test_production_check_deploy_passes_without_warnings():
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SAMPLE_ENV)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS:" not in output, output
