"""Pickup at the window (窗口领取): the ID number of whoever collects checked against the applicant's, or their
authority to collect for them (代领, apps/front/mandates), and the 送达回执 issued at the handover."""

from __future__ import annotations

import hmac
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from apps.front.booking.models import StaffPost
from apps.front.intake.documents import document_record
from apps.front.intake.models import Case, Document, DocumentKind
from apps.front.intake.selectors import case_get_for_staff
from apps.front.mandates.models import Act, EventKind
from apps.front.mandates.selectors import Authority, authority_check
from apps.front.mandates.services import mandate_act_record
from apps.shared.accounts.models import User
from apps.shared.accounts.selectors import verified_citizens
from apps.shared.accounts.services import id_number_index
from govservice.api import Conflict, DomainError
from govservice.lib import idcard
from govservice.lib.masking import mask_id_public

from ..models import Delivery, DeliveryEvent, DeliveryMethod, HandoverStatus
from .handover import _deliver, _locked


def _certificate(case: Case) -> Document | None:
    return case.documents.filter(kind=DocumentKind.CERTIFICATE).order_by("issued_at", "id").first()


def _not_a_collector() -> DomainError:
    return DomainError(_("证件号码与申请人不符，且持证人不是经申请人授权的代领人，不能领取。"), code="id_mismatch")


def _collector(case: Case, id_index: str) -> tuple[User | None, Authority | None, DomainError | None]:
    """Who holds this ID number, if not the applicant: a verified person collecting for them (代领), with the
    authority that lets them (apps/front/mandates: a mandate in force allowing collection, or a company's legal
    representative), or the refusal that says why not."""
    person = verified_citizens().filter(id_number_index=id_index).first()
    if person is None:
        return None, None, _not_a_collector()
    try:
        authority = authority_check(agent=person, principal=case.citizen, act=Act.COLLECT, case=case)
    except DomainError as refusal:
        if refusal.code == "no_mandate":
            refusal = _not_a_collector()
        return person, None, refusal
    return person, authority, None


def delivery_pickup(*, clerk: User, number: str, id_number: str) -> Delivery:
    """Hand the result over at the window: the ID number typed or read from the card is compared with
    the applicant's through the blind index, never shown or stored in clear. Another person's number is
    checked against the applicant's mandates (代领, DOMAIN.md §9): an authorised agent collects, recorded on
    the delivery and the receipt beside the applicant; anyone else is refused with the reason. A refused
    attempt is recorded. On success the case is DELIVERED and a 送达回执 with a verification code is issued."""
    staff_case = case_get_for_staff(user=clerk, number=number)
    parsed = idcard.parse_or_refuse(id_number)
    refusal: DomainError | None = None
    with transaction.atomic():
        case, delivery = _locked(staff_case.id)
        if delivery is None or delivery.method != DeliveryMethod.PICKUP:
            raise Conflict(_("该办件未选择窗口领取。"), code="wrong_method")
        if delivery.status == HandoverStatus.DELIVERED:
            raise Conflict(_("该办件结果已领取。"), code="already_delivered")
        if delivery.status != HandoverStatus.READY:
            raise Conflict(_("办理结果尚未到达大厅。"), code="not_ready")
        index = id_number_index(parsed.value)
        if hmac.compare_digest(index, case.citizen.id_number_index or ""):
            receipt = _receipt_issue(case=case, delivery=delivery, clerk=clerk)
            _hand_over(
                case,
                delivery,
                clerk=clerk,
                receipt=receipt,
                note=f"窗口领取，已核验本人身份证件（回执{receipt.verification_code}）",
                how=format_lazy(gettext_lazy("在{hall}窗口领取"), hall=case.hall.name),
            )
            return delivery
        person, authority, refusal = _collector(case, index)
        if person is not None and authority is not None:
            who = "法定代表人" if authority.as_representative else "代领人"
            receipt = _receipt_issue(case=case, delivery=delivery, clerk=clerk, collector=person, collector_role=who)
            letter = f"，委托书{authority.mandate.number}" if authority.mandate is not None else ""
            _hand_over(
                case,
                delivery,
                clerk=clerk,
                receipt=receipt,
                note=f"窗口{who}领取：{person.real_name}，已核验其身份证件{letter}（回执{receipt.verification_code}）",
                how=format_lazy(
                    gettext_lazy("由{who}{name}在{hall}窗口领取"),
                    who=pgettext_lazy("who collected", "法定代表人")
                    if authority.as_representative
                    else pgettext_lazy("who collected", "代领人"),
                    name=person.masked_name,
                    hall=case.hall.name,
                ),
                collected_by=person,
            )
            mandate_act_record(
                mandate=authority.mandate,
                kind=EventKind.COLLECTED,
                actor=clerk,
                reference=case.number,
                note=f"{case.hall.name}窗口代领（回执{receipt.verification_code}）",
            )
            return delivery
        DeliveryEvent.objects.create(
            delivery=delivery,
            actor=clerk,
            actor_label=clerk.audit_label,
            from_status=delivery.status,
            to_status=delivery.status,
            note="领取人证件与申请人不符，未发放"
            + (f"（{person.real_name}：{refusal.code if refusal else ''}）" if person else ""),
        )
    assert refusal is not None
    raise refusal


def _hand_over(
    case: Case, delivery: Delivery, *, clerk: User, receipt: Document, note: str, how: str | Promise, **fields: Any
) -> None:
    """The handover at the window: the clerk who handed the result over and the 送达回执 are on the delivery."""
    _deliver(
        case,
        delivery,
        actor=clerk,
        actor_label=clerk.audit_label,
        note=note,
        how=how,
        handed_over_by=clerk,
        receipt=receipt,
        **fields,
    )


def _receipt_issue(
    *, case: Case, delivery: Delivery, clerk: User, collector: User | None = None, collector_role: str = ""
) -> Document:
    """送达回执: what was handed over, to whom (masked ID, DOMAIN.md §8) — the applicant, or the person who
    collected for them beside the applicant — where, when and by whom; fixed at issue and verifiable by its
    code like every other document."""
    certificate = _certificate(case)
    post = StaffPost.objects.filter(user=clerk).select_related("window").first()
    now = timezone.localtime()
    content = {
        "number": case.number,
        "matter": case.matter.name,
        "department": case.matter.department.name,
        "result_title": certificate.content.get("title", "") if certificate else "",
        "licence_number": certificate.content.get("licence_number", "") if certificate else "",
        "hall": case.hall.name,
        "hall_address": case.hall.address,
        "window": str(post.window.number) if post and post.window else "",
        "applicant": case.citizen.real_name,
        "applicant_id": mask_id_public(case.citizen.id_number or ""),
        "method": str(DeliveryMethod.PICKUP.label),
        "id_checked": f"已核验{collector_role}居民身份证及授权" if collector is not None else "已核验本人居民身份证",
        "collector": collector.real_name if collector is not None else "",
        "collector_id": mask_id_public(collector.id_number or "") if collector is not None else "",
        "collector_role": collector_role,
        "delivered_at": now.strftime("%Y-%m-%d %H:%M"),
        "issued_on": now.date().isoformat(),
        "clerk": clerk.real_name or clerk.username,
    }
    return document_record(case=case, kind=DocumentKind.DELIVERY_RECEIPT, content=content, by=clerk)
