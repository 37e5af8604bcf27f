"""The shared licence library (电子证照库, apps/central/licences) and the platforms' questions to each other
(issue 16).

Questions and answers go over signed request/response (DESIGN.md §10, ``exchange.questions``): a platform
asks central for a citizen's licences that a matter needs, or whether licences it holds are still valid, and
asks another platform for a person's cases there. Only a licence's revocation goes through the outbox: every
platform that was given the licence must hear of it, exactly once, even when nobody is asking.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from .base import OptionalWireDate, WireDate, WireDateTime, WirePayload
from .kinds import MessageKind

LICENCE_QUERY_PATH = "/api/v1/licences/query/"
LICENCE_STATUS_PATH = "/api/v1/licences/status/"
PLATFORM_CASES_PATH = "/api/v1/platform/cases/"

LicenceNumber = Annotated[str, Field(title="证照编号", min_length=1, max_length=64)]


class LicenceState(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # the library holds no licence of this number


class _Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonAsked(_Question):
    """Who a question is about: the verified name and ID number (the blind index is each site's own)."""

    name: str = Field(title="姓名", min_length=1, max_length=64)
    id_number: str = Field(title="证件号码", min_length=15, max_length=18)


class ConsentGiven(_Question):
    """The citizen's consent the asking platform recorded (privacy.Consent): its purpose, text version and
    moment. Central refuses a question without it."""

    purpose: str = Field(title="授权用途", min_length=1, max_length=32)
    version: str = Field(title="告知文本版本", min_length=1, max_length=16)
    given_at: WireDateTime = Field(title="同意时间")


class LicenceQuestion(_Question):
    """A platform asks for a person's licences that one of its cases needs: the case, the matter and the
    material keys it needs them for (nothing else is returned), the purpose, the consent."""

    person: PersonAsked
    purpose: str = Field(title="用途", min_length=1, max_length=100)
    reference: str = Field(title="办件编号", max_length=150)
    matter_code: str = Field(title="事项编码", min_length=1, max_length=64)
    material_keys: list[str] = Field(title="所需材料", min_length=1, max_length=50)
    consent: ConsentGiven | None = Field(None, title="授权同意")


class LicenceGiven(_Question):
    """One licence as the library gives it, for one material key of the matter asked about; the signed PDF
    travels base64-encoded (the answer to one case is a few licences)."""

    number: LicenceNumber
    verification_code: str = Field(title="核验码", min_length=1, max_length=16)
    title: str = Field(title="证照名称")
    material_key: str = Field(title="材料标识")
    issuer: str = Field(title="发证机关")
    issued_on: WireDate = Field(title="发证日期")
    valid_until: OptionalWireDate = Field(None, title="有效期至")
    sha256: str = Field(title="文件摘要", min_length=64, max_length=64)
    pdf: str = Field(title="证照文件（base64）")


class LicenceAnswer(_Question):
    licences: list[LicenceGiven] = Field(default_factory=list)


class LicenceStatusQuestion(_Question):
    """Are these licences still valid? By number (those the asking platform holds) or by verification code
    (its public verification page): no person travels. At least one of the two lists."""

    numbers: list[LicenceNumber] = Field(default_factory=list, title="证照编号", max_length=100)
    codes: list[Annotated[str, Field(min_length=1, max_length=16)]] = Field(
        default_factory=list, title="核验码", max_length=20
    )


class LicencePublic(_Question):
    """What a verification page may show of a licence: no holder. ``certificate`` is the issuing office's
    certificate (PEM) the PDF's signature is checked against."""

    number: LicenceNumber
    title: str
    issuer: str
    issued_on: WireDate
    valid_until: OptionalWireDate = None
    state: LicenceState
    sha256: str
    certificate: str


class LicenceStatusAnswer(_Question):
    states: dict[str, LicenceState] = Field(default_factory=dict)
    by_code: dict[str, LicencePublic] = Field(default_factory=dict)


class LicenceRevoked(WirePayload):
    """Central → every platform the licence was given to (and the one whose case it was issued for): it is no
    longer valid; a platform stops offering it as evidence at once."""

    KIND = MessageKind.LICENCE_REVOKED

    number: LicenceNumber
    verification_code: str = Field(title="核验码", min_length=1, max_length=16)
    revoked_on: WireDate = Field(title="撤销日期")
    reason: str = Field("", title="撤销原因")


class PlatformCasesQuestion(_Question):
    """A platform asks another for the cases of the person it serves (one person across platforms)."""

    person: PersonAsked
    purpose: str = Field(title="用途", min_length=1, max_length=100)


class PlatformCase(_Question):
    number: str = Field(title="办件编号")
    matter: str = Field(title="事项名称")
    status: str = Field(title="办件状态")
    status_label: str = Field(title="办件状态说明")
    received_at: WireDateTime = Field(title="收件时间")
    hall: str = Field(title="受理大厅")


class PlatformCasesAnswer(_Question):
    platform: str = Field(title="平台名称")
    cases: list[PlatformCase] = Field(default_factory=list)
