"""Business knobs of 好差评 (govservice/lib/knobs.py: a Django setting of the same name wins, then the
environment variable, then the default here). Every variable is also listed in ``.env.example``."""

from __future__ import annotations

from govservice.lib.envvars import env_bool, env_int
from govservice.lib.knobs import AppConf, Knob


class RatingsConf(AppConf):
    # Rating by SMS link within this many working days (DOMAIN.md §7, setting: 5).
    RATING_LINK_WORKDAYS = Knob(env_int, 5)
    # A ticket's SMS link goes out this many minutes after the window finished: time to rate on the spot
    # first (setting).
    RATING_INVITE_DELAY_MINUTES = Knob(env_int, 15)
    # The window tablet offers a finished ticket for rating this many minutes (setting).
    RATING_TABLET_MINUTES = Knob(env_int, 10)
    # 差评 rectification: the unit replies within this many days, natural or working (DOMAIN.md §7:
    # 7 natural days in Beijing; other places 5 or 15 working days).
    RECTIFICATION_LIMIT_DAYS = Knob(env_int, 7)
    RECTIFICATION_LIMIT_WORKING_DAYS = Knob(env_bool, False)
    # Reminder to the unit and escalation to the hall's supervisors, in days before the reply limit (setting).
    RECTIFICATION_REMIND_DAYS_BEFORE = Knob(env_int, 2)
    RECTIFICATION_ESCALATE_DAYS_BEFORE = Knob(env_int, 1)
    # The unit may appeal a wrong rating within this many working days (DOMAIN.md §7: 3).
    RECTIFICATION_APPEAL_WORKDAYS = Knob(env_int, 3)


ratings_conf = RatingsConf()
