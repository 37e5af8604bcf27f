"""A result sent by post: the courier ordered once the result is ready (and by the periodic sweep behind it),
and the courier's signed status pushes, each applied once, that complete the delivery."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.front.notifications.services import notify
from govservice.api import Conflict, DomainError

from ..couriers import CourierError, Waybill, courier_backend
from ..models import CourierPush, Delivery, DeliveryEvent, DeliveryMethod, HandoverStatus
from .handover import _deliver, _locked, _move

logger = logging.getLogger(__name__)


def delivery_dispatch(*, delivery_id: int) -> Delivery:
    """Order the courier for a result to be posted, then record the tracking number and tell the
    citizen. The courier is called outside any transaction (no lock held while it answers); the same
    reference gets the same waybill, so a retried or doubled run posts once."""
    delivery = Delivery.objects.select_related("case__matter").get(id=delivery_id)
    if delivery.method != DeliveryMethod.POST or delivery.status != HandoverStatus.READY:
        return delivery
    backend = courier_backend()
    waybill = Waybill(
        reference=f"CW-D{delivery.id}",
        recipient_name=delivery.recipient_name,
        recipient_phone=delivery.recipient_phone or "",
        address=delivery.address or "",
        contents=f"{delivery.case.matter.name}办理结果",
    )
    tracking = backend.order(waybill)
    with transaction.atomic():
        case, locked = _locked(delivery.case_id)
        if locked is None or locked.status != HandoverStatus.READY:
            return locked or delivery
        _move(
            locked,
            to_status=HandoverStatus.POSTED,
            actor=None,
            actor_label=backend.label,
            note=f"已交{backend.label}寄出，运单号{tracking}",
            courier=backend.name,
            tracking_number=tracking,
            posted_at=timezone.now(),
        )
        notify(
            recipient=case.citizen,
            event="case.result_posted",
            case=case,
            context={"courier": backend.label, "tracking_number": tracking},
        )
    return locked


def deliveries_dispatch_due(*, batch: int = 100) -> int:
    """The periodic sweep behind the on-commit kick: post every result still waiting for a courier."""
    due = list(
        Delivery.objects.filter(method=DeliveryMethod.POST, status=HandoverStatus.READY)
        .order_by("ready_at")
        .values_list("id", flat=True)[:batch]
    )
    posted = 0
    for delivery_id in due:
        try:
            if delivery_dispatch(delivery_id=delivery_id).status == HandoverStatus.POSTED:
                posted += 1
        except CourierError as exc:
            logger.warning("delivery %s: courier refused (%s); tried again at the next sweep", delivery_id, exc)
    return posted


def _unknown_waybill() -> DomainError:
    return DomainError(_("未知运单号。"), code="not_found")


@transaction.atomic
def delivery_courier_update(
    *, courier: str, tracking_number: str, status: str, at: dt.datetime | None = None
) -> Delivery:
    """The courier's status push for a waybill: ``in_transit`` is noted, ``delivered`` completes the
    delivery. A repeated push changes nothing."""
    found = (
        Delivery.objects.filter(courier=courier, tracking_number=tracking_number)
        .values_list("case_id", flat=True)
        .first()
    )
    if found is None:
        raise _unknown_waybill()
    case, delivery = _locked(found)
    assert delivery is not None  # found through it, and deliveries are never deleted (PROTECT)
    if status == "in_transit":
        DeliveryEvent.objects.create(
            delivery=delivery,
            actor_label=courier,
            from_status=delivery.status,
            to_status=delivery.status,
            note="运输中",
        )
        return delivery
    if status != "delivered":
        raise DomainError(_("未知的运单状态 %(status)s。") % {"status": status}, code="invalid_status")
    if delivery.status == HandoverStatus.DELIVERED:
        return delivery
    if delivery.status != HandoverStatus.POSTED:
        raise Conflict(_("该运单尚未寄出。"), code="invalid_state")
    _deliver(
        case,
        delivery,
        actor=None,
        actor_label=courier,
        note=f"快递已妥投（运单号{tracking_number}）",
        how=gettext_lazy("邮寄妥投"),
        delivered_at=at or timezone.now(),
    )
    return delivery


def delivery_courier_push(
    *, courier: str, signature: str, tracking_number: str, status: str, at: dt.datetime | None = None
) -> tuple[Delivery, bool]:
    """A verified courier push, applied once: the push is recorded by its message id (a digest of its
    signature) in the transaction that applies it, so a replay — or the same push twice at once — finds the
    record and changes nothing. Returns the delivery and whether this push was a repeat."""
    message_id = hashlib.sha256(f"{courier}\n{signature}".encode()).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                CourierPush.objects.create(
                    courier=courier, message_id=message_id, tracking_number=tracking_number, status=status
                )
        except IntegrityError:
            delivery = Delivery.objects.filter(courier=courier, tracking_number=tracking_number).first()
            if delivery is None:  # a refused push leaves no record, so this cannot be
                raise _unknown_waybill() from None
            return delivery, True
        return delivery_courier_update(courier=courier, tracking_number=tracking_number, status=status, at=at), False
