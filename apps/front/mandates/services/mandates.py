"""Giving, confirming and revoking mandates (DOMAIN.md §9), and the record of every act done under one.

Three ways a mandate comes to be:

* a person's **electronic 委托书**: the principal names the agent (a verified person, by ID number and name),
  one matter or one of their cases, what the agent may do and until when; the letter is generated as a PDF
  and takes effect when the principal types back the SMS code sent to their phone;
* a **paper 委托书** signed by the principal and brought to a window by the agent: the clerk scans it and
  records its terms; it is in force at once (the clerk has seen the signed original and the agent's ID);
* a company's **经办人**: its legal representative, signed in as themselves, authorises a verified person for
  all or some matters.

Revocation by the principal (for a company its representative) takes effect at once: every check of an
agent's act reads the mandate's status when the act is done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import unicodedata

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import StaffPost
from apps.front.floor.services import daily_counter_next
from apps.front.intake.models import Case
from apps.front.intake.services.window import upload_check
from apps.front.notifications.services import notify
from apps.shared.accounts import otp
from apps.shared.accounts.models import ChallengePurpose, Role, User
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.catalog.models import Matter
from govservice.lib import creditcode, idcard, lifecycle
from govservice.lib.errors import Conflict, DomainError
from govservice.lib.filetypes import EXTENSIONS

from ..conf import mandates_conf
from ..letters import letter_pdf
from ..models import Company, EventKind, Mandate, MandateEvent, MandateForm, MandateKind, MandateStatus
from ..selectors import applicant_matter_check, company_for_account


def _number() -> str:
    today = timezone.localdate()
    return f"WT{today:%Y%m%d}{daily_counter_next(scope='mandate', day=today):05d}"


def _same_name(a: str, b: str) -> bool:
    def norm(value: str) -> str:
        return "".join(unicodedata.normalize("NFKC", value).split())

    return norm(a) == norm(b)


def agent_find(*, id_number: str, name: str) -> User:
    """The verified person an agent must be, by the ID number and name the principal gives: nobody can be
    named an agent who has not proved who they are (DOMAIN.md §8)."""
    try:
        parsed = idcard.parse(id_number)
    except idcard.InvalidIdNumber as exc:
        raise DomainError(str(exc), code="invalid_id_number") from None
    agent = citizen_verified_by_id_number(parsed.value)
    if agent is None:
        raise DomainError(_("受托人尚未在本平台完成实名注册，请其先注册并完成实名核验。"), code="agent_not_registered")
    if not _same_name(agent.real_name, name):
        raise DomainError(_("受托人姓名与身份证号码不一致，请核对。"), code="agent_name_mismatch")
    return agent


def _validity(valid_until: dt.date | None, *, default_days: int, max_days: int) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    until = valid_until or today + dt.timedelta(days=default_days)
    if until < today or until > today + dt.timedelta(days=max_days):
        raise DomainError(
            _("有效期须在今天至%(last)s之间。") % {"last": (today + dt.timedelta(days=max_days)).isoformat()},
            code="invalid_validity",
        )
    return today, until


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


def _acts(may_apply: bool, may_collect: bool) -> None:
    if not (may_apply or may_collect):
        raise DomainError(_("请至少选择一项委托权限：代为申请办理，或代为领取结果。"), code="acts_required")


def mandate_grant(
    *,
    principal: User,
    agent_id_number: str,
    agent_name: str,
    matter_code: str = "",
    case_number: str = "",
    may_apply: bool = True,
    may_collect: bool = True,
    valid_until: dt.date | None = None,
    address: str = "",
) -> Mandate:
    """A person's electronic 委托书: generated as a PDF, pending until the principal types back the SMS code
    sent now to their phone (mandate_confirm)."""
    if principal.role != Role.CITIZEN or not principal.is_real_name_verified:
        raise DomainError(_("请先完成实名核验，再委托他人代办。"), code="verification_required")
    _acts(may_apply, may_collect)
    agent = agent_find(id_number=agent_id_number, name=agent_name)
    if agent.pk == principal.pk:
        raise DomainError(_("不能委托自己。"), code="self_mandate")
    matter, case = _scope_for_person(principal=principal, matter_code=matter_code, case_number=case_number)
    if case is not None and may_apply and not may_collect and case.result_out:
        raise DomainError(_("该办件已出具结果，只能委托代为领取。"), code="scope_required")
    valid_from, until = _validity(
        valid_until, default_days=mandates_conf.MANDATE_DEFAULT_DAYS, max_days=mandates_conf.MANDATE_MAX_DAYS
    )
    requester = otp.Requester(phone_index=principal.phone_index, id_index=principal.id_number_index, address=address)
    with transaction.atomic():
        mandate = Mandate.objects.create(
            number=_number(),
            kind=MandateKind.PERSONAL,
            principal=principal,
            agent=agent,
            granted_by=principal,
            matter_codes=[matter.code] if case is None else [],
            case=case,
            may_apply=may_apply,
            may_collect=may_collect,
            valid_from=valid_from,
            valid_until=until,
            form=MandateForm.ELECTRONIC,
            status=MandateStatus.PENDING,
        )
        _store_letter(mandate, letter_pdf(mandate, matter=matter), ".pdf")
        challenge, code = otp.challenge_create(purpose=ChallengePurpose.MANDATE, user=principal, requester=requester)
        Mandate.objects.filter(id=mandate.id).update(challenge=challenge)
        mandate.challenge = challenge
        _event(
            mandate,
            kind=EventKind.GRANTED,
            actor=principal,
            reference=case.number if case else matter.code,
            note="电子委托书，待短信确认",
        )
    # After the commit, as registration does (accounts/services.py): the code opens a row that exists.
    _send_code(challenge, code)
    return mandate


def _send_code(challenge, code: str) -> None:
    # A failed send is no failed grant: the principal asks for the code again (mandate_code_resend) and the
    # mandate waits, pending.
    with contextlib.suppress(DomainError):
        otp.challenge_send(challenge, code)


def mandate_code_resend(*, principal: User, number: str, address: str) -> Mandate:
    mandate = Mandate.objects.filter(principal=principal, number=number).first()
    if mandate is None:
        raise DomainError(_("未找到该委托书。"), code="not_found")
    if mandate.status != MandateStatus.PENDING or mandate.challenge_id is None:
        raise Conflict(_("该委托书不在待确认状态。"), code="invalid_state")
    otp.challenge_resend(
        challenge_id=str(mandate.challenge_id), purpose=ChallengePurpose.MANDATE, requester_address=address
    )
    return mandate


def mandate_confirm(*, principal: User, number: str, code: str) -> Mandate:
    """The principal types back the SMS code: the 委托书 is in force from now; the agent is told."""
    mandate = Mandate.objects.filter(principal=principal, number=number).first()
    if mandate is None:
        raise DomainError(_("未找到该委托书。"), code="not_found")
    if mandate.status != MandateStatus.PENDING or mandate.challenge_id is None:
        raise Conflict(_("该委托书不在待确认状态。"), code="invalid_state")
    # Outside the transaction: a wrong try is counted and kept even though the confirmation fails.
    challenge = otp.challenge_check(challenge_id=str(mandate.challenge_id), code=code, purpose=ChallengePurpose.MANDATE)
    if challenge.user_id != principal.pk:
        raise DomainError(otp.INVALID_CODE, code="invalid_code")
    with transaction.atomic():
        otp.challenge_use(challenge)
        lifecycle.move(
            mandate,
            MandateStatus.ACTIVE,
            fields={"confirmed_at": timezone.now()},
            event={"actor": principal, "kind": EventKind.CONFIRMED, "note": "委托人短信验证码确认"},
            refused=_("该委托书不在待确认状态。"),
        )
        _tell_agent(mandate, event="mandate.granted")
    return mandate


def _tell_agent(mandate: Mandate, *, event: str) -> None:
    principal = mandate.principal
    company = company_for_account(principal) if principal.is_company else None
    notify(
        recipient=mandate.agent,
        event=event,
        context={
            "principal": company.name if company is not None else principal.masked_name,
            "number": mandate.number,
            "valid_until": mandate.valid_until.isoformat(),
        },
    )


def _locked(number: str, **where) -> Mandate:
    mandate = (
        Mandate.objects.select_for_update(of=("self",))
        .select_related("principal", "agent")
        .filter(number=number, **where)
        .first()
    )
    if mandate is None:
        raise DomainError(_("未找到该委托书。"), code="not_found")
    return mandate


@transaction.atomic
def mandate_revoke(*, by: User, number: str, reason: str = "") -> Mandate:
    """The principal (a company: its legal representative) revokes a mandate: from this moment no act of the
    agent passes (every check reads the status). The agent is told."""
    mandate = Mandate.objects.select_related("principal").filter(number=number).first()
    if mandate is None or not _may_manage(by, mandate):
        raise DomainError(_("未找到该委托书。"), code="not_found")
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
    company = company_for_account(mandate.principal) if mandate.principal.is_company else None
    return company is not None and company.representative_id == user.pk


def company_agent_grant(
    *,
    representative: User,
    company: Company,
    agent_id_number: str,
    agent_name: str,
    all_matters: bool,
    matter_codes: list[str],
    may_apply: bool = True,
    may_collect: bool = True,
    valid_until: dt.date | None = None,
) -> Mandate:
    """The legal representative authorises a 经办人 for all or some matters; in force at once (the
    representative is signed in and verified as themselves)."""
    if company.representative_id != representative.pk:
        raise DomainError(_("只有法定代表人可以授权经办人。"), code="not_representative")
    _acts(may_apply, may_collect)
    agent = agent_find(id_number=agent_id_number, name=agent_name)
    if agent.pk == representative.pk:
        raise DomainError(_("法定代表人本人即可办理，无需授权自己。"), code="self_mandate")
    codes = sorted({code.strip() for code in matter_codes if code.strip()})
    if not all_matters:
        if not codes:
            raise DomainError(_("请选择授权办理的事项，或授权全部事项。"), code="scope_required")
        matters = {m.code: m for m in Matter.objects.filter(code__in=codes, is_current=True)}
        unknown = [code for code in codes if code not in matters]
        if unknown:
            raise DomainError(_("事项不存在：%(codes)s。") % {"codes": "、".join(unknown)}, code="not_found")
        for matter in matters.values():
            applicant_matter_check(company.account, matter)
    valid_from, until = _validity(
        valid_until, default_days=mandates_conf.COMPANY_AGENT_MAX_DAYS, max_days=mandates_conf.COMPANY_AGENT_MAX_DAYS
    )
    with transaction.atomic():
        mandate = Mandate.objects.create(
            number=_number(),
            kind=MandateKind.STAFF,
            principal=company.account,
            agent=agent,
            granted_by=representative,
            all_matters=all_matters,
            matter_codes=[] if all_matters else codes,
            may_apply=may_apply,
            may_collect=may_collect,
            valid_from=valid_from,
            valid_until=until,
            form=MandateForm.REPRESENTATIVE,
            status=MandateStatus.ACTIVE,
            confirmed_at=timezone.now(),
        )
        _store_letter(mandate, letter_pdf(mandate, matter=None), ".pdf")
        _event(mandate, kind=EventKind.GRANTED, actor=representative, note="法定代表人在线授权经办人")
        _tell_agent(mandate, event="mandate.granted")
    return mandate


def _principal_at_window(*, principal_id_number: str) -> User:
    """The principal named on a paper letter: a verified person by ID number, or a company by credit code."""
    raw = principal_id_number.strip()
    if creditcode.is_valid(raw):
        company = Company.objects.select_related("account").filter(credit_code=creditcode.normalize(raw)).first()
        if company is None:
            raise DomainError(_("该企业尚未开通法人账户，请法定代表人先开通。"), code="not_registered")
        return company.account
    try:
        parsed = idcard.parse(raw)
    except idcard.InvalidIdNumber as exc:
        raise DomainError(str(exc), code="invalid_id_number") from None
    principal = citizen_verified_by_id_number(parsed.value)
    if principal is None:
        raise DomainError(_("委托人尚未实名注册，请其先注册并完成实名核验。"), code="not_registered")
    return principal


def mandate_record_paper(
    *,
    clerk: User,
    principal_id_number: str,
    agent_id_number: str,
    matter_code: str = "",
    case_number: str = "",
    may_apply: bool = True,
    may_collect: bool = True,
    valid_until: dt.date | None = None,
    scan: UploadedFile | None = None,
) -> Mandate:
    """A signed paper 委托书 brought to the window: the clerk has seen it and the agent's ID card, scans the
    letter and records its terms (the principal by ID number, or a company by credit code). In force at once;
    the principal sees it among their mandates and can revoke it."""
    post = StaffPost.objects.select_related("hall").filter(user=clerk).first()
    if post is None or clerk.role not in (Role.CLERK, Role.HALL_SUPERVISOR):
        raise DomainError(_("只有大厅窗口人员可以登记纸质委托书。"), code="no_post")
    if scan is None:
        raise DomainError(_("请扫描上传委托人签字的纸质委托书。"), code="letter_required")
    content, content_type = upload_check(scan)
    _acts(may_apply, may_collect)
    principal = _principal_at_window(principal_id_number=principal_id_number)
    try:
        agent = citizen_verified_by_id_number(idcard.parse(agent_id_number).value)
    except idcard.InvalidIdNumber as exc:
        raise DomainError(str(exc), code="invalid_id_number") from None
    if agent is None:
        raise DomainError(_("受托人尚未在本平台完成实名注册，请其先注册并完成实名核验。"), code="agent_not_registered")
    if agent.pk == principal.pk:
        raise DomainError(_("委托人与受托人为同一人。"), code="self_mandate")
    if principal.is_company:
        kind = MandateKind.STAFF
        company = company_for_account(principal)
        assert company is not None
        granted_by = company.representative
        matter = Matter.objects.filter(code=matter_code.strip(), is_current=True).first() if matter_code else None
        if matter is None or case_number:
            raise DomainError(_("法人委托书请登记授权办理的事项。"), code="scope_required")
        applicant_matter_check(principal, matter)
        case = None
        max_days = mandates_conf.COMPANY_AGENT_MAX_DAYS
    else:
        kind = MandateKind.PERSONAL
        granted_by = principal
        matter, case = _scope_for_person(principal=principal, matter_code=matter_code, case_number=case_number)
        max_days = mandates_conf.MANDATE_MAX_DAYS
    valid_from, until = _validity(
        valid_until, default_days=min(mandates_conf.MANDATE_DEFAULT_DAYS, max_days), max_days=max_days
    )
    with transaction.atomic():
        mandate = Mandate.objects.create(
            number=_number(),
            kind=kind,
            principal=principal,
            agent=agent,
            granted_by=granted_by,
            matter_codes=[matter.code] if case is None else [],
            case=case,
            may_apply=may_apply,
            may_collect=may_collect,
            valid_from=valid_from,
            valid_until=until,
            form=MandateForm.PAPER,
            status=MandateStatus.ACTIVE,
            confirmed_at=timezone.now(),
            recorded_by=clerk,
            recorded_at_hall=post.hall.name[:100],
        )
        _store_letter(mandate, content, EXTENSIONS[content_type])
        _event(
            mandate,
            kind=EventKind.GRANTED,
            actor=clerk,
            reference=case.number if case else matter.code,
            note=f"{post.hall.name} 窗口登记纸质委托书",
        )
        _tell_agent(mandate, event="mandate.granted")
    return mandate


def mandate_act_record(*, mandate: Mandate | None, kind: str, actor: User, reference: str = "", note: str = "") -> None:
    """An act done under a mandate, in the caller's transaction (none for a company's representative, who
    acts without one: the appointment, ticket, case or delivery records them)."""
    if mandate is not None:
        _event(mandate, kind=kind, actor=actor, reference=reference, note=note)
