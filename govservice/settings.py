"""Settings for both sites of Cloud Window.

One file, read from the environment. ``SITE_ROLE`` chooses the site this process runs as:

* ``front``   — citizen portal and service halls (database ``DATABASE_URL``)
* ``central`` — the approval back office (database ``CENTRAL_DATABASE_URL``)

Each role is its own process with its own database and its own user accounts; the two talk only over
signed HTTP (apps/shared/exchange). Every variable is listed with a comment in ``.env.example``.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import environ
import pghistory
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from govservice import policies
from govservice.lib.envvars import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

env = environ.Env()  # for database URLs; everything else through the strict readers of govservice.lib.envvars


SITE_ROLE = env.str("SITE_ROLE", default="front")
if SITE_ROLE not in ("front", "central"):
    raise ImproperlyConfigured("SITE_ROLE must be 'front' or 'central'")
IS_FRONT = SITE_ROLE == "front"
IS_CENTRAL = SITE_ROLE == "central"

DEBUG = env_bool("DEBUG", False)
# Development conveniences (an insecure default key) are allowed only when DEBUG or DEV_MODE is on.
DEV_MODE = env_bool("DEV_MODE", DEBUG)


SECRET_KEY = env_secret("SECRET_KEY", f"dev-insecure-{SITE_ROLE}-secret-key-change-me-0123456789abcdef", dev_mode=DEV_MODE)
# Retired secret keys, comma-separated: sessions and signed values made under one verify while it is listed.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
# Personal data at rest has keys of its own, FIELD_ENCRYPTION_KEYS (govservice/lib/fieldcrypto.py); the salt now
# only reads what earlier releases encrypted under a key derived from SECRET_KEY (FIELD_ENCRYPTION_LEGACY=1).
SALT_KEY = env_str("FIELD_ENCRYPTION_SALT", "dev-field-salt" if DEV_MODE else "")
# The key of the HMAC blind index: apart from SECRET_KEY, since rotating it means recomputing every index.
BLIND_INDEX_KEY = env_secret("BLIND_INDEX_KEY", "dev-blind-index-key", dev_mode=DEV_MODE)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Which apps a site runs follows from the tree: apps/shared/ on both, apps/front/ or apps/central/ on one
# (ARCHITECTURE.md). An app is a folder with an apps.py; sorted, so the order never depends on the disk.
def _site_apps(site: str) -> list[str]:
    return sorted(f"apps.{site}.{p.parent.name}" for p in (BASE_DIR / "apps" / site).glob("*/apps.py"))


SHARED_APPS = _site_apps("shared")
FRONT_APPS = _site_apps("front")
CENTRAL_APPS = _site_apps("central")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "axes",
    "csp",
    *SHARED_APPS,
    *(FRONT_APPS if IS_FRONT else CENTRAL_APPS),
]

MIDDLEWARE = [
    # The request id every log line of the request carries (govservice/lib/requestid.py), answered back.
    "govservice.middleware.RequestIdMiddleware",
    # First: a body too large for its path is refused before anything reads it (govservice/middleware.py).
    "govservice.middleware.BodySizeLimitMiddleware",
    # A NUL character in the path or the query string answers 400 (PostgreSQL cannot take one).
    "govservice.middleware.NulCharacterMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A kiosk's staff sign-in is a short step-up, and signing out keeps the kiosk activated (front only).
    *(["apps.front.floor.devices.KioskStepUpMiddleware"] if IS_FRONT else []),
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # pghistory: attach the request's user and URL to every audit row written during it.
    "pghistory.middleware.HistoryMiddleware",
    # A signed-in citizen account that is not verified reaches only the verification pages.
    "apps.shared.accounts.middleware.RealNameMiddleware",
    # axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

# Flash messages stay on the server (in the session), never in a cookie: some carry a secret shown once
# (a new device token, a case's query password), and a cookie travels with every request and lingers in
# proxies' and browsers' logs.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
ROOT_URLCONF = f"govservice.urls_{SITE_ROLE}"
WSGI_APPLICATION = "govservice.wsgi.application"

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
                "django.template.context_processors.i18n",
                "govservice.context_processors.site",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------------------
# PostgreSQL only: locking, pg_trgm and the audit triggers behave differently elsewhere.
_db_var = "DATABASE_URL" if IS_FRONT else "CENTRAL_DATABASE_URL"
_db_default = "postgres://postgres@127.0.0.1:5432/govservice_" + SITE_ROLE
DATABASES = {"default": env.db_url(_db_var, default=_db_default)}
# Keep connections between requests: opening one per request cut a bare booking endpoint from
# ~1,300 to ~240 requests/s on this machine (DESIGN.md §6).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Django's PostgreSQL with that check made cheap: SELECT 1 only after an error or when the server has spoken on
# the idle connection (govservice/db/base.py).
DATABASES["default"]["ENGINE"] = "govservice.db"
DATABASES["default"].setdefault("OPTIONS", {})
# A short lock timeout turns pile-ups into a clear "busy, try again" instead of a hung request.
DB_LOCK_TIMEOUT_MS = env_int("DB_LOCK_TIMEOUT_MS", 2000)
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30000)
# Behind PgBouncer in transaction pooling (DB_TRANSACTION_POOLING=1) each transaction may run on another server
# session, so nothing may rely on one: no server-side cursors, the booking read not PREPAREd
# (BOOKING_PREPARED_STATEMENTS), and the timeouts set by the pooler on its server connections (its
# connect_query, bin/cluster.py): PgBouncer passes no startup "options" through.
DB_TRANSACTION_POOLING = env_bool("DB_TRANSACTION_POOLING", False)
if DB_TRANSACTION_POOLING:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    BOOKING_PREPARED_STATEMENTS = False
else:
    DATABASES["default"]["OPTIONS"]["options"] = f"-c lock_timeout={DB_LOCK_TIMEOUT_MS} -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
# Read-only work (reports, dashboards, search: govservice/lib/replica.py) on a replica when its URL is set; the
# same connection settings as the primary, and in tests the primary itself. REPLICA_READS=0 turns it off.
_replica_var = "REPLICA_DATABASE_URL" if IS_FRONT else "CENTRAL_REPLICA_DATABASE_URL"
if env_str(_replica_var, ""):
    DATABASES["replica"] = {
        **env.db_url(_replica_var),
        **{key: DATABASES["default"][key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "OPTIONS")},
        "TEST": {"MIRROR": "default"},
    }
    if DB_TRANSACTION_POOLING:
        DATABASES["replica"]["DISABLE_SERVER_SIDE_CURSORS"] = True
REPLICA_READS = env_bool("REPLICA_READS", True) and "replica" in DATABASES
DATABASE_ROUTERS = ["govservice.lib.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache, Celery --------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # One prefix per platform: two fronts sharing a Redis (bin/platform) never read each other's keys.
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=f"gs:{SITE_ROLE}"),
    }
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
# Each site has its own queue so two sites sharing one Redis never run each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default=f"govservice-{SITE_ROLE}")
# A task is acknowledged only after it ran, and re-queued if its worker dies mid-way; tasks are
# idempotent and re-read state, so running one twice is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# HTTP timeout (EXCHANGE_HTTP_TIMEOUT) < soft limit < hard limit < visibility timeout, so a slow
# send is abandoned by us before Redis hands the task to another worker.
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Asia/Shanghai"
# Periodic work: each app lists its own in its schedule.py (``PERIODIC``), gathered for this site's apps.
CELERY_BEAT_SCHEDULE = {
    name: entry
    for app in INSTALLED_APPS
    if app.startswith("apps.") and (BASE_DIR / app.replace(".", "/") / "schedule.py").exists()
    for name, entry in importlib.import_module(f"{app}.schedule").PERIODIC.items()
}
# Several nodes may each start beat: with CELERY_BEAT_LOCK=1 the schedule lives in Redis (celery-redbeat) and
# only the beat holding the site's lock sends; the others wait and take over within the lock's timeout once
# it is not extended (its holder stopped or died). Off by default: one beat per site needs no lock.
CELERY_BEAT_LOCK = env_bool("CELERY_BEAT_LOCK", False)
if CELERY_BEAT_LOCK:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = env.str("CELERY_BEAT_REDIS_URL", default=CELERY_BROKER_URL)
    CELERY_REDBEAT_KEY_PREFIX = f"redbeat:{CELERY_TASK_DEFAULT_QUEUE}:"
    # The holder extends the lock every tick (at most CELERY_BEAT_MAX_LOOP_INTERVAL apart); a waiting beat
    # tries again as often.
    CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("CELERY_BEAT_MAX_LOOP_SECONDS", 5)
    CELERY_REDBEAT_LOCK_TIMEOUT = env_int("CELERY_BEAT_LOCK_SECONDS", 30)

# --- The wire between the sites (apps/shared/exchange) ---------------------------------------------------
CENTRAL_URL = env.str("CENTRAL_URL", default="http://127.0.0.1:8100")
# The wire's knobs (skew, timeouts, retries, leases, central's peer code): apps/shared/exchange/conf.py.
# Case packages carry materials inline (base64): allow bodies large enough for a scanned case.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 60 * 1024 * 1024)

# --- Auth ------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = 1  # hours
# The pair of name and address together, not either alone: ten wrong passwords typed against a clerk's name
# from anywhere must not lock the clerk out at their own desk. The address is the one the rate limits use
# (X-Forwarded-For only behind NUM_PROXIES proxies), and a try during the lockout does not prolong it.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "govservice.throttling.client_ip_or_none"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# --- REST framework --------------------------------------------------------------------------------
NUM_PROXIES = env_int("NUM_PROXIES", 0)
# API tokens (django-rest-knox, apps/shared/accounts/tokens.py): stored as a digest, staff ones last a working
# day, citizens' a week; at most 20 live tokens per user.
API_TOKEN_HOURS_STAFF = env_int("API_TOKEN_HOURS_STAFF", 10)
API_TOKEN_HOURS_CITIZEN = env_int("API_TOKEN_HOURS_CITIZEN", 7 * 24)
# Seconds a worker keeps a token it has looked up (0: none); a revocation ends it at once (accounts/tokencache.py).
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 30)
REST_KNOX = {"TOKEN_LIMIT_PER_USER": 20, "AUTH_HEADER_PREFIX": "Token"}
REST_FRAMEWORK = {
    # The token first: DRF answers a missing or bad credential with the first class's challenge, so an API
    # client gets 401 with "WWW-Authenticate: Token" (SessionAuthentication has none: it would be 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.shared.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The schema documents every operation's error answers in the shared error body (govservice/schema.py).
    "DEFAULT_SCHEMA_CLASS": "govservice.schema.ApiSchema",
    # DRF's three, refusing JSON nested too deep and a NUL in any text (govservice/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["govservice.parsers.JSONParser", "govservice.parsers.FormParser", "govservice.parsers.MultiPartParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # DRF's limit/offset, refusing a limit or offset that is not a whole number (govservice/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "govservice.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "govservice.api.exception_handler",
    # Per-IP throttles read the client address from X-Forwarded-For only behind this many trusted proxies;
    # 0 (the default) ignores the header, so a client cannot pose as many addresses. Behind one reverse
    # proxy that sets the header, NUM_PROXIES=1.
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"Cloud Window 云窗口 — {SITE_ROLE} API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads Swagger UI from this site's static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Name each lifecycle's enum once (several serializers share them).
    "ENUM_NAME_OVERRIDES": {
        "LifeEventEnum": "apps.shared.catalog.models.LifeEvent",
        "CaseStatusEnum": "apps.front.intake.models.CaseStatus",
        "AppointmentStatusEnum": "apps.front.booking.models.AppointmentStatus",
        "TicketStatusEnum": "apps.front.floor.models.TicketStatus",
        "GreenReasonEnum": "apps.front.floor.models.GreenReason",
        "DeliveryStatusEnum": "apps.front.notifications.models.DeliveryStatus",
        "ConsultTicketKindEnum": "apps.front.consult.models.TicketKind",
        "ConsultTicketChannelEnum": "apps.front.consult.models.TicketChannel",
        "ConsultTicketStatusEnum": "apps.front.consult.models.TicketStatus",
        "ScoreEnum": "apps.front.ratings.models.Score",
        "MandateKindEnum": "apps.front.mandates.models.MandateKind",
        "MandateFormEnum": "apps.front.mandates.models.MandateForm",
        "MandateStatusEnum": "apps.front.mandates.models.MandateStatus",
        "MandateEventKindEnum": "apps.front.mandates.models.EventKind",
    }
    if IS_FRONT
    else {
        "ReviewStatusEnum": "apps.central.review.models.ReviewStatus",
        "DeliveryMethodEnum": "apps.central.review.models.DeliveryMethod",
    },
}

# --- Internationalisation ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switch on every page (Django's set_language) keeps the choice in this cookie for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
FORMAT_MODULE_PATH = ["govservice.formats"]  # the site's named date formats per language (govservice/formats/)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Files -----------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / f"static-{SITE_ROLE}")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / f"media-{SITE_ROLE}")))
MEDIA_URL = "media/"  # never served publicly: materials are streamed by views that check access
# Where uploads, documents and certificates are kept, encrypted with the personal-data keys and clear through
# open(): "filesystem" (MEDIA_ROOT; with several nodes, a directory they all mount) or "s3" (an S3-compatible
# object store through django-storages: govservice/lib/objectstorage.py).
MEDIA_STORAGE = env_str("MEDIA_STORAGE", "filesystem")
if MEDIA_STORAGE == "filesystem":
    _media_storage: dict = {"BACKEND": "govservice.lib.fieldcrypto.EncryptedFileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not env_str("MEDIA_S3_BUCKET", ""):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs MEDIA_S3_BUCKET")
    _media_storage = {
        "BACKEND": "govservice.lib.objectstorage.EncryptedS3Storage",
        "OPTIONS": {
            "bucket_name": env_str("MEDIA_S3_BUCKET", ""),
            # Each site under its own prefix, so both may share a bucket.
            "location": env_str("MEDIA_S3_PREFIX", SITE_ROLE),
            # Unset: boto3's own (AWS_* variables, the instance's role, the default endpoint).
            "endpoint_url": env_str("MEDIA_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("MEDIA_S3_REGION", "") or None,
            "access_key": env_str("MEDIA_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("MEDIA_S3_SECRET_ACCESS_KEY", "") or None,
            "file_overwrite": False,
            "default_acl": "private",
        },
    }
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE={MEDIA_STORAGE!r}: write filesystem or s3")
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
# No request body larger than this (413 before it is read): the largest legitimate one is a case package on
# the wire, materials inline. Paths that need less say so below.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE)
REQUEST_BODY_LIMITS = [
    # Public: one copy of a document to check (/verify/<code>/), anonymous.
    ("/verify/", UPLOAD_MAX_BYTES + 64 * 1024),
]
# Files in one multipart request (Django's default is 100); a case's materials are uploaded a few at a time.
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 30)
# Dotted path of a virus scanner hook: callable(content: bytes, name: str), raising ValueError on a finding.
UPLOAD_SCANNER = env.str("UPLOAD_SCANNER", default="")

# --- Notification channels (apps/front/notifications; its business knobs are in its conf.py) -------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="云窗口 <noreply@cloudwindow.example>")
SMS_BACKEND = env.str("SMS_BACKEND", default="apps.front.notifications.channels.FileSmsBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms" / f"{SITE_ROLE}.jsonl"))
# The SMS gateway's URL, keys and timeouts: apps/front/notifications/conf.py.
# Public address of this site, for links in messages and QR codes on documents.
PUBLIC_BASE_URL = env.str(
    "PUBLIC_BASE_URL", default="http://127.0.0.1:8000" if IS_FRONT else "http://127.0.0.1:8100"
)

# --- Security --------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not DEV_MODE)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG and not DEV_MODE)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG and not DEV_MODE)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEV_MODE else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEV_MODE
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# X-Forwarded-Proto is believed only behind a proxy that sets it (NUM_PROXIES > 0, the setting the rate
# limits use too): with no proxy, any client could claim its plain request was HTTPS.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if NUM_PROXIES else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# What a browser may load and use on our pages (django-csp, django-permissions-policy): govservice/policies.py.
CONTENT_SECURITY_POLICY = policies.CONTENT_SECURITY_POLICY
PERMISSIONS_POLICY = policies.PERMISSIONS_POLICY
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# The exchange endpoint is for signed machine-to-machine calls; it needs no redirect to HTTPS when
# a site runs behind a TLS-terminating proxy on loopback.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# --- Logging: never an ID number or phone in a log line (DOMAIN.md §8) -------------------------------
# One JSON object a line (LOG_FORMAT=json, the default; "plain" for a human at a terminal), each with the
# site and the request id that crosses the wire; numbers that look like ID numbers or phones are masked
# (govservice/lib/logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'plain'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "govservice.lib.logs.RequestIdFilter", "site": SITE_ROLE}},
    "formatters": {
        "json": {"()": "govservice.lib.logs.JsonFormatter", "fmt": "%(levelname)s %(name)s %(message)s %(site)s %(request_id)s"},
        "plain": {"()": "govservice.lib.logs.PlainFormatter", "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
# Celery workers keep this configuration instead of installing their own handler on the root logger.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Operations: metrics and health (apps/shared/observability) ------------------------------------------
# /metrics answers only a scraper from these networks (CIDRs, comma-separated; the address as the rate
# limits read it, NUM_PROXIES) or one that presents "Authorization: Bearer METRICS_TOKEN"; anyone else
# gets 404. Empty token and no network: only loopback.
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS", ["127.0.0.0/8", "::1/128"])
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# --- Rules shared by apps or sites; each app's own business knobs are in its conf.py (govservice/lib/knobs.py)
# Rate limits: (per citizen, per IP, window in seconds). Per-IP limits are generous because many
# citizens share one address behind a carrier's NAT or a hall's network.
RATE_LIMITS = {
    "booking": (
        env_int("RATE_BOOKING_PER_USER", 20),
        env_int("RATE_BOOKING_PER_IP", 3000),
        env_int("RATE_BOOKING_WINDOW", 60),
    ),
    "register": (
        env_int("RATE_REGISTER_PER_USER", 5),
        env_int("RATE_REGISTER_PER_IP", 30),
        env_int("RATE_REGISTER_WINDOW", 600),
    ),
}

SITE_NAME = _("云窗口 · 政务服务") if IS_FRONT else _("云窗口 · 审批总后台")

# Audit trail (django-pghistory): triggers record every insert and update, QuerySet.update() included.
# Event models are named "<Model>Audit", reached from a row as ``row.audit_trail``.
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(related_name="audit_trail")
# Remedies printed on refusals and denials (行政复议法 Art. 20: 60 days; 行政诉讼法 Art. 46: 6 months).
REMEDIES_TEXT = env.str(
    "REMEDIES_TEXT",
    default="如不服本决定，可自收到本文书之日起六十日内向北京市通州区人民政府申请行政复议，"
    "或者自收到本文书之日起六个月内依法向人民法院提起行政诉讼。",
)

# --- The courier of posted results (apps/front/delivery) ------------------------------------------------------
# The courier for posted results (dotted path); the development backend records waybills in a file.
COURIER_BACKEND = env.str("COURIER_BACKEND", default="apps.front.delivery.couriers.FileCourierBackend")
# A contracted courier's order API (URL, keys, name): apps/front/delivery/conf.py.
COURIER_FILE_PATH = env.str("COURIER_FILE_PATH", default=str(VAR_DIR / "courier" / f"{SITE_ROLE}.jsonl"))
# Keys the couriers sign their status pushes with, "courier:key,courier:key".
COURIER_CALLBACK_KEYS = dict(
    item.split(":", 1) for item in env_list("COURIER_CALLBACK_KEYS", ["dev-express:dev-courier-key"] if DEV_MODE else [])
)

# Outside development the site does not start with a part that only pretends to deliver: the console or file
# e-mail, the file SMS and the file courier write people's addresses and phones to local files and count the
# messages as delivered. (SMS and the courier are the front's; central sends e-mail only.)
_DEVELOPMENT_BACKENDS = {
    "EMAIL_BACKEND": ("django.core.mail.backends.console.EmailBackend", "django.core.mail.backends.filebased.EmailBackend"),
    **(
        {"SMS_BACKEND": ("apps.front.notifications.channels.FileSmsBackend",), "COURIER_BACKEND": ("apps.front.delivery.couriers.FileCourierBackend",)}
        if IS_FRONT
        else {}
    ),
}
if not DEV_MODE:
    for _name, _development in _DEVELOPMENT_BACKENDS.items():
        if globals()[_name] in _development:
            raise ImproperlyConfigured(f"{_name} is a development backend ({globals()[_name]}); set a real one, or DEV_MODE=1.")
