"""Base settings: everything, driven by the environment.

Embedded default: no DATABASE_URL -> SQLite file; no REDIS_URL -> Celery runs eagerly (propagating errors).
Real stack: DATABASE_URL=postgres://... and REDIS_URL=redis://... — nothing else differs.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-not-secret-haining-foodsafety-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
DEMO_MODE = env.bool("DEMO_MODE", default=False)
# Trust X-Real-IP only behind our own reverse proxy (docker-compose / nginx sets it); otherwise REMOTE_ADDR.
TRUST_X_REAL_IP = env.bool("TRUST_X_REAL_IP", default=False)
# 一公开 portal: publish each business's current risk grade on the enterprise lookup (the city decides; off by default).
PUBLIC_SHOW_RISK_GRADE = env.bool("PUBLIC_SHOW_RISK_GRADE", default=False)

# Field-level encryption at rest (apps/common/crypto.py; SECURITY.md PII-04): the complainant's identity. The first key
# encrypts, all decrypt (rotation). Production refuses to start without FIELD_ENCRYPTION_KEY; the embedded stack
# derives a development key from SECRET_KEY so that `make run` needs no setup.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="")
FIELD_ENCRYPTION_OLD_KEYS = env.list("FIELD_ENCRYPTION_OLD_KEYS", default=[])


def _field_keys(primary: str, old: list[str]) -> list[bytes]:
    import hashlib

    from apps.common.crypto import parse_key

    if primary:
        return [parse_key(primary), *(parse_key(k) for k in old)]
    return [hashlib.sha256(b"haining-dev-field-key:" + SECRET_KEY.encode()).digest()]


FIELD_ENCRYPTION_KEYS = _field_keys(FIELD_ENCRYPTION_KEY, FIELD_ENCRYPTION_OLD_KEYS)

# 双随机 hrs-v2 (docs/draw.md): the Ed25519 key that signs published draw records and the daily commitment digest
# (32 random bytes, base64 or hex, kept outside the DB; the public key is published). Production refuses to start
# without it; the embedded stack derives a development key from SECRET_KEY. DRAW_DIGEST_DIR: where the daily signed
# digest of commitments + audit chain head is written (AUD-06: a directory the DB admin cannot rewrite — a WORM mount
# or the audit admin's log host).
DRAW_SIGNING_KEY = env("DRAW_SIGNING_KEY", default="")
DRAW_DIGEST_DIR = Path(env("DRAW_DIGEST_DIR", default=str(BASE_DIR / "var" / "draw-digests")))

# ---------------------------------------------------------------- i18n
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Our own catalogue first: Chinese labels for third-party apps that ship none (django-axes). Edit the .po, then
# `msgfmt -o locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po` (the .mo is committed).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# ---------------------------------------------------------------- apps
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_htmx",
    "csp",
]
LOCAL_APPS = [
    "apps.common",
    "apps.accounts",
    "apps.enterprises",
    "apps.standards",
    "apps.inspections",
    "apps.risk",
    "apps.sampling",
    "apps.incidents",
    "apps.assessment",
    "apps.dashboard",
    "apps.public",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.common.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.common.middleware.SessionTouchMiddleware",  # saves the session at most every 30 s (SESS-01 idle clock)
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "apps.common.middleware.AuditActorMiddleware",
    "apps.common.middleware.AccessDecisionLogMiddleware",  # refusals and validation failures logged (AUD-02)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # absolute 12 h lifetime, second factor, forced password change (apps/accounts/middleware.py;
    # inside messages, CSP and X-Frame-Options so that its own answers carry them)
    "apps.accounts.middleware.AccountPolicyMiddleware",
    # AxesMiddleware must be last (django-axes docs).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "haining_foodsafety.urls"
WSGI_APPLICATION = "haining_foodsafety.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.common.context_processors.navigation",
            ],
        },
    },
]

# ---------------------------------------------------------------- database
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # SQLite: wait for the writer lock rather than failing at once; WAL for concurrent readers.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    # BEGIN IMMEDIATE: a writer takes the lock at the start of its transaction and waits (timeout) for another
    # writer, instead of failing with "database is locked" when a read lock must be upgraded mid-transaction.
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# ---------------------------------------------------------------- cache / redis / celery
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "IGNORE_EXCEPTIONS": True},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None  # job state lives in the Job table (PostgreSQL is the source of truth)
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_BEAT_SCHEDULE = {
    # Every minute: re-publish jobs that are pending too long or whose lease ran out (outbox sweeper).
    "jobs-sweep-stuck": {"task": "common.jobs_sweep", "schedule": crontab(minute="*")},
    # Every night at 03:20: delete Idempotency-Key records past their retention (a replay window of 24 hours).
    "idempotency-purge-nightly": {"task": "common.idempotency_purge", "schedule": crontab(hour=3, minute=20)},
    # Every night at 02:10: verify the audit hash chain end to end (and against the anchors).
    "audit-verify-nightly": {"task": "common.audit_verify", "schedule": crontab(hour=2, minute=10)},
    # Every day at 23:55: write the day's chain head, signed, to AUDIT_ANCHOR_DIR outside the database (AUD-06).
    "audit-anchor-daily": {"task": "common.audit_anchor", "schedule": crontab(hour=23, minute=55)},
    # Every minute: draw the committed 双随机 plans whose published draw time has come.
    "inspections-draws-run-due": {"task": "inspections.draws_run_due", "schedule": crontab(minute="*")},
    # Every night at 00:30: the signed digest of yesterday's draw commitments and the audit chain head (AUD-06).
    "inspections-draw-digest-daily": {"task": "inspections.draw_digest", "schedule": crontab(hour=0, minute=30)},
    # Every hour at :05: publish (一公开) the inspection results whose enterprise objection window has ended.
    "inspections-publish-due": {"task": "inspections.publications_publish_due", "schedule": crontab(minute=5)},
    # Every night at 02:40: re-check the seals (content hash, HMAC, photo and signature digests) of inspection records.
    "inspections-evidence-verify-nightly": {
        "task": "inspections.evidence_verify",
        "schedule": crontab(hour=2, minute=40),
    },
    # Every hour at :15: publish (一公开) the sampling results whose publication deadline has come (and outcomes).
    "sampling-publish-due": {"task": "sampling.publish_due", "schedule": crontab(minute=15)},
    # Every night at 00:20: end the voting of 你点我检 topics whose window is over.
    "sampling-vote-topics-close": {
        "task": "sampling.vote_topics_close_expired",
        "schedule": crontab(hour=0, minute=20),
    },
    # Every night at 03:40: delete the complaint reporters' identities past their retention (PII-05, as a job).
    "incidents-reporter-identity-purge": {
        "task": "incidents.reporter_identity_purge_daily",
        "schedule": crontab(hour=3, minute=40),
    },
    # Every year on 1 January at 01:30: re-grade every business's food-safety risk grade for the new year.
    "risk-regrade-yearly": {
        "task": "risk.regrade_yearly",
        "schedule": crontab(month_of_year=1, day_of_month=1, hour=1, minute=30),
    },
    # Every night at 00:10: recompute every business's coverage-debt state (bulk writes, the new year).
    "risk-coverage-refresh-nightly": {
        "task": "risk.coverage_refresh_nightly",
        "schedule": crontab(hour=0, minute=10),
    },
    # The 1st of every month at 06:00: the sampling quota report (Excel) of the year to the end of last month, as a job.
    "sampling-quota-report-monthly": {
        "task": "sampling.quota_report_monthly",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    # The 1st of every month at 06:30: the monthly report (measures against targets, Excel + PDF) of last month, as a job.
    "dashboard-report-monthly": {
        "task": "dashboard.report_monthly",
        "schedule": crontab(day_of_month=1, hour=6, minute=30),
    },
    # Every year on 1 January at 06:45: the annual report of last year, as a job.
    "dashboard-report-annual": {
        "task": "dashboard.report_annual",
        "schedule": crontab(month_of_year=1, day_of_month=1, hour=6, minute=45),
    },
}
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=10 * 60)
JOB_PENDING_GRACE_SECONDS = env.int("JOB_PENDING_GRACE_SECONDS", default=120)
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)

# ---------------------------------------------------------------- registry
# USCC positions 3–8 (registering authority's division code) that count as "ours"; any other code warns and needs a
# reason (issue 8 point 9). Haining AMR = 330481 (DOMAIN.md §4.1).
USCC_HOME_DIVISIONS = env.list("USCC_HOME_DIVISIONS", default=["330481"])

# ---------------------------------------------------------------- sampling (抽样检验)
# 抽样单编号 = prefix + yy + the organising area's 6-digit division code + a 9-digit sequence (DOMAIN.md §3.3:
# DC19142400463230158). Haining is 330481; the sampled site's region is printed on the 抽样单 and the export.
SAMPLING_NUMBER_PREFIX = env("SAMPLING_NUMBER_PREFIX", default="DC")
SAMPLING_DIVISION_CODE = env("SAMPLING_DIVISION_CODE", default="330481")
SAMPLING_REGION = env.list("SAMPLING_REGION", default=["浙江省", "嘉兴市", "海宁市"])
# The quota page's figures (apps.sampling.plans.selectors.quota_figures) are kept this many seconds in the shared
# cache and the page says when they were computed (0: computed on every request; "重新统计" always recomputes).
SAMPLING_QUOTA_CACHE_SECONDS = env.int("SAMPLING_QUOTA_CACHE_SECONDS", default=60)

# ---------------------------------------------------------------- auth
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "apps.accounts.permcache.CachedModelBackend",  # ModelBackend with the permissions in the shared cache
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "apps.accounts.passwords.SimilarityValidator"},  # username, name, e-mail and phone
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "apps.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "apps.accounts.passwords.PasswordHistoryValidator"},  # reuse of the last 5 refused; records history
]
# Defaults of the dated PasswordPolicy (apps/accounts/models.py; a row in force overrides them): AUTH-02/03.
PASSWORD_EXPIRY_DAYS = 90
PASSWORD_HISTORY_COUNT = 5
INITIAL_PASSWORD_HOURS = 72
ACCOUNT_DORMANT_DAYS = 90  # manage.py account_hygiene: enabled accounts idle longer are listed (ACL-09)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = 30 * 60  # idle logout after 30 minutes (SECURITY.md SESS-01)
SESSION_SAVE_EVERY_REQUEST = False  # apps.common.middleware.SessionTouchMiddleware keeps the idle clock
SESSION_TOUCH_SECONDS = 30
ADMIN_SESSION_IDLE_SECONDS = 15 * 60  # the three admin roles (SESS-01)
SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60  # absolute lifetime even with continuous activity (SESS-02)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# A refused CSRF check gets the platform's own Chinese page (JSON under /api/), never Django's stock page.
CSRF_FAILURE_VIEW = "apps.common.views.csrf_failure"

# django-axes: 5 failures within 15 minutes lock the account for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
# A locked account answers exactly like a wrong password (AUTH-05): the login page with the one refusal message.
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.lockout_response"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False
# Per IP across usernames (password spraying) and per username per hour, on the shared cache (apps/accounts/throttle.py).
LOGIN_IP_FAILURE_LIMIT = 30
LOGIN_THROTTLE_WINDOW = 15 * 60
LOGIN_USERNAME_HOURLY_LIMIT = 10
# The leadership dashboard's figures are kept this long per caller, year and township (apps/dashboard/views_leadership;
# the page says when they were computed and offers to compute them again). 0: computed on every request.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300)
# No one reads a TOTP secret back: the admin's device config and QR pages answer 403 (they answered 500 for an unknown
# id; tests/security/test_authz_matrix.py walks them).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# ---------------------------------------------------------------- static / media
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# The daily audit anchors (AUD-06): a directory outside the database (in production a mount the database admin
# cannot write: the audit admin's log server or a WORM bucket), and the HMAC key that signs them (not in the DB;
# the embedded default derives one from SECRET_KEY). docs/operations.md §5.
AUDIT_ANCHOR_DIR = Path(env("AUDIT_ANCHOR_DIR", default=str(BASE_DIR / "audit-anchors")))
AUDIT_ANCHOR_KEY = env("AUDIT_ANCHOR_KEY", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 100

# ---------------------------------------------------------------- security headers (also in dev; production tightens)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sent on every response by apps.common.middleware.RequestContextMiddleware: the browser features a page may use
# (geolocation for the inspection GPS fix, static/js/inspection.js; nothing else) and who may embed our resources.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(self), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# ---------------------------------------------------------------- DRF / OpenAPI
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.api.authentication.ApiClientTokenAuthentication",
        "apps.common.api.authentication.SessionAuthentication",  # DRF's, with the CSRF refusal in Chinese
    ],
    # Deny by default: every view must declare what it allows (SECURITY.md ACL-10).
    "DEFAULT_PERMISSION_CLASSES": ["apps.common.permissions.DenyAll"],
    "DEFAULT_PAGINATION_CLASS": "apps.common.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["apps.common.api.filters.StrictDjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.common.api.parsers.JSONParser"],  # depth-limited: a deep body is a 400
    # Body size (413) and content type (415) checked before authentication, on every view (API-04, API-08).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "apps.common.api.negotiation.StrictContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": ["apps.common.api.throttles.ApiRateThrottle"],  # API_THROTTLE below (API-05)
    "EXCEPTION_HANDLER": "apps.common.api.exception_handler.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "apps.common.api.schema.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
}
# Rate limits per client and per role on the shared cache (apps/common/api/throttles.py; SECURITY.md API-05). Each
# entry is a list of "<n>/<s|min|hour|day>" that must all hold; "roles" maps a role code (apps/accounts/roles.py) and
# "clients" an API client's name to their own rates (e.g. {"浙江省市场监管局平台": ["5000/hour", "50/second"]}).
API_THROTTLE = {
    "anon": env.list("API_THROTTLE_ANON", default=["60/min"]),
    "user": env.list("API_THROTTLE_USER", default=["600/min"]),
    "client": env.list("API_THROTTLE_CLIENT", default=["1000/hour", "20/second"]),
    "roles": env.json("API_THROTTLE_ROLES", default={}),
    "clients": env.json("API_THROTTLE_CLIENTS", default={}),
    "cache": "default",
}
# Idempotency-Key records (apps/common/api/idempotency.py; API-09): how long a key replays its first response.
IDEMPOTENCY_RETENTION_HOURS = env.int("IDEMPOTENCY_RETENTION_HOURS", default=24)
SPECTACULAR_SETTINGS = {
    "TITLE": "海宁市食品安全监管平台 API",
    "DESCRIPTION": "面向省级平台与内部系统的 REST 接口（v1）。认证：Bearer 令牌（ApiClient，带权限范围）或浏览器会话。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No online validator badge (it would call validator.swagger.io); keep the token out of localStorage.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None, "persistAuthorization": False},
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # One stable schema name per choice set (several models have a "status" or "kind"; grades appear in many places).
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "apps.common.models.JobStatus",
        "TownshipKindEnum": "apps.accounts.models.TownshipKind",
        "EnterpriseStatusEnum": "apps.enterprises.choices.EnterpriseStatus",
        "LicenceKindEnum": "apps.enterprises.choices.LicenceKind",
        "RiskGradeEnum": "apps.risk.choices.Grade",
        "CreditGradeEnum": "apps.risk.choices.CreditGrade",
        "SchemeStatusEnum": "apps.risk.choices.SchemeStatus",
        "AssessmentKindEnum": "apps.risk.choices.AssessmentKind",
        "OverrideStatusEnum": "apps.risk.choices.OverrideStatus",
        "DrawPlanStatusEnum": "apps.inspections.choices.DrawPlanStatus",
        "DrawStatusEnum": "apps.inspections.choices.DrawStatus",
        "RandomnessKindEnum": "apps.inspections.choices.RandomnessKind",
        "TaskKindEnum": "apps.inspections.choices.TaskKind",
        "TaskSourceEnum": "apps.inspections.choices.TaskSource",
        "TaskStatusEnum": "apps.inspections.choices.TaskStatus",
        "ResultStatusEnum": "apps.inspections.choices.ResultStatus",
        "PenaltyKindEnum": "apps.inspections.choices.PenaltyKind",
        "RectificationStatusEnum": "apps.inspections.choices.RectificationStatus",
        "PublicationStatusEnum": "apps.inspections.choices.PublicationStatus",
        "SamplingVerdictEnum": "apps.standards.choices.Verdict",
        "SamplingSourceEnum": "apps.sampling.choices.LineSource",
        "SamplingPurposeEnum": "apps.sampling.choices.SamplingPurpose",
        "SampleStatusEnum": "apps.sampling.choices.SampleStatus",
        "SamplingTaskStatusEnum": "apps.sampling.choices.TaskStatus",
        "SamplingPlanStatusEnum": "apps.sampling.choices.PlanStatus",
        "IncidentLevelEnum": "apps.incidents.models.emergencies.IncidentLevel",
        "IncidentStatusEnum": "apps.incidents.models.emergencies.IncidentStatus",
    },
}

# ---------------------------------------------------------------- logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# axes.W006: the lockout is per account on purpose (issue #2: "5 failures in 15 minutes lock the account");
# a per-IP lock at 5 would let one mistyping officer lock out a whole township office behind one NAT address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
