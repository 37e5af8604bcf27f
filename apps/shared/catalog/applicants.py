"""服务对象 (DOMAIN.md §9): a matter serves persons, companies or both (``Matter.target``), whoever applies and by
whichever way — online (an application, a bundle's every part), booking (the fast path reads the target with its
facts), the window's intake, or an agent under a mandate. The one rule, written once here (the catalog sits below
every app that asks it); ``mandates.selectors`` re-exports ``applicant_matter_check``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.utils.translation import gettext as _

from govservice.lib.errors import DomainError

if TYPE_CHECKING:
    from .models import Matter


class Applicant(Protocol):
    """The applicant's account (``accounts.User``): a company's or a person's."""

    @property
    def is_company(self) -> bool: ...


def applicant_matter_refusal(applicant: Applicant, matter: Matter) -> DomainError | None:
    """Why ``applicant`` may not apply for ``matter`` (None: the matter serves their kind)."""
    if applicant.is_company and not matter.serves_companies:
        return DomainError(
            _("“%(matter)s”面向自然人办理，法人不能申请。") % {"matter": matter.name}, code="matter_not_for_companies"
        )
    if not applicant.is_company and not matter.serves_persons:
        return DomainError(
            _("“%(matter)s”面向法人办理，请以企业身份（由法定代表人或经办人）申请。") % {"matter": matter.name},
            code="matter_not_for_persons",
        )
    return None


def applicant_matter_check(applicant: Applicant, matter: Matter) -> None:
    """Raise the refusal of ``applicant_matter_refusal``, if any."""
    refused = applicant_matter_refusal(applicant, matter)
    if refused is not None:
        raise refused
