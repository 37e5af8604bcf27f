"""Business knobs of booking (govservice/lib/knobs.py: a Django setting of the same name wins, then the
environment variable, then the default here). Every variable is also listed in ``.env.example``."""

from __future__ import annotations

from govservice.lib.envvars import env_bool, env_int, env_list, env_str
from govservice.lib.knobs import AppConf, Knob


class BookingConf(AppConf):
    # Working days ahead that slots are generated and may be booked (DOMAIN.md §3: next working day to +10).
    BOOKING_HORIZON_WORKDAYS = Knob(env_int, 10)
    # Length of a slot in minutes (DOMAIN.md §3).
    BOOKING_SLOT_MINUTES = Knob(env_int, 30)
    # Active appointments one citizen may hold in total (DOMAIN.md §3: at most 3).
    BOOKING_MAX_ACTIVE_PER_CITIZEN = Knob(env_int, 3)
    # The next four are hall-wide defaults that a window group may override in the admin (DOMAIN.md §3).
    # Local time each day's slots open, N working days ahead ("HH:MM").
    BOOKING_RELEASE_TIME = Knob(env_str, "08:30")
    # Share of a slot bookable online, in percent; the rest is reserved for phone / on-site booking.
    BOOKING_ONLINE_PERCENT = Knob(env_int, 100)
    # Hours between booking and the slot's start (setting; 0: none).
    BOOKING_MIN_NOTICE_HOURS = Knob(env_int, 0)
    # Free cancellation until this many hours before the start; later is a late cancellation (DOMAIN.md §3).
    BOOKING_FREE_CANCEL_HOURS = Knob(env_int, 2)
    # Not checked in by start + this many minutes is a no-show (爽约, DOMAIN.md §3).
    BOOKING_NO_SHOW_GRACE_MINUTES = Knob(env_int, 15)
    # Penalties (DOMAIN.md §3): within a rolling window of this many days, BOOKING_NO_SHOW_LIMIT no-shows
    # block online booking for BOOKING_NO_SHOW_BLOCK_DAYS, BOOKING_LATE_CANCEL_LIMIT late cancellations
    # for BOOKING_LATE_CANCEL_BLOCK_DAYS.
    BOOKING_PENALTY_WINDOW_DAYS = Knob(env_int, 30)
    BOOKING_NO_SHOW_LIMIT = Knob(env_int, 2)
    BOOKING_NO_SHOW_BLOCK_DAYS = Knob(env_int, 90)
    BOOKING_LATE_CANCEL_LIMIT = Knob(env_int, 5)
    BOOKING_LATE_CANCEL_BLOCK_DAYS = Knob(env_int, 30)
    # Anti-resale: a cancelled place is bookable again only after this many minutes (DOMAIN.md §3).
    BOOKING_RESALE_MINUTES = Knob(env_int, 10)
    # Minutes a waitlist offer is held for the citizen it went to (setting).
    BOOKING_WAITLIST_HOLD_MINUTES = Knob(env_int, 30)
    # Green-channel categories that may also book the reserved (phone / on-site) share online (DOMAIN.md §3).
    BOOKING_GREEN_CATEGORIES = Knob(env_list, ["elderly", "disabled", "military"])
    # The age that qualifies for the green channel (DOMAIN.md §3: elderly ≥ 70); read by booking (the
    # elderly booking check) and by the hall floor, which builds on booking.
    HALL_GREEN_CHANNEL_AGE = Knob(env_int, 70)

    # The booking facts' read is PREPAREd once per database connection (apps/front/booking/fastpath.py).
    # Off behind PgBouncer in transaction pooling, where a prepared statement does not follow the client
    # (setting).
    BOOKING_PREPARED_STATEMENTS = Knob(env_bool, True)


booking_conf = BookingConf()
