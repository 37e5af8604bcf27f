"""Giving a 委托书 (DOMAIN.md §9), two of the three ways a mandate comes to be (a company's 经办人 is in
companies.py):

* a person's **electronic 委托书**: the principal names the agent (a verified person, by ID number and name),
  one matter or one of their cases, what the agent may do and until when; the letter is generated as a PDF
  and takes effect when the principal types back the SMS code sent to their phone;
* a **paper 委托书** signed by the principal and brought to a window by the agent: the clerk scans it and
  records its terms; it is in force at once (the clerk has seen the signed original and the agent's ID).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import StaffPost
from apps.front.intake.services.materials import upload_check
from apps.shared.accounts import otp
from apps.shared.accounts.models import ChallengePurpose, Role, User
from apps.shared.catalog.applicants import applicant_matter_check
from apps.shared.catalog.models import Matter
from govservice.lib import lifecycle
from govservice.lib.errors import Conflict, DomainError
from govservice.lib.filetypes import EXTENSIONS

from ..conf import mandates_conf
from ..models import EventKind, Mandate, MandateForm, MandateKind, MandateStatus
from ..selectors import company_for_account
from .records import _mandate_create, _no_such_mandate, _tell_agent
from .terms import _agent, _powers, _principal_at_window, _scope_for_person, _validity, agent_find


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
    powers = _powers(may_apply=may_apply, may_collect=may_collect)
    agent = agent_find(id_number=agent_id_number, name=agent_name)
    if agent.pk == principal.pk:
        raise DomainError(_("不能委托自己。"), code="self_mandate")
    matter, case = _scope_for_person(principal=principal, matter_code=matter_code, case_number=case_number)
    if case is not None and may_apply and not may_collect and case.result_out:
        raise DomainError(_("该办件已出具结果，只能委托代为领取。"), code="scope_required")
    validity = _validity(
        valid_until, default_days=mandates_conf.MANDATE_DEFAULT_DAYS, max_days=mandates_conf.MANDATE_MAX_DAYS
    )
    requester = otp.Requester(phone_index=principal.phone_index, id_index=principal.id_number_index, address=address)
    with transaction.atomic():
        mandate = _mandate_create(
            actor=principal,
            note="电子委托书，待短信确认",
            matter=matter,
            case=case,
            kind=MandateKind.PERSONAL,
            principal=principal,
            agent=agent,
            granted_by=principal,
            form=MandateForm.ELECTRONIC,
            status=MandateStatus.PENDING,
            **powers,
            **validity,
        )
        challenge, code = otp.challenge_create(purpose=ChallengePurpose.MANDATE, user=principal, requester=requester)
        Mandate.objects.filter(id=mandate.id).update(challenge=challenge)
        mandate.challenge = challenge
    # After the commit, as registration does (accounts/services.py): the code opens a row that exists.
    _send_code(challenge, code)
    return mandate


def _send_code(challenge, code: str) -> None:
    # A failed send is no failed grant: the principal asks for the code again (mandate_code_resend) and the
    # mandate waits, pending.
    with contextlib.suppress(DomainError):
        otp.challenge_send(challenge, code)


def _pending(*, principal: User, number: str) -> Mandate:
    """The principal's 委托书 that waits for its SMS code."""
    mandate = Mandate.objects.filter(principal=principal, number=number).first()
    if mandate is None:
        raise _no_such_mandate()
    if mandate.status != MandateStatus.PENDING or mandate.challenge_id is None:
        raise Conflict(_("该委托书不在待确认状态。"), code="invalid_state")
    return mandate


def mandate_code_resend(*, principal: User, number: str, address: str) -> Mandate:
    mandate = _pending(principal=principal, number=number)
    otp.challenge_resend(
        challenge_id=str(mandate.challenge_id), purpose=ChallengePurpose.MANDATE, requester_address=address
    )
    return mandate


def mandate_confirm(*, principal: User, number: str, code: str) -> Mandate:
    """The principal types back the SMS code: the 委托书 is in force from now; the agent is told."""
    mandate = _pending(principal=principal, number=number)
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
    powers = _powers(may_apply=may_apply, may_collect=may_collect)
    principal = _principal_at_window(principal_id_number=principal_id_number)
    agent = _agent(agent_id_number)
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
    validity = _validity(valid_until, default_days=min(mandates_conf.MANDATE_DEFAULT_DAYS, max_days), max_days=max_days)
    with transaction.atomic():
        mandate = _mandate_create(
            actor=clerk,
            note=f"{post.hall.name} 窗口登记纸质委托书",
            matter=matter,
            case=case,
            scan=(content, EXTENSIONS[content_type]),
            kind=kind,
            principal=principal,
            agent=agent,
            granted_by=granted_by,
            form=MandateForm.PAPER,
            status=MandateStatus.ACTIVE,
            confirmed_at=timezone.now(),
            recorded_by=clerk,
            recorded_at_hall=post.hall.name[:100],
            **powers,
            **validity,
        )
        _tell_agent(mandate, event="mandate.granted")
    return mandate
