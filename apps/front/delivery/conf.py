"""Business knobs of result delivery and the status lookup (govservice/lib/knobs.py: a Django setting of
the same name wins, then the environment variable, then the default here). Every variable is also listed
in ``.env.example``. The courier backend and its keys are integration settings and stay in govservice/settings/channels.py."""

from __future__ import annotations

from govservice.lib.envvars import env_int, env_str
from govservice.lib.knobs import AppConf, Knob


class DeliveryConf(AppConf):
    # How a result is handed over when the citizen chose nothing: pickup, post or electronic (DOMAIN.md §7).
    DELIVERY_DEFAULT_METHOD = Knob(env_str, "electronic")
    # Status lookup without an account (查询密码, DOMAIN.md §5): lookups per IP per window of seconds.
    TRACK_RATE_PER_IP = Knob(env_int, 60)
    TRACK_RATE_WINDOW = Knob(env_int, 60)
    # After TRACK_MAX_FAILURES wrong answers for one case number (or TRACK_MAX_FAILURES_PER_IP from one
    # address) within TRACK_FAILURE_WINDOW seconds, that number (or address) is locked for
    # TRACK_LOCKOUT_SECONDS (setting; DOMAIN.md §8 protects the data behind it).
    TRACK_MAX_FAILURES = Knob(env_int, 5)
    TRACK_MAX_FAILURES_PER_IP = Knob(env_int, 20)
    TRACK_FAILURE_WINDOW = Knob(env_int, 900)
    TRACK_LOCKOUT_SECONDS = Knob(env_int, 900)
    # A contracted courier's order API (COURIER_BACKEND=apps.front.delivery.couriers.HttpCourierBackend): its
    # URL, the key and key id that sign each order, seconds to wait, the code its callbacks use and the name
    # citizens see (integration settings).
    COURIER_API_URL = Knob(env_str, "")
    COURIER_API_KEY = Knob(env_str, "")
    COURIER_API_KEY_ID = Knob(env_str, "k1")
    COURIER_API_TIMEOUT = Knob(env_int, 10)
    COURIER_NAME = Knob(env_str, "courier")
    COURIER_LABEL = Knob(env_str, "快递")


delivery_conf = DeliveryConf()
