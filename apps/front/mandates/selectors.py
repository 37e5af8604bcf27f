"""Who may act for whom, and what they see (DOMAIN.md §9).

``authority_check`` is the one rule every act of an agent passes, wherever it happens (booking for the
principal, the window, the pickup desk, a document download): the agent is a verified person; the
principal's matter serves that kind of applicant and, for a person, accepts agents; and a mandate from the
principal to the agent is in force (confirmed, not revoked, within its dates), covers the matter or the case,
and allows the act. A company's legal representative needs no mandate. A refusal says which of these failed,
with its own code, so the agent and the clerk know what to do next.

What an agent sees follows the same scope: a person's agent never sees the principal's other cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import Appointment
from apps.front.floor.services import NOT_FOR_PERSONS_AT_KIOSK
from apps.front.intake.models import Case
from apps.shared.accounts.models import Role, User
from apps.shared.catalog.applicants import applicant_matter_check
from apps.shared.catalog.models import Matter, OnlineDepth
from apps.shared.exchange import contract
from govservice.lib.errors import DomainError
from govservice.lib.masking import mask_id_staff

from .models import Act, Company, Mandate, MandateEvent, MandateKind, MandateStatus


@dataclass(frozen=True)
class Authority:
    """Why ``agent`` may act for ``principal`` now: a mandate in force, or (``mandate`` None) the company's
    legal representative."""

    principal: User
    agent: User
    mandate: Mandate | None

    @property
    def as_representative(self) -> bool:
        return self.mandate is None


def company_for_account(account: User) -> Company | None:
    return Company.objects.select_related("representative").filter(account=account).first()


def _date(value: dt.date) -> str:
    return value.isoformat()


def _in_scope(mandate: Mandate, *, matter: Matter | None, case: Case | None) -> bool:
    if case is not None:
        return mandate.covers_case(case)
    if matter is not None:
        # A new booking or application: a mandate for one case does not reach it.
        return mandate.case_id is None and mandate.covers_matter(matter.code)
    return True


def _refusal(candidates: list[Mandate], *, act: str, today: dt.date, case: Case | None) -> DomainError:
    """The most useful reason among the mandates that cover the scope: the act not allowed, waiting for the
    principal's confirmation, not yet or no longer valid, revoked; else the scope itself."""
    for m in candidates:
        if m.in_force(today) and not m.allows(act):
            if act == Act.COLLECT:
                return DomainError(_("您的授权不包括代为领取办理结果。"), code="mandate_out_of_scope")
            return DomainError(_("您的授权仅限代为领取办理结果，不包括代为申请办理。"), code="mandate_out_of_scope")
    for m in candidates:
        if m.status == MandateStatus.PENDING:
            return DomainError(
                _("委托书%(number)s尚未经委托人短信确认，暂不能使用。") % {"number": m.number},
                code="mandate_unconfirmed",
            )
    for m in candidates:
        if m.status == MandateStatus.ACTIVE and m.valid_from > today:
            return DomainError(
                _("您的授权自%(date)s起生效，今天还不能使用。") % {"date": _date(m.valid_from)},
                code="mandate_not_yet_valid",
            )
    for m in candidates:
        if m.expired(today):
            return DomainError(
                _("您的授权已于%(date)s到期，不能再代为办理；请委托人重新授权。") % {"date": _date(m.valid_until)},
                code="mandate_expired",
            )
    if candidates:
        return DomainError(_("委托人已撤销对您的授权，不能再代为办理。"), code="mandate_revoked")
    if case is not None:
        return DomainError(_("您的授权不包括该办件，不能代为办理。"), code="mandate_out_of_scope")
    return DomainError(_("您的授权不包括该事项，不能代为办理。"), code="mandate_out_of_scope")


def authority_check(
    *,
    agent: User,
    principal: User,
    act: str,
    matter: Matter | None = None,
    case: Case | None = None,
    today: dt.date | None = None,
) -> Authority:
    """May ``agent`` do ``act`` (Act.APPLY, Act.COLLECT) for ``principal`` in ``matter`` (a new booking or
    application) or on ``case``? Returns the authority, or raises the reason (see the module docstring)."""
    today = today or timezone.localdate()
    if agent.role != Role.CITIZEN or not agent.is_real_name_verified:
        raise DomainError(_("代为办理的人须是已完成实名核验的个人用户。"), code="agent_not_verified")
    if case is not None:
        matter = case.matter
        if case.citizen_id != principal.pk:
            raise DomainError(_("该办件不属于该委托人。"), code="mandate_out_of_scope")
    if principal.is_company:
        company = company_for_account(principal)
        if company is None:
            raise DomainError(_("该法人账户尚未完成核验。"), code="no_mandate")
        if matter is not None:
            applicant_matter_check(principal, matter)
        if company.representative_id == agent.pk:
            return Authority(principal=principal, agent=agent, mandate=None)
    else:
        if principal.pk == agent.pk:
            raise DomainError(_("本人办理无需授权委托。"), code="self_mandate")
        if matter is not None:
            applicant_matter_check(principal, matter)
            if not matter.agents_allowed:
                raise DomainError(
                    _("“%(matter)s”须申请人本人办理，不接受他人代办、代领。") % {"matter": matter.name},
                    code="agents_not_allowed",
                )
    mandates = list(
        Mandate.objects.filter(principal=principal, agent=agent).select_related("case__matter").order_by("-created_at")
    )
    if not mandates:
        raise DomainError(_("您没有获得该委托人的授权，不能代为办理。"), code="no_mandate")
    candidates = [m for m in mandates if _in_scope(m, matter=matter, case=case)]
    for m in candidates:
        if m.in_force(today) and m.allows(act):
            return Authority(principal=principal, agent=agent, mandate=m)
    raise _refusal(candidates, act=act, today=today, case=case)


