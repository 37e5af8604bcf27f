"""Business knobs of notifications (govservice/lib/knobs.py: a Django setting of the same name wins, then
the environment variable, then the default here). Every variable is also listed in ``.env.example``. The
channels' backends and the SMS gateway are integration settings and stay in govservice/settings/channels.py."""

from __future__ import annotations

from govservice.lib.envvars import env_int, env_list, env_str
from govservice.lib.knobs import AppConf, Knob


class NotificationsConf(AppConf):
    # Attempts per message before a temporary or technical failure is final (DOMAIN.md §7 delivery log).
    NOTIFY_MAX_ATTEMPTS = Knob(env_int, 5)
    # Retry delays in seconds: exponential backoff with jitter from the base up to the cap, like the relay.
    NOTIFY_BACKOFF_BASE_SECONDS = Knob(env_int, 60)
    NOTIFY_BACKOFF_CAP_SECONDS = Knob(env_int, 3600)
    # Seconds a sending worker holds a message before the sweep takes it back (a dead worker).
    NOTIFY_LEASE_SECONDS = Knob(env_int, 120)
    # A message the gateway accepted but never reported on is a final technical failure after these hours.
    NOTIFY_RECEIPT_TIMEOUT_HOURS = Knob(env_int, 72)
    # Quiet hours, local time "HH:MM-HH:MM", may wrap midnight; empty: none (setting). Non-urgent messages
    # on NOTIFY_QUIET_CHANNELS are held until they end; the inbox and e-mail disturb no one.
    NOTIFY_QUIET_HOURS = Knob(env_str, "21:00-08:00")
    NOTIFY_QUIET_CHANNELS = Knob(env_list, ["sms"])
    # The SMS gateway (SMS_BACKEND=apps.front.notifications.channels.HttpSmsBackend): its URL; the key that signs
    # both ways (govservice/lib/signing.py: our requests to the gateway and its delivery receipts to
    # /api/v1/notifications/callbacks/sms/) and the key id naming it in the signature headers; seconds to wait;
    # the clock skew accepted on a receipt (integration settings).
    SMS_GATEWAY_URL = Knob(env_str, "")
    SMS_GATEWAY_KEY = Knob(env_str, "")
    SMS_GATEWAY_KEY_ID = Knob(env_str, "gateway")
    SMS_GATEWAY_TIMEOUT = Knob(env_int, 10)
    SMS_GATEWAY_MAX_SKEW_SECONDS = Knob(env_int, 300)


notifications_conf = NotificationsConf()
