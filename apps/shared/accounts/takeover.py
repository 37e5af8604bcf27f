"""An ID number someone else registered: the real person proves themselves at a hall window with the ID
card (DOMAIN.md §8). The clerk looks the number up (a logged reveal), sees the account that holds it and
the person's own account (registered online, phone proved by SMS), checks the card against the person,
and confirms: the holder is frozen, its appointments, cases and evidence move to the person, both are
told by SMS, and the takeover is recorded (AccountTakeover and its audit trail).

The rows of the front's apps move through the movers those apps registered (hooks.py): accounts sits
below them and never imports them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govservice.api import Conflict, DomainError
from govservice.lib import idcard

from . import hooks
from .models import AccountTakeover, IdentityProof, Role, User
from .registry_client import registry_matches
from .selectors import citizen_verified_by_id_number, id_number_index
from .services import personal_data_access_record

logger = logging.getLogger(__name__)

WINDOW_ROLES = frozenset({Role.CLERK, Role.HALL_SUPERVISOR})
REVEAL_REFERENCE = "account-takeover"
REGISTRY_PURPOSE = "窗口实名核验 identity proved at a hall window"


@dataclass(frozen=True)
class TakeoverCase:
    holder: User | None  # the verified account that holds the number now (None: nobody)
    claimant: User  # the person's own account


def _check_clerk(clerk: User) -> None:
    if clerk.role not in WINDOW_ROLES:
        raise DomainError(_("只有大厅窗口人员可以办理。"), code="forbidden")


def _find(*, id_number: str, claimant_username: str) -> TakeoverCase:
    value = idcard.parse_or_refuse(id_number).value
    claimant = User.objects.filter(
        username=claimant_username.strip(),
        role=Role.CITIZEN,
        id_number_index=id_number_index(value),
        frozen_at__isnull=True,
    ).first()
    if claimant is None:
        raise DomainError(
            _("未找到用该身份证号码注册的此用户名，请申请人先在网上注册并完成短信验证。"),
            code="claimant_not_found",
        )
    if claimant.phone_verified_at is None:
        raise Conflict(
            _("该账户的手机号码尚未通过短信验证，请申请人先完成注册中的短信验证。"),
            code="phone_unverified",
        )
    holder = citizen_verified_by_id_number(value)
    if holder is not None and holder.pk == claimant.pk:
        raise Conflict(_("该账户已通过实名核验，无需办理。"), code="already_verified")
    return TakeoverCase(holder=holder, claimant=claimant)


def takeover_lookup(*, clerk: User, id_number: str, claimant_username: str, reason: str) -> TakeoverCase:
    """What the clerk sees before confirming: who holds the number and who claims it. Logged as a view
    of the holder's (or claimant's) personal data, with the clerk's reason."""
    _check_clerk(clerk)
    if not reason.strip():
        raise DomainError(_("请填写办理事由。"), code="takeover_reason_required")
    found = _find(id_number=id_number, claimant_username=claimant_username)
    personal_data_access_record(
        viewer=clerk,
        subject=found.holder or found.claimant,
        case_reference=REVEAL_REFERENCE,
        reason=f"窗口核验身份证找回账户：{reason.strip()}"[:200],
    )
    return found


def account_takeover(
    *, clerk: User, id_number: str, claimant_username: str, reason: str, hall: str = ""
) -> AccountTakeover:
    """The clerk saw the ID card and the person: the claimant becomes the verified account of the number. The
    record names the hall where it was done: ``hall`` when given, else the clerk's own (their staff post)."""
    _check_clerk(clerk)
    hall = hall.strip() or hooks.staff_hall(clerk)
    if not reason.strip():
        raise DomainError(_("请填写办理事由。"), code="takeover_reason_required")
    found = _find(id_number=id_number, claimant_username=claimant_username)
    # The card in hand is one item; the registry still confirms the name on the account belongs to it.
    if not registry_matches(
        name=found.claimant.real_name,
        id_number=found.claimant.id_number or "",
        purpose=REGISTRY_PURPOSE,
        reference=found.claimant.username,
    ):
        raise DomainError(
            _("账户姓名与身份证号码未通过人口信息核验。"),
            code="registry_mismatch",
        )
    now = timezone.now()
    with transaction.atomic():
        # One lock order for both rows (by primary key): two clerks on the same pair cannot deadlock.
        ids = sorted(u.pk for u in (found.holder, found.claimant) if u is not None)
        locked = {u.pk: u for u in User.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        claimant = locked[found.claimant.pk]
        holder = locked.get(found.holder.pk) if found.holder is not None else None
        if holder is not None and not holder.is_real_name_verified:
            raise Conflict(_("账户状态已变化，请重新查询。"), code="changed")
        moved: dict[str, int] = {}
        if holder is not None:
            holder.is_active = False
            holder.frozen_at = now
            # Frees the number: the constraint allows one verified account per ID number.
            holder.identity_verified_at = None
            holder.identity_verified_via = ""
            holder.save(update_fields=["is_active", "frozen_at", "identity_verified_at", "identity_verified_via"])
            for mover in hooks.citizen_movers().values():
                moved.update(mover(holder, claimant))
        claimant.is_active = True
        claimant.identity_verified_at = now
        claimant.identity_verified_via = IdentityProof.WINDOW
        claimant.save(update_fields=["is_active", "identity_verified_at", "identity_verified_via"])
        record = AccountTakeover.objects.create(
            clerk=clerk,
            old_account=holder,
            new_account=claimant,
            hall=hall[:100],
            reason=reason.strip()[:200],
            moved=moved,
        )
        transaction.on_commit(lambda: _tell_both(record))
    return record


def _tell_both(record: AccountTakeover) -> None:
    notices = [
        (
            record.new_account,
            "【云窗口】您已在政务服务大厅窗口完成实名核验，账户已可使用。原以您身份证号码注册的其他账户已冻结，其预约和办件已转入您的账户。",
        )
    ]
    if record.old_account is not None:
        notices.append(
            (
                record.old_account,
                "【云窗口】经政务服务大厅窗口核验身份证，本账户登记的身份证号码属于他人，账户已冻结。如有疑问请携带身份证到大厅窗口咨询。",
            )
        )
    for user, text in notices:
        if not user.phone:
            continue
        try:
            hooks.send_sms(phone=user.phone, text=text, reference=f"takeover-{record.pk}-{user.pk}")
        except Exception:  # the channel's own errors: the takeover stands, the log says who was not told
            logger.warning("takeover %s: notice to user %s not sent", record.pk, user.pk)
