"""Business knobs of online applications (govservice/lib/knobs.py: a Django setting of the same name wins, then
the environment variable, then the default here). Every variable is also listed in ``.env.example``. The
pre-review limit is intake's (PREREVIEW_WORKDAYS): it is a limit of the case; the retention of drafts is the
privacy app's (RETENTION_ONLINE_*_DAYS)."""

from __future__ import annotations

from govservice.lib.envvars import env_int
from govservice.lib.knobs import AppConf, Knob


class OnlineConf(AppConf):
    # Files one application may hold (uploads across its drafts and resubmissions): a bound on what one
    # applicant can make the platform store (setting).
    ONLINE_FILES_MAX = Knob(env_int, 40)


online_conf = OnlineConf()
