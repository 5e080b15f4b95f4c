"""Settings for the 12345 hotline platform, driven by environment variables.

Development defaults work on a fresh machine (an embedded PostgreSQL, Celery's filesystem broker, DEBUG on).
With DEBUG off, a missing SECRET_KEY fails loudly and the security settings below are enforced.
Every variable is listed in `.env.example`.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# Django's technical error pages (tracebacks, URL lists) for a developer; otherwise — the demo of `make run`
# included — the platform's own 403/404/500/CSRF pages, whatever DEBUG says.
HOTLINE_TECHNICAL_ERRORS = env.bool("HOTLINE_TECHNICAL_ERRORS", default=False)
# Flash messages as Bootstrap alerts: an error is "danger" (red), not an unstyled "error".
MESSAGE_TAGS = {40: "danger"}  # django.contrib.messages.constants.ERROR
CSRF_FAILURE_VIEW = "hotline.core.views.csrf_failure"

if DEBUG:
    SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
else:
    # Production must never run on a default key: KeyError-style failure at start-up.
    SECRET_KEY = env("SECRET_KEY")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "axes",
    "rules",
    # The floors, lowest first (docs/architecture.md; make lint enforces them).
    "hotline.core",
    "knowledge_base",
    "intake",
    "dispatch",
    "feedback",
    "assessment",
    "governance",
    "reports",
    "public",
    "demo",
]

MIDDLEWARE = [
    # First: the container probe answers before host checks and the HTTPS redirect.
    "hotline.core.middleware.HealthCheckMiddleware",
    # Outermost after it: the platform's own 404 and 500 pages replace Django's technical ones (DEBUG on).
    "hotline.core.error_pages.OwnErrorPagesMiddleware",
    "hotline.core.middleware.DatabaseUnavailableMiddleware",
    "hotline.core.middleware.InputGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "hotline.core.middleware.NoStoreMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "hotline.core.middleware.PublicUrlMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hotline.core.middleware.IdleTimeoutMiddleware",
    # Optional second factor for administrators and leaders (hotline/core/otp.py).
    "django_otp.middleware.OTPMiddleware",
    "hotline.core.middleware.OtpRequiredMiddleware",
    # Configuration history records the signed-in user who made each change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: it turns a lockout raised in authenticate() into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hotline.urls"
WSGI_APPLICATION = "hotline.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hotline.core.context_processors.navigation",
                "hotline.core.context_processors.calendar_notice",
            ],
        },
    },
]

# One database engine, PostgreSQL. Without DATABASE_URL, DEBUG starts the embedded server of `make run`
# (hotline/embedded.py: data under var/pg, a Unix socket, no root); production must name its database.
if not os.environ.get("DATABASE_URL") and DEBUG:
    from hotline.embedded import database_url

    os.environ["DATABASE_URL"] = database_url()  # the worker and beat children inherit it
DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL database (postgres://…): the platform runs on PostgreSQL only."
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # hotline.core.access's named rules answer user.has_perm and {% has_perm %} in templates.
    "rules.permissions.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Government staff accounts: at least 12 characters, not a common password, not like the username.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff sessions end after this long without a request (a shared desk, a phone left on a table);
# hotline.core.middleware.IdleTimeoutMiddleware renews the session at most once a minute.
SESSION_COOKIE_AGE = env.int("HOTLINE_IDLE_TIMEOUT_MINUTES", default=30) * 60
# API tokens are refused this long after they were issued; POST /api/v1/auth/token/ issues a new one.
HOTLINE_API_TOKEN_LIFETIME = timedelta(days=env.int("HOTLINE_API_TOKEN_DAYS", default=30))
# The name authenticator apps show for this platform's codes.
OTP_TOTP_ISSUER = env("HOTLINE_OTP_ISSUER", default="12345 Hotline")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username out for 30 minutes after 5 failed logins (browser and API alike).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hotline.core.views.locked_out"
AXES_VERBOSE = False
# axes counts failures per username only: one address trying many usernames is stopped by the per-address
# limit of failed logins (hotline/core/ratelimit.py), set well above what a call centre behind one
# address reaches, which a per-address axes lockout after 5 failures would shut out entirely.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
HOTLINE_LOGIN_FAILURES_PER_IP = env.int("HOTLINE_LOGIN_FAILURES_PER_IP", default=30)
HOTLINE_LOGIN_FAILURE_WINDOW_SECONDS = env.int("HOTLINE_LOGIN_FAILURE_WINDOW_SECONDS", default=900)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded files (appeal evidence): on disk under MEDIA_ROOT by default; any Django storage backend
    # in production (e.g. an S3-compatible one, configured by its own package's settings).
    "default": {"BACKEND": env("FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "media/"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

# Celery: the embedded default is the filesystem broker, so `make run` needs no Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# django-celery-beat's DatabaseScheduler, guarded: one active beat at a time, admins' edits kept.
CELERY_BEAT_SCHEDULER = "hotline.core.beat:GuardedDatabaseScheduler"
from hotline.schedules import BEAT_SCHEDULE as CELERY_BEAT_SCHEDULE  # noqa: E402, F401 (read by Celery)

CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that enqueues (a report build) waits at most a few seconds for a broker that is down, then
# goes on: the build stays queued and the requeue job sends it later (docs/reliability.md).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_FILESYSTEM_BROKER_DIR = Path(env("CELERY_FILESYSTEM_BROKER_DIR", default=str(BASE_DIR / "var" / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_FILESYSTEM_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_FILESYSTEM_BROKER_DIR / "processed"),
        "store_processed": False,
    }

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous API call is answered 401 (with WWW-Authenticate), not 403.
        "hotline.core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "hotline.core.api.pagination.CodeCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "hotline.core.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", default="60/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "12345 Hotline API",
    "DESCRIPTION": "接诉即办 work-order platform: intake, dispatch, feedback, assessment.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hotline.core.api.schema.add_error_responses",
    ],
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "hotline.core.choices.Role",
        "OrderPartEnum": "dispatch.choices.Role",
        "OrderStatusEnum": "dispatch.choices.Status",
        "ResolutionEnum": "feedback.choices.Resolution",
        "SatisfactionEnum": "feedback.choices.Satisfaction",
        "ArticleStatusEnum": "knowledge_base.models.ArticleStatus",
        "ReportKindEnum": "reports.choices.Kind",
        "ReportStatusEnum": "reports.choices.Status",
        "DemandWithOrdersDispositionEnum": "intake.choices.Disposition",  # its name before 主动治理 shared it
        "TopicKindEnum": "governance.models.Topic.Kind",
        "TopicStatusEnum": "governance.models.Topic.Status",
        "ConsultationKindEnum": "governance.models.Consultation.Kind",
        "ConsultationPartyEnum": "governance.models.Consultation.Party",
    },
}

# Per-process memory by default; CACHE_URL=redis://… shares rate limits (portal lookups, failed logins,
# API throttles) between the web processes of a deployment, falling back to process memory while Redis
# is down (hotline/core/cache.py).
CACHE_URL = env("CACHE_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "hotline.core.cache.FailoverRedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith(("redis://", "rediss://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Content-Security-Policy (django-csp): every script is a vendored or own file under /static/, so no
# inline script runs; inline style attributes stay allowed (layout widths, ECharts, htmx's indicator).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Citizens' names and phones at rest (hotline/core/pii.py): AES-256-GCM keys `id:base64[,…]` (the first
# encrypts) and the blind index's HMAC key. Required with DEBUG off; with DEBUG on (the embedded demo)
# the public demo keys are used when unset (hotline/core/pii.py). Rotation: docs/reliability.md, "Keys".
HOTLINE_PII_KEYS = env("HOTLINE_PII_KEYS", default="")
HOTLINE_PII_INDEX_KEY = env("HOTLINE_PII_INDEX_KEY", default="")
HOTLINE_PII_DEV_KEYS = DEBUG
# Benchmarks only (benchmarks/common.py): run with DEBUG off on demo data encrypted with the demo keys.
HOTLINE_PII_ALLOW_DEMO_KEYS = env.bool("HOTLINE_PII_ALLOW_DEMO_KEYS", default=False)

# Demo data (`seeddemo`): one password for every demo user, and the demo Open311 channel's key.
HOTLINE_DEMO_PASSWORD = env("HOTLINE_DEMO_PASSWORD", default="hotline-demo-2026")
HOTLINE_DEMO_OPEN311_KEY = env("HOTLINE_DEMO_OPEN311_KEY", default="demo-open311-key")

# Feedback (回访): calls before a citizen is `unreachable`, spread over this many hours; the life of
# the citizen's evaluation link; automatic 重办 when the citizen says unresolved and unsatisfied; the
# public address that links in text messages point to.
# Reverse proxies in front of the web processes whose X-Forwarded-For is trusted (0: none), so that
# the citizen portal's rate limits count citizens, not the proxy.
HOTLINE_TRUSTED_PROXIES = env.int("HOTLINE_TRUSTED_PROXIES", default=0)

# Reports (《市民热线反映》): what makes a hotspot and a key case of the daily report.
HOTLINE_REPORT_HOTSPOT_MIN = env.int("HOTLINE_REPORT_HOTSPOT_MIN", default=3)
HOTLINE_REPORT_HOTSPOT_RATIO = env.int("HOTLINE_REPORT_HOTSPOT_RATIO", default=3)
HOTLINE_REPORT_GROUP_SIZE = env.int("HOTLINE_REPORT_GROUP_SIZE", default=5)
HOTLINE_REPORT_REPEAT_CALLS = env.int("HOTLINE_REPORT_REPEAT_CALLS", default=3)
HOTLINE_CALLBACK_ATTEMPTS = env.int("HOTLINE_CALLBACK_ATTEMPTS", default=3)
HOTLINE_CALLBACK_WINDOW_HOURS = env.int("HOTLINE_CALLBACK_WINDOW_HOURS", default=48)
HOTLINE_EVALUATION_LINK_DAYS = env.int("HOTLINE_EVALUATION_LINK_DAYS", default=7)
HOTLINE_AUTO_REHANDLE = env.bool("HOTLINE_AUTO_REHANDLE", default=True)
# Empty: the address of the requests the platform serves (hotline.core.middleware.public_url).
HOTLINE_PUBLIC_URL = env("HOTLINE_PUBLIC_URL", default="")
# Notifications (通知): the outgoing channels that send a copy of each inbox item (dotted paths of classes
# with send(notification)); the default records what a text-message gateway would send (hotline.core.channels).
HOTLINE_NOTIFY_CHANNELS = env.list("HOTLINE_NOTIFY_CHANNELS", default=["hotline.core.channels.LogChannel"])
# 首接负责: a unit returns an order (退单) within this many working hours of its dispatch, or handles it.
HOTLINE_RETURN_WINDOW_HOURS = env.float("HOTLINE_RETURN_WINDOW_HOURS", default=2)
# Consequences after the ranking: a listed unit's rectification plan is due in these working days of the freeze;
# this many months in a row on the list make a referral (约谈, then 通报).
HOTLINE_RECTIFY_PLAN_DAYS = env.int("HOTLINE_RECTIFY_PLAN_DAYS", default=5)
HOTLINE_REFERRAL_MONTHS = env.int("HOTLINE_REFERRAL_MONTHS", default=2)
# 主动治理's nightly mining (governance.mining): the least demands of a text cluster; a surge is at least
# SURGE_MIN in 30 days and SURGE_RATIO × the same days a year before; one address or one caller with
# REPEAT_*_MIN in 90 days; a season is a category SEASONAL_RATIO × its month average (≥ SEASONAL_MIN).
HOTLINE_MINE_CLUSTER_MIN = env.int("HOTLINE_MINE_CLUSTER_MIN", default=5)
HOTLINE_MINE_SURGE_MIN = env.int("HOTLINE_MINE_SURGE_MIN", default=10)
HOTLINE_MINE_SURGE_RATIO = env.float("HOTLINE_MINE_SURGE_RATIO", default=2.0)
HOTLINE_MINE_REPEAT_PLACE_MIN = env.int("HOTLINE_MINE_REPEAT_PLACE_MIN", default=5)
HOTLINE_MINE_REPEAT_CALLER_MIN = env.int("HOTLINE_MINE_REPEAT_CALLER_MIN", default=5)
HOTLINE_MINE_SEASONAL_MIN = env.int("HOTLINE_MINE_SEASONAL_MIN", default=10)
HOTLINE_MINE_SEASONAL_RATIO = env.float("HOTLINE_MINE_SEASONAL_RATIO", default=1.5)
# 协办: an assisting order's limit is this share of the lead's (5 of 7 working days): the lead replies after it.
HOTLINE_ASSIST_SHARE = env.float("HOTLINE_ASSIST_SHARE", default=5 / 7)
# 吹哨报到: a called department signs for its assisting order, and is on site, within these natural hours.
HOTLINE_WHISTLE_SIGN_HOURS = env.float("HOTLINE_WHISTLE_SIGN_HOURS", default=2)
HOTLINE_WHISTLE_ON_SITE_HOURS = env.float("HOTLINE_WHISTLE_ON_SITE_HOURS", default=24)
# 挂账: how far ahead a long-pending order's expected date may lie (the hotline approves each one).
HOTLINE_LONG_PENDING_MAX_DAYS = env.int("HOTLINE_LONG_PENDING_MAX_DAYS", default=366)
# Uploads per request (appeal evidence: 5 files of 10 MB at most).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint logs every step and every SVG style it parses itself; fontTools its subsetting.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
        "matplotlib": {"level": "WARNING"},
    },
}
