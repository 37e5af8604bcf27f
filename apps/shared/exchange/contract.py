"""The contract between the sites: every message kind on the wire, the payload each carries, and the enums
both sides read. Both sites import this module and nothing else of each other (DESIGN.md §5).

- ``MessageKind`` names every kind. A payload class per kind and schema version (``CaseDecided`` is
  ``case.decided`` version 1) says what it carries; producers build one, handlers receive one.
- On the wire the envelope names the version as ``"schema_version"`` from version 2 on; an envelope
  without it is version 1, the shape every message had before versions were written down. So the body of
  a message written before this contract is sent again byte for byte (the receiver compares bodies of a
  resent id), and version 1 of every kind accepts exactly what the code wrote then.
- A kind changes by adding a class with the next version (the old one stays, and its handler keeps
  reading it, until no outbox on either site holds a message of it). The receiver refuses a kind or
  version it does not know, and a payload its class refuses, with a reason the sender keeps with the
  dead letter (``exchange.services.inbox.inbox_receive``).

Why pydantic rather than frozen dataclasses checked by DRF serializers: one declaration gives the typed
object, its validation and its JSON form, so what the sender writes and what the receiver checks cannot
drift apart; a serializer beside each dataclass would be the second copy this module exists to remove.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError

# Both sites store the decision code; it lives in govservice.lib (below the apps, which may all import
# it) and is re-exported here as part of the contract.
from govservice.lib.decisions import Decision

__all__ = ["Decision", "DeliveryMethod", "InvalidPayload", "MessageKind", "UnknownMessage", "WirePayload"]


class DeliveryMethod(models.TextChoices):
    """How the result reaches the applicant: chosen at the front, told to central (case.submitted,
    case.delivery_chosen), echoed back with the result (case.result_issued)."""

    PICKUP = "pickup", _("窗口领取")
    POST = "post", _("免费邮寄")
    ELECTRONIC = "electronic", _("电子证照下载")


class MessageKind(StrEnum):
    # Front → central
    CASE_SUBMITTED = "case.submitted"
    CASE_SUPPLEMENT = "case.supplement"
    CASE_RESYNC = "case.resync"
    CASE_WITHDRAW_REQUESTED = "case.withdraw_requested"
    CASE_DELIVERY_CHOSEN = "case.delivery_chosen"
    CASE_DELIVERED = "case.delivered"
    # Central → front
    CASE_REVIEW_STARTED = "case.review_started"
    CASE_DECIDED = "case.decided"
    CASE_CORRECTION_REQUESTED = "case.correction_requested"
    CASE_SPECIAL_PROCEDURE = "case.special_procedure"
    CASE_REVIEW_RESUMED = "case.review_resumed"
    CASE_EXTENDED = "case.extended"
    CASE_RESULT_ISSUED = "case.result_issued"
    CASE_WITHDRAWN = "case.withdrawn"
    CASE_WITHDRAW_REFUSED = "case.withdraw_refused"
    # --- Central → front: the ends central reaches on its own (issue 13, central) ---
    CASE_TRANSFERRED = "case.transferred"
    CASE_VOIDED = "case.voided"
    CASE_CLOSED_NO_CORRECTION = "case.closed_no_correction"
    # --- end of issue 13, central ---
    # --- Issue 13, front intake (容缺受理 follow-up), front → central ---
    CASE_COMMITMENT_MADE = "case.commitment_made"
    CASE_DEFERRED_SUPPLIED = "case.deferred_supplied"
    CASE_COMMITMENT_BROKEN = "case.commitment_broken"
    # --- Remote virtual window (issue 14; apps/central/remote ↔ apps/front/remote) ---
    # Central → front: how a session ended with an intake outcome, or without one.
    REMOTE_CONCLUDED = "remote.concluded"
    REMOTE_ENDED = "remote.ended"
    # Front → central: the case (and its documents) a concluded session made at the hall.
    REMOTE_CASE_OPENED = "remote.case_opened"
    # --- end of issue 14, remote ---


# --- Wire types: dates travel as ISO strings, an unknown date as "" (as the code has always written) ---


def _blank_is_none(value: Any) -> Any:
    return None if value == "" else value


def _iso_or_blank(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


WireDate = Annotated[dt.date, PlainSerializer(dt.date.isoformat, return_type=str)]
# Aware: a moment, never a wall-clock reading whose zone the receiver would have to guess.
WireDateTime = Annotated[AwareDatetime, PlainSerializer(dt.datetime.isoformat, return_type=str)]
# "" on the wire for "no date" (a limit in an unpublished year, a certificate valid without end).
OptionalWireDate = Annotated[dt.date | None, BeforeValidator(_blank_is_none), PlainSerializer(_iso_or_blank, return_type=str)]
OptionalWireDateTime = Annotated[
    AwareDatetime | None, BeforeValidator(_blank_is_none), PlainSerializer(_iso_or_blank, return_type=str)
]


def _absent(value: Any) -> bool:
    return value is None


Number = Annotated[str, Field(title="办件编号", min_length=1, max_length=32)]


class WirePayload(BaseModel):
    """A message's payload. Frozen, so one built (and so validated) cannot turn invalid before it is sent;
    unknown fields are refused, so a misspelt field fails where it is written, not silently at the peer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Upper case: class constants, not fields (case.special_procedure carries a field named "kind").
    KIND: ClassVar[MessageKind]
    SCHEMA_VERSION: ClassVar[int] = 1

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# --- Front → central -------------------------------------------------------------------------------


