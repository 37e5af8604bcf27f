"""A takeover at the window moves the frozen account's cases and evidence vault to the verified person
(apps/shared/accounts/takeover.py); registered in IntakeConfig.ready()."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from apps.shared.accounts.models import User

from .models import Case, EvidenceItem


def move_citizen(old: User, new: User) -> dict[str, int]:
    # A file the person's vault already holds stays behind with the frozen account (one copy per
    # citizen, evidence_once_per_citizen); every other item moves.
    held = EvidenceItem.objects.filter(citizen=new, sha256=OuterRef("sha256"))
    evidence = EvidenceItem.objects.filter(citizen=old).exclude(Exists(held)).update(citizen=new)
    return {"intake.cases": Case.objects.filter(citizen=old).update(citizen=new), "intake.evidence": evidence}