# --- What an agent sees ------------------------------------------------------------------------------------


def mandates_in_force(*, agent: User, principal: User | None = None, today: dt.date | None = None) -> QuerySet[Mandate]:
    today = today or timezone.localdate()
    qs = Mandate.objects.filter(agent=agent, status=MandateStatus.ACTIVE, valid_from__lte=today, valid_until__gte=today)
    return qs if principal is None else qs.filter(principal=principal)


def case_scope_q(mandates: list[Mandate]) -> Q:
    """The cases the mandates cover, for the database (Mandate.covers_case, row by row). Nothing: no case."""
    scope = Q(pk__in=[])
    for m in mandates:
        if m.case_id is not None:
            scope |= Q(pk=m.case_id)
        elif m.all_matters:
            scope |= Q(pk__isnull=False)
        elif m.kind == MandateKind.STAFF:
            scope |= Q(matter__code__in=m.matter_codes)
        else:
            scope |= Q(matter__code__in=m.matter_codes, received_at__date__gte=m.valid_from)
    return scope


@dataclass(frozen=True)
class Principal:
    """Someone the agent may act for now, with the mandates that say how (none: its legal representative)."""

    account: User
    company: Company | None
    mandates: tuple[Mandate, ...]

    @property
    def is_representative(self) -> bool:
        return self.company is not None and not self.mandates

    @property
    def name(self) -> str:
        return self.company.name if self.company is not None else self.account.real_name


def principals_for_agent(*, agent: User) -> list[Principal]:
    """The companies the person represents and everyone whose mandate to them is in force."""
    found: dict[int, Principal] = {}
    for company in Company.objects.filter(representative=agent).select_related("account"):
        found[company.account_id] = Principal(account=company.account, company=company, mandates=())
    by_principal: dict[int, list[Mandate]] = {}
    for m in mandates_in_force(agent=agent).select_related("principal", "agent", "case"):
        by_principal.setdefault(m.principal_id, []).append(m)
    companies = {c.account_id: c for c in Company.objects.filter(account_id__in=list(by_principal))}
    for principal_id, mandates in by_principal.items():
        if principal_id in found:
            continue  # the representative acts for the company in everything already
        found[principal_id] = Principal(
            account=mandates[0].principal, company=companies.get(principal_id), mandates=tuple(mandates)
        )
    return sorted(found.values(), key=lambda p: (p.company is None, p.name))


def principal_for_agent(*, agent: User, principal_id: int) -> Principal:
    """One principal the agent may act for now; 404 otherwise (a revoked or expired mandate opens nothing)."""
    for principal in principals_for_agent(agent=agent):
        if principal.account.pk == principal_id:
            return principal
    raise Http404


def cases_for_agent(*, agent: User, principal: Principal) -> QuerySet[Case]:
    """The principal's cases the agent may follow: all of a company's for its representative, else those the
    mandates in force cover. Never the principal's other cases."""
    qs = (
        Case.objects.filter(citizen=principal.account)
        .select_related("matter", "hall", "agent")
        .order_by("-received_at")
    )
    if principal.is_representative:
        return qs
    return qs.filter(case_scope_q(list(principal.mandates)))


def case_get_for_agent(*, agent: User, principal: Principal, number: str) -> Case:
    return get_object_or_404(
        cases_for_agent(agent=agent, principal=principal).prefetch_related("events"), number=number
    )


def appointments_for_agent(*, agent: User, principal: Principal) -> QuerySet[Appointment]:
    """The principal's appointments the agent may see: all of a company's for its representative; for a
    company's 经办人 those of the matters in scope; for a person's agent those the agent booked."""
    qs = (
        Appointment.objects.filter(citizen=principal.account)
        .select_related("matter", "hall", "slot", "agent")
        .order_by("-created_at")
    )
    if principal.is_representative:
        return qs
    scope = Q(agent=agent)
    for m in principal.mandates:
        if m.kind == MandateKind.STAFF:
            scope |= Q(pk__isnull=False) if m.all_matters else Q(matter_code__in=m.matter_codes)
    return qs.filter(scope)


def bookable_matters_for(*, principal: Principal) -> QuerySet[Matter]:
    """The current, bookable matters the agent may book for the principal (the mandates' matters)."""
    return matters_for(principal=principal).filter(bookable=True)


def online_matters_for(*, principal: Principal) -> QuerySet[Matter]:
    """The current matters the agent may apply for online for the principal (网上受理 Ⅲ or 全程网办 Ⅳ)."""
    return matters_for(principal=principal).filter(online_depth__gte=OnlineDepth.ONLINE_ACCEPTANCE)