class Applicant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(title="申请人姓名")
    id_number: str = Field(title="证件号码")


class CaseSubmitted(WirePayload):
    """An accepted case with its materials (the files travel beside the payload)."""

    KIND = MessageKind.CASE_SUBMITTED

    number: Number
    matter_code: str = Field(title="事项编码")
    matter_version: int = Field(title="事项版本")
    hall: str = Field("", title="受理大厅")
    applicant: Applicant = Field(title="申请人")
    accepted_at: WireDateTime = Field(title="受理时间")
    promised_date: OptionalWireDate = Field(None, title="承诺办结日期")
    commitment_items: list[str] = Field(default_factory=list, title="容缺材料")
    # A plain string, not DeliveryMethod: central takes an unreadable method as the e-licence and notes it
    # rather than costing the applicant their case (review.handlers.case_submitted).
    delivery_method: str = Field("", title="领取方式")
    delivery_region: str = Field("", title="邮寄地区")


class CaseSupplement(WirePayload):
    """The applicant's corrected materials (files beside the payload)."""

    KIND = MessageKind.CASE_SUPPLEMENT

    number: Number


class CaseResync(WirePayload):
    """Reconciliation: the front asks for the current state of cases it has heard nothing about."""

    KIND = MessageKind.CASE_RESYNC

    numbers: list[str] = Field(title="办件编号")


class CaseWithdrawRequested(WirePayload):
    KIND = MessageKind.CASE_WITHDRAW_REQUESTED

    number: Number
    reason: str = Field("", title="撤回理由")


class CaseDeliveryChosen(WirePayload):
    """The method, and for post the city and district only: the address stays at the front (DOMAIN.md §8)."""

    KIND = MessageKind.CASE_DELIVERY_CHOSEN

    number: Number
    method: DeliveryMethod = Field(title="领取方式")
    region: str = Field("", title="邮寄地区")


class CaseDelivered(WirePayload):
    KIND = MessageKind.CASE_DELIVERED

    number: Number
    method: DeliveryMethod = Field(title="领取方式")
    delivered_at: WireDateTime = Field(title="送达时间")
    # Only a posted result has a waybill; the field is then absent from the payload, not "".
    tracking_number: str | None = Field(None, title="运单号", exclude_if=_absent)


# --- Central → front -------------------------------------------------------------------------------


class CaseReviewStarted(WirePayload):
    KIND = MessageKind.CASE_REVIEW_STARTED

    number: Number


class CaseDecided(WirePayload):
    KIND = MessageKind.CASE_DECIDED

    number: Number
    decision: Decision = Field(title="审批决定")
    reason: str = Field("", title="决定理由")
    remedies: str = Field("", title="救济途径")
    decided_at: OptionalWireDateTime = Field(title="决定时间")
    approver_label: str = Field("审批总后台", title="审批人员")


