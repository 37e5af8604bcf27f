"""Knobs of the licence library (govservice/lib/knobs.py: a Django setting of the same name wins, then the
environment variable, then the default here). Every variable is also listed in ``.env.example``."""

from __future__ import annotations

from govservice.lib.envvars import env_int, env_str
from govservice.lib.knobs import AppConf, Knob


class LicencesConf(AppConf):
    # The largest question taken (bytes); anything bigger is refused unread.
    LICENCES_MAX_BODY = Knob(env_int, 16384)
    # The office whose key signs the library's copy of a licence imported from another department's system
    # (the library attests the record it received; the department's own seal is on its original).
    LICENCES_LIBRARY_OFFICE = Knob(env_str, "library")


licences_conf = LicencesConf()
