"""The site this process is: its role, keys, hosts, apps, middleware and templates."""

from __future__ import annotations

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from govservice.lib.envvars import env_bool, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parents[2]
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


SECRET_KEY = env_secret(
    "SECRET_KEY", f"dev-insecure-{SITE_ROLE}-secret-key-change-me-0123456789abcdef", dev_mode=DEV_MODE
)
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
    # django-csp's, the policy built once per process (govservice/middleware.py).
    "govservice.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # govservice.browser.*: Django's and the libraries' browser layers, passed by for an API request with a token.
    "govservice.browser.WhiteNoiseMiddleware",
    "govservice.browser.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "govservice.middleware.CommonMiddleware",  # Django's; under /api/ no redirect for a POST without its slash
    # Django's own, as its deploy check asks (cheap for an API view, which is exempt: DRF checks a session's user).
    "django.middleware.csrf.CsrfViewMiddleware",
    "govservice.browser.AuthenticationMiddleware",
    # A kiosk's staff sign-in is a short step-up, and signing out keeps the kiosk activated (front only).
    *(["apps.front.floor.devices.KioskStepUpMiddleware"] if IS_FRONT else []),
    "govservice.browser.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "govservice.browser.HtmxMiddleware",
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
