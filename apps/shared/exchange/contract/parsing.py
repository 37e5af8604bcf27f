"""Reading a payload off the wire: every (kind, version) a receiver accepts, and the refusals."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from .base import WirePayload
from .cases_to_central import (
    CaseDelivered,
    CaseDeliveryChosen,
    CaseOriginalsPosted,
    CaseResync,
    CaseSubmitted,
    CaseSupplement,
    CaseWithdrawRequested,
)
from .cases_to_front import (
    CaseClosedNoCorrection,
    CaseCorrectionRequested,
    CaseDecided,
    CaseExtended,
    CaseResultIssued,
    CaseReviewResumed,
    CaseReviewStarted,
    CaseSpecialProcedure,
    CaseTransferred,
    CaseVoided,
    CaseWithdrawn,
    CaseWithdrawRefused,
)
from .deferred import CaseCommitmentBroken, CaseCommitmentMade, CaseDeferredSupplied, CaseReviewSuspended
from .kinds import MessageKind
from .licences import LicenceRevoked
from .remote import RemoteCaseOpened, RemoteConcluded, RemoteEnded

# Every (kind, version) a receiver accepts. A new version is added beside the old one, which stays until
# no outbox holds a message of it.
PAYLOADS: dict[tuple[MessageKind, int], type[WirePayload]] = {
    (cls.KIND, cls.SCHEMA_VERSION): cls
    for cls in (
        # Front → central
        CaseSubmitted,
        CaseSupplement,
        CaseResync,
        CaseWithdrawRequested,
        CaseDeliveryChosen,
        CaseDelivered,
        CaseOriginalsPosted,
        # Central → front
        CaseReviewStarted,
        CaseDecided,
        CaseCorrectionRequested,
        CaseSpecialProcedure,
        CaseReviewResumed,
        CaseExtended,
        CaseResultIssued,
        CaseWithdrawn,
        CaseWithdrawRefused,
        # 容缺受理 follow-up, front → central (issue 13, front intake)
        CaseCommitmentMade,
        CaseDeferredSupplied,
        CaseCommitmentBroken,
        CaseReviewSuspended,
        # Central → front: the ends central reaches on its own (issue 13, central)
        CaseTransferred,
        CaseVoided,
        CaseClosedNoCorrection,
        # Remote virtual window (issue 14)
        RemoteConcluded,
        RemoteEnded,
        RemoteCaseOpened,
        # Shared licences, central → platforms (issue 16)
        LicenceRevoked,
    )
}


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
        raise UnknownMessage("unknown_version", f"不支持的报文版本 {kind} v{version}。 Unknown schema version.")
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
