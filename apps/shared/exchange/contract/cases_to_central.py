"""Front → central: the case the front accepted, and what the applicant does about it afterwards."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .base import DeliveryMethod, Number, OptionalWireDate, WireDateTime, WirePayload, absent
from .kinds import MessageKind


class Applicant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(title="申请人姓名")
    id_number: str = Field(title="证件号码")
    # A legal person (issue 15: its name, and its unified social credit code as ``id_number``). Optional: absent for
    # a natural person, so every message written before it stays what it was, byte for byte.
    kind: Literal["company"] | None = Field(None, title="申请人类别", exclude_if=absent)


class CaseAgent(BaseModel):
    """Who filed or acted for the applicant (issue 15, DOMAIN.md §9: a person's 代办人, a company's legal
    representative or 经办人): the name, the ID number masked as staff screens show it (central needs to know who,
    not to find them), and the 委托书 number ("" for a company's legal representative, who needs none)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(title="办理人姓名", min_length=1, max_length=64)
    id_masked: str = Field(title="办理人证件号码（脱敏）", max_length=18, pattern=r"^[0-9]{6}\*{8}[0-9]{3}[0-9Xx]$")
    mandate: str = Field("", title="委托书编号", max_length=16)


class BundlePart(BaseModel):
    """One matter of a 一件事 bundle: its case at the front once sent (``number``; "" while it waits for its
    prerequisite, or once dropped), and the matter whose approval it waits for (``after``; "": in parallel)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    matter_code: str = Field(title="事项编码")
    matter_name: str = Field("", title="事项名称")
    after: str = Field("", title="前置事项编码")
    number: str = Field("", title="办件编号", max_length=32)


class CaseBundle(BaseModel):
    """The 一件事 a case is a part of (issue 15): the one application (``id``, the front's bundle application
    code), the bundle it applied for (``code``, ``name``), and all its parts as the front knows them then."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(title="一件事申请编号", min_length=1, max_length=16)
    code: str = Field(title="一件事编码", max_length=64)
    name: str = Field(title="一件事名称", max_length=200)
    parts: list[BundlePart] = Field(title="各事项", min_length=1)


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
    # A part of a 一件事 bundle (issue 15). Optional: absent from the payload when the case is not one, so every
    # message written before it (and every lone case's) stays what it was, byte for byte.
    bundle: CaseBundle | None = Field(None, title="一件事", exclude_if=absent)
    # Someone acted for the applicant (issue 15). Optional like ``bundle``: absent when the applicant acted alone.
    agent: CaseAgent | None = Field(None, title="办理人", exclude_if=absent)


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


class CaseOriginalsPosted(WirePayload):
    """异地代收代办 (收受分离, DOMAIN.md §9): the hall that received the case on the handling region's behalf posted
    the originals that region's checklist asks for (材料寄递); the waybill lets the handling office follow them."""

    KIND = MessageKind.CASE_ORIGINALS_POSTED

    number: Number
    items: list[str] = Field(title="寄递原件")
    courier: str = Field(title="快递公司")
    tracking_number: str = Field(title="运单号")


class CaseDelivered(WirePayload):
    KIND = MessageKind.CASE_DELIVERED

    number: Number
    method: DeliveryMethod = Field(title="领取方式")
    delivered_at: WireDateTime = Field(title="送达时间")
    # Only a posted result has a waybill; the field is then absent from the payload, not "".
    tracking_number: str | None = Field(None, title="运单号", exclude_if=absent)
