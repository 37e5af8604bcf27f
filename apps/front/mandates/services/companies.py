"""A legal person's account: registered by its legal representative, verified against the register of
companies (match / no match over the signed wire), before anyone can act for it; and the representation: the
legal representative authorises the company's 经办人 (a mandate in force at once)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import IdentityProof, Role, User
from apps.shared.accounts.selectors import id_number_index
from apps.shared.accounts.services import phone_index
from apps.shared.catalog.applicants import applicant_matter_check
from apps.shared.catalog.models import Matter
from apps.shared.privacy.consents import consent_record, consent_require
from apps.shared.privacy.models import Channel, ConsentPurpose
from govservice.lib import creditcode
from govservice.lib.errors import Conflict, DomainError

from ..conf import mandates_conf
from ..models import Company, Mandate, MandateForm, MandateKind, MandateStatus
from ..registry_client import company_register_matches
from .records import _mandate_create, _tell_agent
from .terms import _powers, _validity, agent_find

REGISTER_PURPOSE = "法人账户注册 legal person registration"
# A legal person's name on its account (the applicant's name on vouchers and messages); the full name stays
# on the company.
ACCOUNT_NAME_LENGTH = 64


def _already() -> Conflict:
    return Conflict(
        _("该企业已开通法人账户。法定代表人变更等情形请携带营业执照到大厅窗口办理。"), code="company_registered"
    )


def company_register(
    *, representative: User, credit_code: str, name: str, consent: bool, channel: str = Channel.WEB
) -> Company:
    """The legal representative, a verified person, opens the company's account: the register must hold a
    company (存续) under this code and name whose legal representative is this person (their name and ID
    number are sent for the comparison, with their consent). The account then applies for the company, and
    the representative authorises its 经办人."""
    if representative.role != Role.CITIZEN or not representative.is_real_name_verified:
        raise DomainError(_("请先完成个人实名核验，再以法定代表人身份开通法人账户。"), code="verification_required")
    try:
        code = creditcode.parse(credit_code).value
    except creditcode.InvalidCreditCode as exc:
        raise DomainError(str(exc), code="invalid_credit_code") from None
    name = " ".join(name.split())
    if not name or len(name) > 200:
        raise DomainError(_("请填写营业执照上的企业名称（200字以内）。"), code="invalid_name")
    consent_require(given=consent, purpose=ConsentPurpose.REGISTRY_CHECK)
    if Company.objects.filter(credit_code=code).exists():
        raise _already()
    # Asked before anything is written, outside a transaction: the register may be slow or away.
    matched = company_register_matches(
        credit_code=code,
        name=name,
        representative_name=representative.real_name,
        representative_id_number=representative.id_number or "",
        purpose=REGISTER_PURPOSE,
        reference=code,
    )
    if not matched:
        raise DomainError(
            _("企业登记信息核验未通过：请核对统一社会信用代码和企业名称，并确认您是该企业登记的法定代表人。"),
            code="company_mismatch",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            account = User(
                username=f"company-{code.lower()}",
                role=Role.COMPANY,
                real_name=name[:ACCOUNT_NAME_LENGTH],
                # The account's 证件号码 is the credit code (accounts.User.id_number).
                id_number=code,
                id_number_index=id_number_index(code),
                # Messages about the company's cases go to its legal representative's phone (proved by SMS).
                phone=representative.phone,
                phone_index=phone_index(representative.phone) if representative.phone else "",
                phone_verified_at=now,
                identity_verified_at=now,
                identity_verified_via=IdentityProof.COMPANY_REGISTER,
            )
            # Nobody signs in as the company: its people act for it with their own accounts.
            account.set_unusable_password()
            account.save()
            company = Company.objects.create(
                account=account,
                credit_code=code,
                name=name,
                representative=representative,
                verified_at=now,
                verified_via=IdentityProof.COMPANY_REGISTER,
            )
            consent_record(user=representative, purpose=ConsentPurpose.REGISTRY_CHECK, channel=channel, reference=code)
    except IntegrityError:
        # Registered meanwhile by a second request of the same representative (the code is unique).
        raise _already() from None
    return company


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
    powers = _powers(may_apply=may_apply, may_collect=may_collect)
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
    validity = _validity(
        valid_until, default_days=mandates_conf.COMPANY_AGENT_MAX_DAYS, max_days=mandates_conf.COMPANY_AGENT_MAX_DAYS
    )
    with transaction.atomic():
        mandate = _mandate_create(
            actor=representative,
            note="法定代表人在线授权经办人",
            kind=MandateKind.STAFF,
            principal=company.account,
            agent=agent,
            granted_by=representative,
            all_matters=all_matters,
            matter_codes=[] if all_matters else codes,
            form=MandateForm.REPRESENTATIVE,
            status=MandateStatus.ACTIVE,
            confirmed_at=timezone.now(),
            **powers,
            **validity,
        )
        _tell_agent(mandate, event="mandate.granted")
    return mandate
