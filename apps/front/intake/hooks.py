"""What the case tells the apps above intake (delivery, online, mandates), which connect in their AppConfig.ready():
intake owns the case and never imports the apps that act on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from govservice.lib.hooks import Hook

if TYPE_CHECKING:
    from apps.shared.accounts.models import User
    from apps.shared.catalog.models import Matter
    from apps.shared.exchange.models import Peer

    from .models import Case, Document


class ResultReady(Protocol):
    def __call__(self, *, case: Case, title: str) -> Any: ...


class DocumentDownloaded(Protocol):
    """``by``: the person who downloaded it for the citizen (an agent whose authority was checked)."""

    def __call__(self, *, citizen: User, document: Document, by: User | None = None) -> Any: ...


class SubmissionFields(Protocol):
    def __call__(self, *, case: Case) -> dict[str, Any]: ...


class HandedOver(Protocol):
    def __call__(self, *, case: Case, central: Peer) -> Any: ...


class CaseSettled(Protocol):
    def __call__(self, *, case: Case) -> Any: ...


class TicketElsewhere(Protocol):
    """The address of the window page that handles this ticket instead of intake's single-matter workbench, or
    ""."""

    def __call__(self, *, ticket: Any) -> str: ...


class AgentCheck(Protocol):
    """Raise the DomainError that says why ``agent`` may not do ``act`` ("apply" or "collect") for
    ``principal`` in ``matter`` (or on ``case``); return quietly when they may."""

    def __call__(
        self, *, agent: User, principal: User, act: str, matter: Matter | None = None, case: Case | None = None
    ) -> Any: ...


# The certificate has arrived and the case is RESULT_READY (inside the exchange handler's transaction, the
# case row locked): the result is handed over the way the citizen chose.
class MaterialsCovered(Protocol):
    def __call__(self, *, case: Case) -> set[str]: ...


result_ready: Hook[ResultReady] = Hook("case result ready")

# The citizen the case belongs to, or someone acting for them, has downloaded one of its documents (for an
# electronic delivery the first download of the e-licence is the handover).
document_downloaded: Hook[DocumentDownloaded] = Hook("case document downloaded by its citizen")

# Fields other apps add to the case.submitted message (the delivery chosen so far).
submission_fields: Hook[SubmissionFields] = Hook("case.submitted payload fields")

# The accepted case is on the wire to ``central`` (inside the hand-over's transaction): for a case received on
# another region's behalf, the originals its checklist asks for are posted there (材料寄递, apps/front/delivery).
handed_over: Hook[HandedOver] = Hook("case handed over to a central")

# The case has just got its answer (it entered CASE_SETTLED: decided, refused at intake, withdrawn, voided, closed),
# inside the transaction of that move: a bundle (一件事) submits the parts that waited for it, or drops them.
case_settled: Hook[CaseSettled] = Hook("case settled")

# Someone acts at a window for the applicant (the ticket names them): their authority, checked by the app that
# keeps the mandates (apps/front/mandates) when the window acts, so that a revocation counts at once.
agent_check: Hook[AgentCheck] = Hook("an agent's authority to act for the applicant")

# A ticket that is not one matter's (the visit booked for a 一件事 bundle, apps/front/online): the app that handles it
# names its window page; intake's workbench sends the clerk there and its single-matter outcomes refuse the ticket.
ticket_elsewhere: Hook[TicketElsewhere] = Hook("a ticket handled by another window page")
# The names of materials another case covers (一件事: what an earlier step of the bundle issues, which its department
# reads from the sibling case): acceptance does not count them missing.
materials_covered: Hook[MaterialsCovered] = Hook("materials another case covers")
