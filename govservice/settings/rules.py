"""Rules shared by apps or sites: rate limits, the site name, the audit trail, remedies text."""

from __future__ import annotations

import pghistory
from django.utils.translation import gettext_lazy as _

from govservice.lib.envvars import env_int

from .core import IS_FRONT, env

# Rate limits: (per citizen, per IP, window in seconds). Per-IP limits are generous because many
# citizens share one address behind a carrier's NAT or a hall's network.
RATE_LIMITS = {
    "booking": (
        env_int("RATE_BOOKING_PER_USER", 20),
        env_int("RATE_BOOKING_PER_IP", 3000),
        env_int("RATE_BOOKING_WINDOW", 60),
    ),
    "register": (
        env_int("RATE_REGISTER_PER_USER", 5),
        env_int("RATE_REGISTER_PER_IP", 30),
        env_int("RATE_REGISTER_WINDOW", 600),
    ),
}

SITE_NAME = _("云窗口 · 政务服务") if IS_FRONT else _("云窗口 · 审批总后台")

# Audit trail (django-pghistory): triggers record every insert and update, QuerySet.update() included.
# Event models are named "<Model>Audit", reached from a row as ``row.audit_trail``.
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(related_name="audit_trail")
# Remedies printed on refusals and denials (行政复议法 Art. 20: 60 days; 行政诉讼法 Art. 46: 6 months).
REMEDIES_TEXT = env.str(
    "REMEDIES_TEXT",
    default="如不服本决定，可自收到本文书之日起六十日内向北京市通州区人民政府申请行政复议，"
    "或者自收到本文书之日起六个月内依法向人民法院提起行政诉讼。",
)
