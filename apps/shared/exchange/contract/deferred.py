"""The follow-up of a 容缺受理 commitment (issue 13, front intake), front → central, and the suspension it leads to,
central → front."""

from __future__ import annotations

from pydantic import Field

from .base import Number, OptionalWireDate, WireDate, WirePayload
from .kinds import MessageKind


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


class CaseReviewSuspended(WirePayload):
    """Central suspended the review (中止) for the deferred items still owed: they may come until ``deadline``,
    then the case is closed (``case.closed_no_correction`` with that date). "" while the deadline falls in a year
    whose holidays are not published (told again once it is known)."""

    KIND = MessageKind.CASE_REVIEW_SUSPENDED

    number: Number
    outstanding: list[str] = Field(title="尚欠材料", min_length=1)
    deadline: OptionalWireDate = Field(title="中止期限")
