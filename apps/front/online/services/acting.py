"""Someone applying online for another (issue 15): a company's legal representative or 经办人, a person's 代办人.

Every write on an application (or a bundle application) filed for someone else passes the mandates' one rule
(``mandates.selectors.authority_check``, the rule the window asks through intake's ``agent_check`` hook) when it
is done, so a revocation counts at once; the application keeps both people (``applicant``, ``filed_by``), the
case both (``citizen``, ``agent``), and each act under a mandate is one of its events, which the principal reads.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from apps.front.intake.models import Case
from apps.front.mandates.models import Act, EventKind
from apps.front.mandates.selectors import Authority, authority_check
from apps.front.mandates.services import mandate_act_record
from apps.shared.accounts.models import User
from apps.shared.catalog.applicants import applicant_matter_check
from apps.shared.catalog.models import Matter
from govservice.lib.errors import DomainError


def acting_check(
    *, applicant: User, actor: User, matters: Iterable[Matter] = (), case: Case | None = None
) -> Authority | None:
    """None when the applicant acts for themselves; else the agent's authority to apply in every matter given (a
    new application) or on the case (a submitted one), or the refusal that says why not. Either way each matter of
    a new application serves the applicant's kind (persons, companies or both: the catalog's one rule, which
    ``authority_check`` asks for an agent); a submitted case was checked when it was started."""
    if applicant.pk == actor.pk:
        for matter in matters if case is None else ():
            applicant_matter_check(applicant, matter)
        return None
    if case is not None:
        return authority_check(agent=actor, principal=applicant, act=Act.APPLY, case=case)
    authority = None
    for matter in matters:
        authority = authority_check(agent=actor, principal=applicant, act=Act.APPLY, matter=matter)
    if authority is None:  # no current matter left to check (a bundle's matters withdrawn): nothing is in scope
        raise DomainError(_("该一件事暂不能在网上申报。"), code="not_online")
    return authority


def acting_record(authority: Authority | None, *, actor: User, reference: str, note: str) -> None:
    """The act in the mandate's events, with who did it (in the caller's transaction); nothing when the
    applicant acted themselves, or for a company's legal representative (the application and case name them)."""
    if authority is not None:
        mandate_act_record(
            mandate=authority.mandate, kind=EventKind.APPLIED_ONLINE, actor=actor, reference=reference, note=note
        )
