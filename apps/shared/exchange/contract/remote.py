"""The remote virtual window (issue 14; apps/central/remote ↔ apps/front/remote).

The live session itself (signalling, shared form, scans) goes over signed request/response (DESIGN.md §10);
only what must reach the other site exactly once, even when nobody is looking, goes through the outbox.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field

from .base import Number, WireDateTime, WirePayload
from .kinds import MessageKind


class RemoteOutcome(StrEnum):
    """What a remote session ended with at central: the three answers of 行政许可法 Art. 32 a window gives."""

    ACCEPTED = "accepted"
    ONE_TIME_NOTICE = "one_time_notice"
    REFUSED = "refused"


class RemoteEnding(StrEnum):
    """A session that ended with no intake outcome."""

    UNANSWERED = "unanswered"  # nobody answered in time: the front opens a consultation ticket for a call-back
    HUNG_UP = "hung_up"  # ended by either side before an outcome
    CANCELLED = "cancelled"  # the hall withdrew the request before anyone answered


SessionId = Annotated[str, Field(title="远程会话编号", min_length=36, max_length=36)]

# The contact part of the form both sides of a session see and fill in (name and ID number come from the
# applicant's account and are not retyped): field name, label, longest value. The form itself is the matter's own
# (its version's fields, apps/shared/exchange/remote.py form_rows); these three follow it, and are all a form had
# before it was, so an older peer that sends only them still works.
REMOTE_FORM_FIELDS: tuple[tuple[str, Any, int], ...] = (
    ("phone", _("联系电话"), 20),
    ("address", _("通讯地址"), 200),
    ("statement", _("申请事项说明"), 500),
)


class RemoteStaff(BaseModel):
    """The central staff member who acted: recorded at the front as the case's acceptor."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    username: str = Field(title="账号", min_length=1, max_length=150)
    name: str = Field(title="姓名", max_length=64)
    department: str = Field(title="部门", max_length=100)


class RemoteHistoryEntry(BaseModel):
    """One line of the session log, for the case's timeline."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: WireDateTime = Field(title="时间")
    actor: str = Field(title="操作人", max_length=100)
    note: str = Field(title="内容", max_length=500)


class RemoteConcluded(WirePayload):
    """Central's staff accepted the application, gave the one-time notice, or refused it, as a window would:
    the front makes the case with the scans the hall uploaded and issues the document at the hall."""

    KIND = MessageKind.REMOTE_CONCLUDED

    session: SessionId
    outcome: RemoteOutcome = Field(title="受理结果")
    staff: RemoteStaff = Field(title="远程受理人员")
    concluded_at: WireDateTime = Field(title="时间")
    items: list[str] = Field(default_factory=list, title="一次性告知事项")
    reason: str = Field("", title="不予受理理由", max_length=500)
    refer_to: str = Field("", title="应向何机关申请", max_length=200)
    identity_note: str = Field("", title="远程身份核验", max_length=300)
    # The form as typed, by name: the matter's field keys and the contact part (checked at central before an
    # acceptance; the front keeps every value, and makes the case's application form of them).
    form: dict[str, str] = Field(default_factory=dict, title="申请表")
    history: list[RemoteHistoryEntry] = Field(default_factory=list, title="会话记录")


class RemoteEnded(WirePayload):
    KIND = MessageKind.REMOTE_ENDED

    session: SessionId
    ending: RemoteEnding = Field(title="结束方式")
    ended_at: WireDateTime = Field(title="结束时间")
    note: str = Field("", title="说明", max_length=300)


class RemoteDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str = Field(title="文书类别", max_length=24)
    verification_code: str = Field(title="核验码", max_length=16)


class RemoteCaseOpened(WirePayload):
    """The case a concluded session made at the hall, for central's session log."""

    KIND = MessageKind.REMOTE_CASE_OPENED

    session: SessionId
    number: Number
    status: str = Field(title="办件状态", max_length=24)
    documents: list[RemoteDocument] = Field(default_factory=list, title="文书")
