"""HTTPS, cookies, HSTS, content-security and permissions policies."""

from __future__ import annotations

from govservice import policies
from govservice.lib.envvars import env_bool, env_int

from .api import NUM_PROXIES
from .core import DEBUG, DEV_MODE

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
