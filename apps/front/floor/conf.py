"""Business knobs of the hall floor (govservice/lib/knobs.py: a Django setting of the same name wins, then
the environment variable, then the default here). Every variable is also listed in ``.env.example``.
The green-channel age is booking's (apps/front/booking/conf.py), since booking checks it too."""

from __future__ import annotations

from govservice.lib.envvars import env_bool, env_int
from govservice.lib.knobs import AppConf, Knob


class FloorConf(AppConf):
    # Check-in window of an appointment: from start − early to start + late minutes; later arrivals join
    # the walk-in queue (DOMAIN.md §3).
    CHECKIN_EARLY_MINUTES = Knob(env_int, 30)
    CHECKIN_LATE_MINUTES = Knob(env_int, 15)
    # How often a window may recall a number before it must mark it missed (过号) (setting).
    HALL_MAX_RECALLS = Knob(env_int, 2)
    # The service time assumed before a window group has finished anyone today, and how many of today's
    # latest services the waiting-time estimate averages (setting).
    HALL_SERVICE_MINUTES_DEFAULT = Knob(env_int, 10)
    HALL_SERVICE_SAMPLE = Knob(env_int, 20)
    # Walk-in tickets (现场取号) only while the hall is open: from HALL_WALK_IN_EARLY_MINUTES before its
    # first session to HALL_WALK_IN_STOP_MINUTES before its last ends, on working days, outside closures
    # (setting).
    HALL_WALK_IN_OPENING_HOURS_ONLY = Knob(env_bool, True)
    HALL_WALK_IN_EARLY_MINUTES = Knob(env_int, 30)
    HALL_WALK_IN_STOP_MINUTES = Knob(env_int, 0)
    # The printed ticket's page (with its rating code) stays open on the issuing kiosk for a reprint this
    # many minutes (setting).
    HALL_TICKET_REPRINT_MINUTES = Knob(env_int, 10)
    # The supervisor's view flags tickets waiting longer than this many minutes (setting).
    HALL_WAIT_ALERT_MINUTES = Knob(env_int, 30)
    # A kiosk's or a rating tablet's activation lasts this many seconds; its token is checked on every
    # request, so renewing or deactivating the device in the admin still stops it at once (setting).
    DEVICE_SESSION_SECONDS = Knob(env_int, 180 * 24 * 3600)
    # Staff signed in at a kiosk (帮办) are a step-up that ends by itself: after this many seconds without a
    # request, and whenever the assisted case is done, the kiosk is back in its device mode (setting).
    KIOSK_STAFF_IDLE_SECONDS = Knob(env_int, 300)
    # Every kiosk screen (and the window's rating tablet) goes back to its start after this many seconds
    # without a touch, clearing whatever was typed and the last person's language and 关怀模式: the next
    # citizen must not find someone's ID number or appointment code on the screen (setting).
    KIOSK_IDLE_SECONDS = Knob(env_int, 90)


floor_conf = FloorConf()
