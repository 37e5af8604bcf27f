from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.front.delivery.conf import delivery_conf
from apps.front.intake.models import Case, CaseStatus
from apps.front.intake.selectors import case_get_for_staff, cases_for_staff
from apps.shared.accounts.models import User
from govservice.lib.masking import mask_name

from .models import Delivery, DeliveryMethod, HandoverStatus


def delivery_for_case(case: Case) -> Delivery | None:
    return Delivery.objects.filter(case=case).first()


# Province (optional), city, district or county at the head of a Chinese address; each part short, so a
# street name is never taken for one.
_REGION_RE = re.compile(
    r"^(?:[^\d\s]{1,8}?(?:省|自治区|特别行政区))?(?P<city>[^\d\s]{1,8}?(?:市|自治州|地区|盟))?(?P<district>[^\d\s]{1,8}?(?:区|县|市|旗))?"
)


def address_region(address: str) -> str:
    """The city and district of a postal address (北京市通州区), the most central may know of it: the
    street, number, recipient and phone stay at the front (DOMAIN.md §8). Empty if none can be told."""
    match = _REGION_RE.match(address.strip())
    if match is None:
        return ""
    return ((match.group("city") or "") + (match.group("district") or ""))[:40]


def delivery_wire_fields(delivery: Delivery | None) -> dict[str, str]:
    """What central is told of the applicant's choice: the method, and for post the city and district only."""
    if delivery is None:  # nothing chosen: handed over the default way when the result arrives
        return {"delivery_method": str(delivery_conf.DELIVERY_DEFAULT_METHOD), "delivery_region": ""}
    region = address_region(delivery.address or "") if delivery.method == DeliveryMethod.POST else ""
    return {"delivery_method": str(delivery.method), "delivery_region": region}


def delivery_submission_fields(*, case: Case) -> dict[str, str]:
    """The wire fields of the case's delivery, for the case.submitted message (intake's submission hook)."""
    return delivery_wire_fields(Delivery.objects.filter(case=case).first())


def delivery_next_step(delivery: Delivery | None, case: Case) -> str:
    """What the citizen does next about the result, once it is on its way (else the case's own step)."""
    if delivery is None or delivery.status == HandoverStatus.CHOSEN:
        return case.next_step
    if delivery.status == HandoverStatus.DELIVERED:
        return case.next_step
    if delivery.method == DeliveryMethod.PICKUP:
        return _("请本人携带居民身份证到%(hall)s（%(address)s）窗口领取。") % {
            "hall": case.hall.name,
            "address": case.hall.address,
        }
    if delivery.method == DeliveryMethod.POST:
        if delivery.status == HandoverStatus.POSTED:
            return _("结果已寄出，运单号%(tracking)s，请注意查收。") % {"tracking": delivery.tracking_number}
        return _("结果即将寄出，寄出后将短信告知运单号。")
    return _("请登录后下载电子证照。")


def case_public_status(case: Case) -> dict[str, Any]:
    """What the status lookup shows: the plain sentence, the promised date, the next step and a
    timeline of dated states. No personal data beyond the masked name: no ID, phone, address, notes
    or staff names (notes may quote the applicant's circumstances)."""
    delivery = delivery_for_case(case)
    return {
        "number": case.number,
        "status": case.status,
        "status_display": case.get_status_display(),
        "sentence": case.sentence,
        # The decision itself, in words (准予许可, 不予许可…), once there is one.
        "decision": str(case.get_decision_display()) if case.decision else "",
        "next_step": delivery_next_step(delivery, case) if case.status == CaseStatus.RESULT_READY else case.next_step,
        "promised_date": case.promised_date,
        "matter": case.matter.name,
        "hall": case.hall.name,
        "applicant": mask_name(case.citizen.real_name),
        "delivery": None
        if delivery is None
        else {
            "method": delivery.method,
            "method_display": delivery.get_method_display(),
            "status": delivery.status,
            "status_display": delivery.get_status_display(),
            "tracking_number": delivery.tracking_number,
        },
        "events": [
            {"at": e.at, "status": e.to_status, "status_display": e.get_to_status_display()} for e in case.events.all()
        ],
    }


def pickups_waiting(*, user: User) -> QuerySet[Delivery]:
    """Results waiting at the clerk's hall for their owners to collect."""
    return (
        Delivery.objects.filter(
            case__in=cases_for_staff(user=user), method=DeliveryMethod.PICKUP, status=HandoverStatus.READY
        )
        .select_related("case__matter", "case__citizen")
        .order_by("ready_at")
    )


def delivery_for_staff(*, user: User, number: str) -> tuple[Case, Delivery | None]:
    """A case of the clerk's own hall (404 otherwise), and its delivery."""
    case = case_get_for_staff(user=user, number=number)
    return case, delivery_for_case(case)