class CaseCorrectionRequested(WirePayload):
    KIND = MessageKind.CASE_CORRECTION_REQUESTED

    number: Number
    items: list[str] = Field(title="补正事项")
    deadline: OptionalWireDate = Field(title="补正期限")


class CaseSpecialProcedure(WirePayload):
    KIND = MessageKind.CASE_SPECIAL_PROCEDURE

    number: Number
    kind: str = Field(title="特别程序类别")  # a review.SpecialProcedure value, or ""
    kind_label: str = Field(title="特别程序名称")
    reason: str = Field(title="特别程序理由")
    expected_days: int | None = Field(title="预计天数")


class CaseReviewResumed(WirePayload):
    """``promised_date`` "" means the new date is not known yet; absent (never written since the kind
    exists, but accepted) leaves the front's date as it is: read ``"promised_date" in model_fields_set``."""

    KIND = MessageKind.CASE_REVIEW_RESUMED

    number: Number
    promised_date: OptionalWireDate = Field(None, title="承诺办结日期")


class CaseExtended(WirePayload):
    KIND = MessageKind.CASE_EXTENDED

    number: Number
    reason: str = Field(title="延期理由")
    days: int = Field(title="延长工作日")
    promised_date: OptionalWireDate = Field(None, title="承诺办结日期")  # as in CaseReviewResumed


class CaseResultIssued(WirePayload):
    """The certificate's record; its PDF travels beside the payload."""

    KIND = MessageKind.CASE_RESULT_ISSUED

    number: Number
    title: str = Field(title="证照名称")
    licence_number: str = Field(title="证照编号")
    verification_code: str = Field(title="核验码", min_length=1)
    issued_on: WireDate = Field(title="出具日期")
    valid_until: OptionalWireDate = Field(title="有效期至")
    issuer: str = Field(title="出具单位")
    # Central's echo of the front's choice; the front's own choice is what counts there.
    delivery_method: DeliveryMethod | None = Field(None, title="领取方式", exclude_if=_absent)


class CaseWithdrawn(WirePayload):
    KIND = MessageKind.CASE_WITHDRAWN

    number: Number


class CaseWithdrawRefused(WirePayload):
    KIND = MessageKind.CASE_WITHDRAW_REFUSED

    number: Number
    reason: str = Field(title="不予撤回理由")


# --- Issue 13, front intake: the follow-up of a 容缺受理 commitment (front → central) ---------------------


class CaseCommitmentMade(WirePayload):
    """The case (sent just before, as case.submitted) was accepted on the applicant's commitment to bring
    the deferred items by the deadline."""

    KIND = MessageKind.CASE_COMMITMENT_MADE

    number: Number
    items: list[str] = Field(title="容缺材料", min_length=1)
    deadline: WireDate = Field(title="补交期限")


class CaseDeferredSupplied(WirePayload):
    """Deferred items the applicant brought (online or at a window); the files travel beside the payload.
    ``outstanding`` empty: the commitment is met."""

    KIND = MessageKind.CASE_DEFERRED_SUPPLIED

    number: Number
    items: list[str] = Field(title="本次补交材料", min_length=1)
    outstanding: list[str] = Field(default_factory=list, title="尚欠材料")


class CaseCommitmentBroken(WirePayload):
    """The deadline passed with items still owed: central suspends the review until they come; the front
    has written the applicant's credit record."""

    KIND = MessageKind.CASE_COMMITMENT_BROKEN

    number: Number
    outstanding: list[str] = Field(title="尚欠材料", min_length=1)
    deadline: WireDate = Field(title="补交期限")
    credit_recorded: bool = Field(True, title="已记入信用记录")


