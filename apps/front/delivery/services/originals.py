"""材料寄递 (DOMAIN.md §9, 异地代收代办 / 收受分离): a hall that received a case on another region's behalf posts the
originals that region's checklist asks for to its office, by the courier of posted results, and tells that office
the waybill over the wire. Opened at the hand-over (intake's ``handed_over`` hook), posted once its transaction
committed (and by the periodic sweep behind it)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from apps.front.intake.models import Case
from apps.front.intake.selectors import case_central
from apps.shared.catalog.models import MaterialForm
from apps.shared.exchange import contract
from apps.shared.exchange.models import Peer
from apps.shared.exchange.peers import default_central
from apps.shared.exchange.services import outbox_enqueue
from govservice.lib import lifecycle
from govservice.lib.tasks import enqueue_on_commit

from ..couriers import CourierError, Waybill, courier_backend
from ..models import OriginalsShipment, ShipmentStatus

logger = logging.getLogger(__name__)


def originals_to_post(case: Case) -> list[str]:
    """The originals the matter's checklist wants in paper (a scan does not stand in for them): the required ones,
    and the optional ones the applicant brought."""
    brought = set(case.materials.values_list("material_id", flat=True))
    return [
        m.name
        for m in case.matter.materials.all()
        if m.form == MaterialForm.PAPER and m.originals and (m.required or m.id in brought)
    ]


def originals_shipment_open(*, case: Case, central: Peer) -> OriginalsShipment | None:
    """At the hand-over (in its transaction): a case for another region's office whose matter needs originals gets
    its shipment, posted once the hand-over commits. A case for the platform's own central needs none (its hall
    keeps the originals as it always has), nor one whose office takes no post."""
    if central.id == default_central().id or not central.postal_address:
        return None
    items = originals_to_post(case)
    if not items:
        return None
    shipment, created = OriginalsShipment.objects.get_or_create(
        case=case, defaults={"destination": central.name, "address": central.postal_address, "items": items}
    )
    if created:
        from ..tasks import originals_dispatch  # tasks import services

        enqueue_on_commit(originals_dispatch, shipment.id)
    return shipment


def originals_dispatch(*, shipment_id: int) -> OriginalsShipment:
    """Order the courier, then record the waybill and tell the office on the wire, once. The courier is called
    outside any transaction; the same reference gets the same waybill, so a retried or doubled run posts once."""
    shipment = OriginalsShipment.objects.select_related("case").get(id=shipment_id)
    if shipment.status != ShipmentStatus.WAITING:
        return shipment
    backend = courier_backend()
    tracking = backend.order(
        Waybill(
            reference=f"CW-O{shipment.id}",
            recipient_name=shipment.destination,
            recipient_phone="",
            address=shipment.address,
            contents=f"办件{shipment.case.number}原件：{'、'.join(shipment.items)}",
        )
    )
    with transaction.atomic():
        try:
            moved = lifecycle.move_pk(
                OriginalsShipment,
                shipment.id,
                ShipmentStatus.POSTED,
                fields={"courier": backend.label, "tracking_number": tracking, "posted_at": timezone.now()},
                select_related=("case",),
            )
        except lifecycle.TransitionRefused:  # another run posted it meanwhile
            return OriginalsShipment.objects.get(id=shipment.id)
        outbox_enqueue(
            peer=case_central(moved.case),
            payload=contract.CaseOriginalsPosted(
                number=moved.case.number, items=list(moved.items), courier=backend.label, tracking_number=tracking
            ),
        )
    return moved


def originals_dispatch_due(*, batch: int = 100) -> int:
    """The periodic sweep behind the on-commit kick: post every shipment still waiting for a courier."""
    posted = 0
    for shipment_id in (
        OriginalsShipment.objects.filter(status=ShipmentStatus.WAITING)
        .order_by("created_at")
        .values_list("id", flat=True)[:batch]
    ):
        try:
            if originals_dispatch(shipment_id=shipment_id).status == ShipmentStatus.POSTED:
                posted += 1
        except CourierError as exc:
            logger.warning(
                "originals shipment %s: courier refused (%s); tried again at the next sweep", shipment_id, exc
            )
    return posted
