"""The citizen's choice of how to receive the result (DOMAIN.md §5, §8): made by the citizen, or recorded at
intake by the clerk as the applicant says; open until the result is issued, and told to central."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.intake.models import Case
from apps.front.intake.selectors import case_central, case_get_for_staff
from apps.shared.accounts.models import User
from apps.shared.accounts.services import PHONE_RE
from apps.shared.exchange import contract
from apps.shared.exchange.services import outbox_enqueue
from govservice.api import Conflict, DomainError

from ..models import Delivery, DeliveryEvent, DeliveryMethod
from ..selectors import delivery_wire_fields
from .handover import _locked


@transaction.atomic
def delivery_choose(
    *, citizen: User, number: str, method: str, recipient_name: str = "", recipient_phone: str = "", address: str = ""
) -> Delivery:
    """The citizen chooses how to receive the result: pickup at the hall that received the case, free
    post to an address, or the e-licence download. Open until the result is issued."""
    found = Case.objects.filter(number=number, citizen=citizen).values_list("id", flat=True).first()
    if found is None:
        raise DomainError(_("未找到该办件。"), code="not_found")
    return _choose(
        found,
        actor=citizen,
        method=method,
        recipient_name=recipient_name,
        recipient_phone=recipient_phone,
        address=address,
    )


@transaction.atomic
def delivery_choose_at_window(
    *, clerk: User, number: str, method: str, recipient_name: str = "", recipient_phone: str = "", address: str = ""
) -> Delivery:
    """The same choice, recorded at intake by the clerk of the hall holding the case, as the applicant says."""
    case = case_get_for_staff(user=clerk, number=number)
    return _choose(
        case.id,
        actor=clerk,
        method=method,
        recipient_name=recipient_name,
        recipient_phone=recipient_phone,
        address=address,
    )


def _method_check(method: str) -> None:
    if method not in DeliveryMethod.values:
        raise DomainError(_("请选择结果领取方式。"), code="invalid_method")


def delivery_choice_check(
    *, method: str, recipient_name: str = "", recipient_phone: str = "", address: str = ""
) -> dict[str, Any]:
    """A choice of how to receive the result, checked: the method, and for post a recipient, an 11-digit mobile
    number and an address. Returns the delivery's fields (empty address fields unless posted). Also what an
    online application checks before the case exists (issue 15)."""
    _method_check(method)
    fields: dict[str, Any] = {"method": method, "recipient_name": "", "recipient_phone": "", "address": ""}
    if method == DeliveryMethod.POST:
        recipient_name, recipient_phone, address = recipient_name.strip(), recipient_phone.strip(), address.strip()
        errors = []
        if not 2 <= len(recipient_name) <= 30:
            errors.append(_("收件人姓名"))
        if not PHONE_RE.match(recipient_phone):
            errors.append(_("11位手机号码"))
        if not 8 <= len(address) <= 200:
            errors.append(_("详细邮寄地址（8至200字）"))
        if errors:
            # Translators: the separator between the items of a list (a comma in English).
            missing = _("、").join(errors)
            raise DomainError(_("邮寄送达请填写：%(fields)s。") % {"fields": missing}, code="address_invalid")
        fields |= {"recipient_name": recipient_name, "recipient_phone": recipient_phone, "address": address}
    return fields


def _choose(
    case_id: int, *, actor: User, method: str, recipient_name: str, recipient_phone: str, address: str
) -> Delivery:
    case, delivery = _locked(case_id)
    _method_check(method)
    if not case.can_choose_delivery:
        raise Conflict(_("办件结果已出具或本件无证照结果，不能再选择领取方式。"), code="invalid_state")
    if delivery is not None and not delivery.can_change:
        raise Conflict(_("结果已在送达中，不能再变更领取方式。"), code="invalid_state")
    fields = delivery_choice_check(
        method=method, recipient_name=recipient_name, recipient_phone=recipient_phone, address=address
    )
    label = DeliveryMethod(method).label
    before = delivery_wire_fields(delivery) if delivery is not None else None
    if delivery is None:
        delivery = Delivery.objects.create(case=case, **fields)
    else:
        for name, value in fields.items():
            setattr(delivery, name, value)
        delivery.chosen_at = timezone.now()
        delivery.save(update_fields=[*fields, "chosen_at"])
    by_clerk = actor.id != case.citizen_id
    DeliveryEvent.objects.create(
        delivery=delivery,
        actor=actor,
        actor_label=actor.audit_label if by_clerk else "",
        from_status=delivery.status,
        to_status=delivery.status,
        note=f"{'窗口登记' if by_clerk else '选择'}领取方式：{label}",
    )
    _tell_central_choice(case, delivery, before=before, actor=actor)
    return delivery


def _tell_central_choice(case: Case, delivery: Delivery, *, before: dict[str, str] | None, actor: User) -> None:
    """Central issues the result for the way chosen (issue #5): a case already handed to it hears of each
    change, in this transaction; a case not yet accepted carries the choice in case.submitted. The method
    only, and for post the city and district: the address, phone and recipient stay here (DOMAIN.md §8)."""
    if case.accepted_at is None:
        return
    now = delivery_wire_fields(delivery)
    if now == before:
        return  # the same choice again (a new address in the same district): nothing central would see
    outbox_enqueue(
        peer=case_central(case),
        payload=contract.CaseDeliveryChosen(
            number=case.number, method=DeliveryMethod(now["delivery_method"]), region=now["delivery_region"]
        ),
        actor=actor.audit_label if actor.id != case.citizen_id else "申请人",
    )
