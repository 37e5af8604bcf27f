"""What a mandate names, checked the same way however it is given (DOMAIN.md §8, §9): the people — the agent a
verified person, named by ID number (and by name when the principal names them); the principal of a paper letter a
verified person or a registered company — and the terms: at least one power, a validity within the limits, and
for a person's 委托书 one matter or one of their cases that accepts agents."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TypedDict

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.intake.models import Case
from apps.shared.accounts.models import User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.catalog.applicants import applicant_matter_check
from apps.shared.catalog.models import Matter
from govservice.lib import creditcode, idcard
from govservice.lib.errors import DomainError

from ..models import Company
from ..selectors import company_for_account


def _same_name(a: str, b: str) -> bool:
    def norm(value: str) -> str:
        return "".join(unicodedata.normalize("NFKC", value).split())

    return norm(a) == norm(b)


def _verified_person(id_number: str) -> User | None:
    """The verified person holding this ID number, if any; a malformed number is refused with
    govservice.lib.idcard's own sentence."""
    parsed = idcard.parse_or_refuse(id_number)
    return citizen_verified_by_id_number(parsed.value)


def _agent(id_number: str) -> User:
    """The agent by ID number: nobody can be named an agent who has not proved who they are (DOMAIN.md §8)."""
    agent = _verified_person(id_number)
    if agent is None:
        raise DomainError(_("受托人尚未在本平台完成实名注册，请其先注册并完成实名核验。"), code="agent_not_registered")
    return agent


def agent_find(*, id_number: str, name: str) -> User:
    """The verified person an agent must be, by the ID number and name the principal gives: nobody can be
    named an agent who has not proved who they are (DOMAIN.md §8)."""
    agent = _agent(id_number)
    if not _same_name(agent.real_name, name):
        raise DomainError(_("受托人姓名与身份证号码不一致，请核对。"), code="agent_name_mismatch")
    return agent


def _principal_at_window(*, principal_id_number: str) -> User:
    """The principal named on a paper letter: a verified person by ID number, or a company by credit code. Some
    18-character strings pass both checksums (GB 11643's and GB 32100's, about one valid ID number in 31): such a
    number names the company registered under it, else the person."""
    raw = principal_id_number.strip()
    if creditcode.is_valid(raw):
        company = Company.objects.select_related("account").filter(credit_code=creditcode.normalize(raw)).first()
        if company is not None:
            return company.account
        if not idcard.is_valid(raw):
            raise DomainError(_("该企业尚未开通法人账户，请法定代表人先开通。"), code="not_registered")
    principal = _verified_person(raw)
    if principal is None:
        raise DomainError(_("委托人尚未实名注册，请其先注册并完成实名核验。"), code="not_registered")
    return principal


def _company_of(principal: User) -> Company | None:
    """The company whose account the principal is; None for a person (and no query)."""
    return company_for_account(principal) if principal.is_company else None


class Powers(TypedDict):
    may_apply: bool
    may_collect: bool


class Validity(TypedDict):
    valid_from: dt.date
    valid_until: dt.date


def _powers(*, may_apply: bool, may_collect: bool) -> Powers:
    """What the agent may do, at least one of the two; returns the mandate's fields."""
    if not (may_apply or may_collect):
        raise DomainError(_("请至少选择一项委托权限：代为申请办理，或代为领取结果。"), code="acts_required")
    return {"may_apply": may_apply, "may_collect": may_collect}


def _validity(valid_until: dt.date | None, *, default_days: int, max_days: int) -> Validity:
    """From today until the date given (or ``default_days`` on), at most ``max_days`` on; returns the mandate's
    fields."""
    today = timezone.localdate()
    until = valid_until or today + dt.timedelta(days=default_days)
    if until < today or until > today + dt.timedelta(days=max_days):
        raise DomainError(
            _("有效期须在今天至%(last)s之间。") % {"last": (today + dt.timedelta(days=max_days)).isoformat()},
            code="invalid_validity",
        )
    return {"valid_from": today, "valid_until": until}


def _scope_for_person(*, principal: User, matter_code: str, case_number: str) -> tuple[Matter, Case | None]:
    """One matter or one of the principal's cases (DOMAIN.md §9: the 委托书 names the matter or case)."""
    if bool(matter_code) == bool(case_number):
        raise DomainError(_("请选择委托办理的一个事项，或您的一个办件。"), code="scope_required")
    case = None
    if case_number:
        case = (
            Case.objects.select_related("matter").filter(number=case_number.strip().upper(), citizen=principal).first()
        )
        if case is None:
            raise DomainError(_("未找到该办件。"), code="not_found")
        matter = case.matter
    else:
        found = Matter.objects.filter(code=matter_code.strip(), is_current=True).first()
        if found is None:
            raise DomainError(_("事项不存在。"), code="not_found")
        matter = found
    applicant_matter_check(principal, matter)
    if not matter.agents_allowed:
        raise DomainError(
            _("“%(matter)s”须申请人本人办理，不接受他人代办、代领。") % {"matter": matter.name},
            code="agents_not_allowed",
        )
    return matter, case
