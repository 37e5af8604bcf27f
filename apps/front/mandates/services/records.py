"""A mandate's own records, however it was given: its number, its letter (the 委托书 generated as PDF, or the
signed paper scanned at the window) with the letter's digest, the event rows the principal reads — the grant and
every act done under the mandate — and the message that tells the agent."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.floor.services import daily_counter_next
from apps.front.intake.models import Case
from apps.front.notifications.services import notify
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter
from govservice.lib.errors import DomainError

from ..letters import letter_pdf
from ..models import EventKind, Mandate, MandateEvent
from .terms import _company_of


def _number() -> str:
    today = timezone.localdate()
    return f"WT{today:%Y%m%d}{daily_counter_next(scope='mandate', day=today):05d}"


def _no_such_mandate() -> DomainError:
    return DomainError(_("未找到该委托书。"), code="not_found")


def _event(mandate: Mandate, *, kind: str, actor: User | None, reference: str = "", note: str = "") -> MandateEvent:
    return MandateEvent.objects.create(
        mandate=mandate,
        kind=kind,
        actor=actor,
        from_status=mandate.status,
        to_status=mandate.status,
        reference=reference[:32],
        note=note[:200],
    )


def _store_letter(mandate: Mandate, content: bytes, extension: str) -> None:
    digest = hashlib.sha256(content).hexdigest()
    mandate.letter.save(f"{mandate.number}-{digest[:12]}{extension}", ContentFile(content), save=False)
    mandate.letter_sha256 = digest
    Mandate.objects.filter(id=mandate.id).update(letter=mandate.letter.name, letter_sha256=digest)


def _mandate_create(
    *,
    actor: User,
    note: str,
    matter: Matter | None = None,
    case: Case | None = None,
    scan: tuple[bytes, str] | None = None,
    **fields: Any,
) -> Mandate:
    """A new mandate, numbered, with its letter — ``scan`` (content, extension), the signed paper brought to the
    window, or else the 委托书 generated as PDF — and its GRANTED event by ``actor``; in the caller's transaction.
    A letter naming one matter, or one of the principal's cases, has that as its scope and its event's
    reference."""
    reference = ""
    if matter is not None:
        fields |= {"matter_codes": [matter.code] if case is None else [], "case": case}
        reference = case.number if case else matter.code
    mandate = Mandate.objects.create(number=_number(), **fields)
    content, extension = scan if scan is not None else (letter_pdf(mandate, matter=matter), ".pdf")
    _store_letter(mandate, content, extension)
    _event(mandate, kind=EventKind.GRANTED, actor=actor, reference=reference, note=note)
    return mandate


def _tell_agent(mandate: Mandate, *, event: str) -> None:
    principal = mandate.principal
    company = _company_of(principal)
    notify(
        recipient=mandate.agent,
        event=event,
        context={
            "principal": company.name if company is not None else principal.masked_name,
            "number": mandate.number,
            "valid_until": mandate.valid_until.isoformat(),
        },
    )


def mandate_act_record(*, mandate: Mandate | None, kind: str, actor: User, reference: str = "", note: str = "") -> None:
    """An act done under a mandate, in the caller's transaction (none for a company's representative, who
    acts without one: the appointment, ticket, case or delivery records them)."""
    if mandate is not None:
        _event(mandate, kind=kind, actor=actor, reference=reference, note=note)
