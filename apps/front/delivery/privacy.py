"""What result delivery holds about people, for the personal-information lifecycle (apps/shared/privacy): a
posted result's recipient name, phone and address, and who collected a result for the applicant (代领). Once delivered and past their period they are blanked (the
method, courier, tracking number and dates stay; the 送达回执 stays in the case file). The courier's status
pushes are deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import User
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind

from .models import CourierPush, Delivery, DeliveryEvent, HandoverStatus

BASIS = _("无法定期限，按本地做法设定（可配置）")
# The person who collected for the applicant (代领) goes with the address; the 送达回执 in the case file names them.
BLANK = {"recipient_name": "", "recipient_phone": None, "address": None, "collected_by": None}


def addresses_due(cutoff: dt.datetime) -> QuerySet[Delivery]:
    return Delivery.objects.filter(status=HandoverStatus.DELIVERED, delivered_at__lt=cutoff).filter(
        ~Q(recipient_name="")
        | Q(recipient_phone__isnull=False)
        | Q(address__isnull=False)
        | Q(collected_by__isnull=False)
    )


def addresses_blank(pks: list[Any]) -> int:
    return Delivery.objects.filter(pk__in=pks).update(**BLANK)


def pushes_due(cutoff: dt.datetime) -> QuerySet[CourierPush]:
    return CourierPush.objects.filter(received_at__lt=cutoff)


registry.register_kind(
    RecordKind(
        "delivery.addresses",
        _("结果邮寄的收件人信息"),
        "RETENTION_DELIVERY_ADDRESSES_DAYS",
        Action.ANONYMISE,
        addresses_due,
        BASIS,
        apply=addresses_blank,
        covers=(DeliveryEvent,),
    )
)
registry.register_kind(
    RecordKind(
        "delivery.courier_pushes",
        _("快递状态推送记录"),
        "RETENTION_DELIVERY_ADDRESSES_DAYS",
        Action.DELETE,
        pushes_due,
        BASIS,
    )
)


def export_deliveries(user: User) -> list[dict[str, Any]]:
    return [
        {
            "case": d.case.number,
            "method": d.method,
            "status": d.status,
            "recipient_name": d.recipient_name,
            "recipient_phone": d.recipient_phone or "",
            "address": d.address or "",
            "courier": d.courier,
            "tracking_number": d.tracking_number,
            "chosen_at": d.chosen_at,
            "delivered_at": d.delivered_at,
        }
        for d in Delivery.objects.filter(case__citizen=user).select_related("case")
    ]


def erase(user: User) -> dict[str, int]:
    # Cases are finished when an account may go (intake's guard): nothing is on its way any more.
    return {"addresses": Delivery.objects.filter(case__citizen=user).update(**BLANK)}


registry.register_export("deliveries", export_deliveries)
registry.register_eraser("delivery", erase)
