"""Revoking a mandate (DOMAIN.md §9): by the principal (for a company its legal representative), in effect at
once, since every check of an agent's act reads the mandate's status when the act is done; the agent is told."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from govservice.lib import lifecycle

from ..models import EventKind, Mandate, MandateStatus
from .records import _no_such_mandate, _tell_agent
from .terms import _company_of


def _locked(number: str, **where) -> Mandate:
    mandate = (
        Mandate.objects.select_for_update(of=("self",))
        .select_related("principal", "agent")
        .filter(number=number, **where)
        .first()
    )
    if mandate is None:
        raise _no_such_mandate()
    return mandate


@transaction.atomic
def mandate_revoke(*, by: User, number: str, reason: str = "") -> Mandate:
    """The principal (a company: its legal representative) revokes a mandate: from this moment no act of the
    agent passes (every check reads the status). The agent is told."""
    mandate = Mandate.objects.select_related("principal").filter(number=number).first()
    if mandate is None or not _may_manage(by, mandate):
        raise _no_such_mandate()
    mandate = _locked(number)
    lifecycle.move(
        mandate,
        MandateStatus.REVOKED,
        fields={"revoked_at": timezone.now(), "revoked_by": by, "revoke_reason": reason.strip()[:200]},
        event={"actor": by, "kind": EventKind.REVOKED, "note": reason.strip()[:200]},
        refused=_("该委托书已撤销。"),
    )
    _tell_agent(mandate, event="mandate.revoked")
    return mandate


def _may_manage(user: User, mandate: Mandate) -> bool:
    """The principal themselves, or a company's legal representative."""
    if mandate.principal_id == user.pk:
        return True
    company = _company_of(mandate.principal)
    return company is not None and company.representative_id == user.pk
