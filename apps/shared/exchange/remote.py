"""The remote session's lifecycle, one for both sites (DESIGN.md §10): central keeps the session
(apps/central/remote.RemoteSession), the hall follows it (apps/front/remote.HallSession), and the wire carries
its values (contract.RemoteOutcome and contract.RemoteEnding)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionStatus(models.TextChoices):
    RINGING = "ringing", _("等待应答")
    ACTIVE = "active", _("通话中")
    ENDED = "ended", _("已结束")


S = SessionStatus
# The whole lifecycle in one place; services refuse anything not listed. Answering is RINGING → ACTIVE by one
# conditional UPDATE at central (the first staff member wins); a ring nobody answers ends it. The hall's
# record moves as central's does (polls and the wire).
SESSION_TRANSITIONS: dict[str, frozenset[str]] = {
    S.RINGING: frozenset({S.ACTIVE, S.ENDED}),
    S.ACTIVE: frozenset({S.ENDED}),
    S.ENDED: frozenset(),
}


class SessionOutcome(models.TextChoices):
    """How it ended. The values are the wire's."""

    NONE = "", _("—")
    ACCEPTED = "accepted", _("远程受理")
    ONE_TIME_NOTICE = "one_time_notice", _("一次性告知")
    REFUSED = "refused", _("不予受理")
    UNANSWERED = "unanswered", _("无人应答")
    HUNG_UP = "hung_up", _("未办结挂断")
    CANCELLED = "cancelled", _("大厅取消")
