"""Production settings: refuse to start without a strong secret key, PostgreSQL and Redis."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, REDIS_URL, env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith("django-insecure")
    or any(marker in SECRET_KEY.lower() for marker in ("dev-only", "change-me", "请替换"))
):
    raise ImproperlyConfigured(
        "生产环境需要强密钥：请设置 DJANGO_SECRET_KEY（至少 50 个随机字符，不能是占位值；"
        '生成：python3 -c "import secrets; print(secrets.token_urlsafe(64))"）'
    )
if not env("FIELD_ENCRYPTION_KEY", default=""):
    raise ImproperlyConfigured(
        "生产环境需要字段加密密钥：请设置 FIELD_ENCRYPTION_KEY（32 字节随机数的 base64，存放在数据库之外；"
        '生成：python3 -c "import secrets, base64; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"）'
    )
if not env("DRAW_SIGNING_KEY", default=""):
    raise ImproperlyConfigured(
        "生产环境需要抽取记录签名密钥：请设置 DRAW_SIGNING_KEY（Ed25519 私钥，32 字节随机数的 base64，存放在数据库之外；"
        '生成：python3 -c "import secrets, base64; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"）'
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("生产环境需要 PostgreSQL：请设置 DATABASE_URL=postgres://用户:口令@主机:5432/库名")
if not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("生产环境需要 Redis：请设置 REDIS_URL=redis://主机:6379/0")

DEBUG = False
DEMO_MODE = False
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("生产环境需要明确的域名：请设置 DJANGO_ALLOWED_HOSTS（逗号分隔，不能为 *）")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
CELERY_TASK_ALWAYS_EAGER = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
# The API docs are not public in production (SECURITY.md API-07): staff only.
SPECTACULAR_SETTINGS = {
    **SPECTACULAR_SETTINGS,  # noqa: F405
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAdminUser"],
}
SILENCED_SYSTEM_CHECKS = SILENCED_SYSTEM_CHECKS + [  # noqa: F405
    # (inherits axes.W006 from base)
    # security.W008 (SECURE_SSL_REDIRECT) stays active; W021 (HSTS preload) is a deliberate choice:
    # preloading a government domain is decided by the operator, not the code.
    "security.W021",
]
