"""What the case tells the apps above intake (delivery, online), which connect in their AppConfig.ready():
intake owns the case and never imports the apps that act on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from govservice.lib.hooks import Hook

if TYPE_CHECKING:
    from apps.shared.accounts.models import User

    from .models import Case, Document


class ResultReady(Protocol):
    def __call__(self, *, case: Case, title: str) -> Any: ...


class DocumentDownloaded(Protocol):
    def __call__(self, *, citizen: User, document: Document) -> Any: ...


class SubmissionFields(Protocol):
    def __call__(self, *, case: Case) -> dict[str, Any]: ...


class CaseSettled(Protocol):
    def __call__(self, *, case: Case) -> Any: ...


# The certificate has arrived and the case is RESULT_READY (inside the exchange handler's transaction, the
# case row locked): the result is handed over the way the citizen chose.
result_ready: Hook[ResultReady] = Hook("case result ready")

# The citizen the case belongs to has downloaded one of its documents (for an electronic delivery the
# first download of the e-licence is the handover).
document_downloaded: Hook[DocumentDownloaded] = Hook("case document downloaded by its citizen")

# Fields other apps add to the case.submitted message (the delivery chosen so far).
submission_fields: Hook[SubmissionFields] = Hook("case.submitted payload fields")

# The case has just got its answer (it entered CASE_SETTLED: decided, refused at intake, withdrawn, voided, closed),
# inside the transaction of that move: a bundle (一件事) submits the parts that waited for it, or drops them.
case_settled: Hook[CaseSettled] = Hook("case settled")
