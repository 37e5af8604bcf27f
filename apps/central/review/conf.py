"""Business knobs of central's review (govservice/lib/knobs.py: a Django setting of the same name wins, then
the environment variable, then the default here). Every variable is also listed in ``.env.example``."""

from __future__ import annotations

from govservice.lib.envvars import env_int
from govservice.lib.knobs import AppConf, Knob


class ReviewConf(AppConf):
    # 容缺受理 broken: working days a suspended review (中止) waits for the deferred items, from the day it was
    # suspended; then the case is closed and the applicant told (local practice; setting).
    REVIEW_SUSPENSION_WORKDAYS = Knob(env_int, 10)


review_conf = ReviewConf()
