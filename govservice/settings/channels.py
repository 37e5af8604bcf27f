"""Channels to the outside: e-mail, SMS and the courier of posted results, and this site's public address."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from govservice.lib.envvars import env_list

from .core import DEV_MODE, IS_FRONT, SITE_ROLE, VAR_DIR, env

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="云窗口 <noreply@cloudwindow.example>")
SMS_BACKEND = env.str("SMS_BACKEND", default="apps.front.notifications.channels.FileSmsBackend")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms" / f"{SITE_ROLE}.jsonl"))
# The SMS gateway's URL, keys and timeouts: apps/front/notifications/conf.py.
# Public address of this site, for links in messages and QR codes on documents.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000" if IS_FRONT else "http://127.0.0.1:8100")

# The courier for posted results (dotted path); the development backend records waybills in a file.
COURIER_BACKEND = env.str("COURIER_BACKEND", default="apps.front.delivery.couriers.FileCourierBackend")
# A contracted courier's order API (URL, keys, name): apps/front/delivery/conf.py.
COURIER_FILE_PATH = env.str("COURIER_FILE_PATH", default=str(VAR_DIR / "courier" / f"{SITE_ROLE}.jsonl"))
# Keys the couriers sign their status pushes with, "courier:key,courier:key".
COURIER_CALLBACK_KEYS = dict(
    item.split(":", 1)
    for item in env_list("COURIER_CALLBACK_KEYS", ["dev-express:dev-courier-key"] if DEV_MODE else [])
)

# Outside development the site does not start with a part that only pretends to deliver: the console or file
# e-mail, the file SMS and the file courier write people's addresses and phones to local files and count the
# messages as delivered. (SMS and the courier are the front's; central sends e-mail only.)
_DEVELOPMENT_BACKENDS = {
    "EMAIL_BACKEND": (
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    ),
    **(
        {
            "SMS_BACKEND": ("apps.front.notifications.channels.FileSmsBackend",),
            "COURIER_BACKEND": ("apps.front.delivery.couriers.FileCourierBackend",),
        }
        if IS_FRONT
        else {}
    ),
}
if not DEV_MODE:
    for _name, _development in _DEVELOPMENT_BACKENDS.items():
        if globals()[_name] in _development:
            raise ImproperlyConfigured(
                f"{_name} is a development backend ({globals()[_name]}); set a real one, or DEV_MODE=1."
            )
