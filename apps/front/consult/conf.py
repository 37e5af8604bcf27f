"""Business knobs of consultation tickets (govservice/lib/knobs.py: a Django setting of the same name wins, then
the environment variable, then the default here). Every variable is also listed in ``.env.example``. The
answer limits in working days (same day / 3 / 13) are the law's practice and live in limits.py."""

from __future__ import annotations

from govservice.lib.envvars import env_int
from govservice.lib.knobs import AppConf, Knob


class ConsultConf(AppConf):
    # 12345 hotline standard (GB/T 33358, DOMAIN.md §6): a consultation asked in writing (online, at a
    # terminal) gets its first written answer within this many seconds of being asked; the report shows the
    # share that did (setting).
    CONSULT_WRITTEN_ANSWER_SECONDS = Knob(env_int, 180)


consult_conf = ConsultConf()
