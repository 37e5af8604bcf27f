"""Central → front: where the review stands, its decision and result, and the ends central reaches on its own."""

from __future__ import annotations

from pydantic import Field

from govservice.lib.decisions import Decision

from .base import DeliveryMethod, Number, OptionalWireDate, OptionalWireDateTime, WireDate, WirePayload, absent
from .kinds import MessageKind


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
    delivery_method: DeliveryMethod | None = Field(None, title="领取方式", exclude_if=absent)


class CaseWithdrawn(WirePayload):
    KIND = MessageKind.CASE_WITHDRAWN

    number: Number


class CaseWithdrawRefused(WirePayload):
    KIND = MessageKind.CASE_WITHDRAW_REFUSED

    number: Number
    reason: str = Field(title="不予撤回理由")


# --- The ends central reaches on its own (issue 13, central) --------------------------------------------


class CaseTransferred(WirePayload):
    """A supervisor sent the case on to the department that should decide it; the clock runs on (the
    government's routing is not the applicant's time). ``case.review_resumed`` follows once it is taken up, or
    ``case.review_suspended`` alone when it is still suspended for deferred items (容缺) owed."""

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
