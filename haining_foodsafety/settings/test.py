"""Test settings: same code path, faster hashing, isolated media; DATABASE_URL/REDIS_URL still respected."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import API_THROTTLE, REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="hn-media-")
# WhiteNoise warns when STATIC_ROOT does not exist (no collectstatic in tests); assets come from the finders.
STATIC_ROOT = tempfile.mkdtemp(prefix="hn-static-")
DRAW_DIGEST_DIR = Path(tempfile.mkdtemp(prefix="hn-draw-digests-"))
AUDIT_ANCHOR_DIR = tempfile.mkdtemp(prefix="hn-anchors-")
DEMO_MODE = True
# The request-level tests use locmem cache so throttles/idempotency don't leak between tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Figures computed on every request (a test adds rows and reads them back); tests/dashboard tests the kept figures.
DASHBOARD_CACHE_SECONDS = 0
# The suite runs tasks eagerly; the real-worker test starts its own worker against REDIS_URL.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = REDIS_URL or "memory://"
# The same throttle code runs in the suite, at rates no test reaches (counters in the shared locmem cache outlive a
# test); tests/common/test_api_throttling.py sets the real ones.
API_THROTTLE = {**API_THROTTLE, "anon": ["100000/min"], "user": ["100000/min"], "client": ["100000/min"]}
