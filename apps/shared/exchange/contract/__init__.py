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

The package, by purpose: ``base`` (the wire types, ``WirePayload`` and ``DeliveryMethod``), ``kinds``
(``MessageKind``), the payloads by direction and topic (``cases_to_central``, ``cases_to_front``, ``deferred``
for 容缺受理, ``remote`` for the remote virtual window, ``licences`` for the shared licence library and
the platforms' questions to each other), and ``parsing`` (``PAYLOADS``, every (kind, version) a
receiver accepts, and reading a payload off the wire). Import from here: ``contract.CaseDecided``.
"""

# Both sites store the decision code; it lives in govservice.lib (below the apps, which may all import
# it) and is re-exported here as part of the contract.
from govservice.lib.decisions import Decision

from .base import (
    DeliveryMethod,
    Number,
    OptionalWireDate,
    OptionalWireDateTime,
    WireDate,
    WireDateTime,
    WirePayload,
)
from .cases_to_central import (
    Applicant,
    BundlePart,
    CaseAgent,
    CaseBundle,
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
from .licences import (
    LICENCE_QUERY_PATH,
    LICENCE_STATUS_PATH,
    PLATFORM_CASES_PATH,
    ConsentGiven,
    LicenceAnswer,
    LicenceGiven,
    LicencePublic,
    LicenceQuestion,
    LicenceRevoked,
    LicenceState,
    LicenceStatusAnswer,
    LicenceStatusQuestion,
    PersonAsked,
    PlatformCase,
    PlatformCasesAnswer,
    PlatformCasesQuestion,
)
from .parsing import PAYLOADS, InvalidPayload, UnknownMessage, payload_class, payload_parse
from .remote import (
    REMOTE_FORM_FIELDS,
    RemoteCaseOpened,
    RemoteConcluded,
    RemoteDocument,
    RemoteEnded,
    RemoteEnding,
    RemoteHistoryEntry,
    RemoteOutcome,
    RemoteStaff,
    SessionId,
)

__all__ = [
    "LICENCE_QUERY_PATH",
    "LICENCE_STATUS_PATH",
    "PAYLOADS",
    "PLATFORM_CASES_PATH",
    "REMOTE_FORM_FIELDS",
    "Applicant",
    "BundlePart",
    "CaseAgent",
    "CaseBundle",
    "CaseClosedNoCorrection",
    "CaseCommitmentBroken",
    "CaseCommitmentMade",
    "CaseCorrectionRequested",
    "CaseDecided",
    "CaseDeferredSupplied",
    "CaseDelivered",
    "CaseDeliveryChosen",
    "CaseExtended",
    "CaseOriginalsPosted",
    "CaseResultIssued",
    "CaseResync",
    "CaseReviewResumed",
    "CaseReviewStarted",
    "CaseReviewSuspended",
    "CaseSpecialProcedure",
    "CaseSubmitted",
    "CaseSupplement",
    "CaseTransferred",
    "CaseVoided",
    "CaseWithdrawRefused",
    "CaseWithdrawRequested",
    "CaseWithdrawn",
    "ConsentGiven",
    "Decision",
    "DeliveryMethod",
    "InvalidPayload",
    "LicenceAnswer",
    "LicenceGiven",
    "LicencePublic",
    "LicenceQuestion",
    "LicenceRevoked",
    "LicenceState",
    "LicenceStatusAnswer",
    "LicenceStatusQuestion",
    "MessageKind",
    "Number",
    "OptionalWireDate",
    "OptionalWireDateTime",
    "PersonAsked",
    "PlatformCase",
    "PlatformCasesAnswer",
    "PlatformCasesQuestion",
    "RemoteCaseOpened",
    "RemoteConcluded",
    "RemoteDocument",
    "RemoteEnded",
    "RemoteEnding",
    "RemoteHistoryEntry",
    "RemoteOutcome",
    "RemoteStaff",
    "SessionId",
    "UnknownMessage",
    "WireDate",
    "WireDateTime",
    "WirePayload",
    "payload_class",
    "payload_parse",
]