def matters_for(*, principal: Principal) -> QuerySet[Matter]:
    """The current matters the agent may apply in for the principal (the mandates' matters)."""
    qs = Matter.objects.filter(is_current=True).select_related("department").order_by("department__code", "code")
    if principal.company is not None:
        qs = qs.filter(target__in=["organisation", "both"])
    else:
        qs = qs.filter(target__in=["person", "both"], agents_allowed=True)
    if principal.is_representative:
        return qs
    if any(m.all_matters and m.may_apply for m in principal.mandates):
        return qs
    codes = {code for m in principal.mandates if m.may_apply and m.case_id is None for code in m.matter_codes}
    return qs.filter(code__in=codes)


# --- What a principal sees ---------------------------------------------------------------------------------


def mandates_given(*, principal: User) -> QuerySet[Mandate]:
    return (
        Mandate.objects.filter(principal=principal)
        .select_related("agent", "case", "granted_by")
        .order_by("-created_at")
    )


def mandate_get_for_principal(*, principal: User, number: str) -> Mandate:
    return get_object_or_404(mandates_given(principal=principal), number=number)


def mandates_held(*, agent: User) -> QuerySet[Mandate]:
    return Mandate.objects.filter(agent=agent).select_related("principal", "case").order_by("-created_at")


def acts_for_principal(*, principal: User, limit: int = 200) -> list[MandateEvent]:
    """Everything done under the principal's mandates, newest first: grants, confirmations, revocations and
    every act of an agent (bookings, windows, collections), with who did it."""
    return list(
        MandateEvent.objects.filter(mandate__principal=principal)
        .select_related("mandate", "mandate__agent", "actor")
        .order_by("-at", "-id")[:limit]
    )


def company_get_for_representative(*, user: User, credit_code: str) -> Company:
    return get_object_or_404(
        Company.objects.select_related("account", "representative"), credit_code=credit_code, representative=user
    )


def companies_represented(*, user: User) -> QuerySet[Company]:
    return Company.objects.filter(representative=user).select_related("account").order_by("name")


def agent_check(
    *, agent: User, principal: User, act: str, matter: Matter | None = None, case: Case | None = None
) -> None:
    """intake's hook (hooks.agent_check): the window acts for the applicant through ``agent`` only within
    their authority now."""
    authority_check(agent=agent, principal=principal, act=act, matter=matter, case=case)


def walk_in_for_others(*, person: User, matter: Matter, refusal: DomainError) -> None:
    """The floor's hook (floor.hooks.walk_in_for_others): ``person`` chose at a kiosk ``matter``, which does not
    serve persons (``refusal``). They take the ticket when they may apply in it now for a company — its legal
    representative, or a 经办人 within a mandate for it: ``authority_check``, which the window asks again; else the
    refusal says why (the most useful of their companies' answers) and what to do instead."""
    companies = (
        Company.objects.filter(Q(representative=person) | Q(account__mandates_given__agent=person))
        .select_related("account")
        .distinct()
        .order_by("name")
    )
    refused: list[tuple[Company, DomainError]] = []
    for company in companies:
        try:
            authority_check(agent=person, principal=company.account, act=Act.APPLY, matter=matter)
        except DomainError as exc:
            refused.append((company, exc))
        else:
            return
    if not refused:
        raise DomainError(NOT_FOR_PERSONS_AT_KIOSK % {"matter": matter.name}, code=refusal.error_code)
    company, why = refused[0]
    raise DomainError(
        _(
            "%(company)s：%(reason)s请法定代表人在网上为您授权“%(matter)s”后再取号；携带企业纸质委托书的，"
            "请不读身份证直接取号，到窗口登记委托书。"
        )
        % {"company": company.name, "reason": why.detail, "matter": matter.name},
        code=why.error_code,
    )


def agent_submission_fields(*, case: Case) -> dict[str, contract.CaseAgent]:
    """Intake's ``submission_fields`` hook (issue 15): a case someone acted on for the applicant goes to central
    with who they were — the name, the ID number as staff screens mask it, and the 委托书 they acted under (the
    one their acts on this case were recorded with, else the one in force for it; "" for a company's legal
    representative). Nothing when the applicant acted alone: the field stays absent."""
    agent = case.agent
    if agent is None:
        return {}
    recorded = (
        MandateEvent.objects.filter(reference=case.number, mandate__agent=agent, mandate__principal_id=case.citizen_id)
        .select_related("mandate")
        .order_by("-at", "-id")
        .first()
    )
    number = recorded.mandate.number if recorded is not None else ""
    if recorded is None:
        try:
            authority = authority_check(agent=agent, principal=case.citizen, act=Act.APPLY, case=case)
        except DomainError:
            authority = None
        if authority is not None and authority.mandate is not None:
            number = authority.mandate.number
    return {
        "agent": contract.CaseAgent(
            name=(agent.real_name or agent.username)[:64],
            id_masked=mask_id_staff(agent.id_number or ""),
            mandate=number,
        )
    }