# Every (kind, version) a receiver accepts. A new version is added beside the old one, which stays until
# no outbox holds a message of it.
PAYLOADS: dict[tuple[MessageKind, int], type[WirePayload]] = {
    (cls.KIND, cls.SCHEMA_VERSION): cls
    for cls in (
        CaseSubmitted, CaseSupplement, CaseResync, CaseWithdrawRequested, CaseDeliveryChosen, CaseDelivered,
        CaseReviewStarted, CaseDecided, CaseCorrectionRequested, CaseSpecialProcedure, CaseReviewResumed,
        CaseExtended, CaseResultIssued, CaseWithdrawn, CaseWithdrawRefused,
        # Issue 13, front intake
        CaseCommitmentMade, CaseDeferredSupplied, CaseCommitmentBroken,
    )
}


# --- Central → front: the ends central reaches on its own (issue 13, central) ---------------------------


class CaseTransferred(WirePayload):
    """A supervisor sent the case on to the department that should decide it; the clock runs on (the
    government's routing is not the applicant's time). ``case.review_resumed`` follows once it is taken up."""

    KIND = MessageKind.CASE_TRANSFERRED

    number: Number
    department: str = Field(title="承办部门", min_length=1)
    reason: str = Field(title="转办理由", min_length=1)


class CaseVoided(WirePayload):
    """A case opened in error (a duplicate, a test) voided by a supervisor."""

    KIND = MessageKind.CASE_VOIDED

    number: Number
    reason: str = Field(title="作废理由", min_length=1)


class CaseClosedNoCorrection(WirePayload):
    """The correction period passed with no answer: the case is closed (DOMAIN.md §5)."""

    KIND = MessageKind.CASE_CLOSED_NO_CORRECTION

    number: Number
    deadline: OptionalWireDate = Field(title="补正期限")


PAYLOADS |= {(cls.KIND, cls.SCHEMA_VERSION): cls for cls in (CaseTransferred, CaseVoided, CaseClosedNoCorrection)}

# --- end of issue 13, central ---
# --- Remote virtual window (issue 14; apps/central/remote ↔ apps/front/remote) ----------------------------
# The live session itself (signalling, shared form, scans) goes over signed request/response (DESIGN.md §10);
# only what must reach the other site exactly once, even when nobody is looking, goes through the outbox.


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

# The application form both sides of a session see and fill in (name and ID number come from the applicant's
# account and are not retyped): field name, label, longest value. Both sites render it from here.
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


PAYLOADS |= {(cls.KIND, cls.SCHEMA_VERSION): cls for cls in (RemoteConcluded, RemoteEnded, RemoteCaseOpened)}

# --- end of issue 14, remote ---


# --- Reading a payload off the wire -------------------------------------------------------------------


class UnknownMessage(Exception):
    """This site does not know the kind or the version (a newer peer, or a stale one)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


class InvalidPayload(Exception):
    """The payload does not satisfy its kind's schema; the reason names the fields."""


def payload_class(kind: str, version: Any = 1) -> type[WirePayload]:
    """The class of ``kind`` at ``version``, or UnknownMessage."""
    try:
        known_kind = MessageKind(kind)
    except ValueError:
        raise UnknownMessage("unknown_kind", f"不支持的报文类型 {kind}。 Unknown message kind.") from None
    if type(version) is not int or (known_kind, version) not in PAYLOADS:
        raise UnknownMessage(
            "unknown_version", f"不支持的报文版本 {kind} v{version}。 Unknown schema version."
        )
    return PAYLOADS[(known_kind, version)]


def payload_parse(cls: type[WirePayload], data: Any) -> WirePayload:
    """Validate a received payload into its class, or InvalidPayload with a reason a person can act on."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise InvalidPayload(
            f"报文 {cls.KIND} v{cls.SCHEMA_VERSION} 内容不符合约定：{_reasons(cls, exc)}。 Invalid payload."
        ) from None


def _reasons(cls: type[WirePayload], exc: ValidationError) -> str:
    parts = []
    for error in exc.errors(include_url=False)[:5]:
        path = ".".join(str(p) for p in error["loc"])
        field = cls.model_fields.get(str(error["loc"][0])) if error["loc"] else None
        title = field.title if field is not None and field.title else ""
        parts.append(f"{title}（{path}）{error['msg']}" if title else f"{path or '报文'} {error['msg']}")
    return "；".join(parts)
