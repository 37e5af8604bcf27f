"""How the result of a case reaches the citizen (结果送达, DOMAIN.md §7): pickup at a hall window with an
ID check and a 送达回执, free post with a tracking number, or the e-licence downloaded by its owner."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.front.intake.models import Case, Document
from apps.shared.exchange.contract import DeliveryMethod  # one definition for both sites (the wire contract)
from govservice.lib.fieldcrypto import EncryptedCharField, EncryptedTextField
from govservice.lib.masking import mask_phone


class HandoverStatus(models.TextChoices):
    CHOSEN = "chosen", _("待出具结果")
    READY = "ready", _("结果已到达")
    POSTED = "posted", _("已寄出")
    DELIVERED = "delivered", _("已送达")


H = HandoverStatus
# The whole lifecycle in one place; services refuse anything not listed.
HANDOVER_TRANSITIONS: dict[str, frozenset[str]] = {
    H.CHOSEN: frozenset({H.READY}),
    H.READY: frozenset({H.POSTED, H.DELIVERED}),
    H.POSTED: frozenset({H.DELIVERED}),
    H.DELIVERED: frozenset(),
}


class Delivery(models.Model):
    """The citizen's choice for one case, and where the result is on its way to them."""

    TRANSITIONS = HANDOVER_TRANSITIONS

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="delivery")
    method = models.CharField(_("领取方式"), max_length=16, choices=DeliveryMethod.choices)
    status = models.CharField(max_length=16, choices=HandoverStatus.choices, default=HandoverStatus.CHOSEN)
    # Post only. Personal data: the phone and address are encrypted at rest (DOMAIN.md §8); the courier
    # gets them because it must deliver, our own references to it never carry them.
    recipient_name = models.CharField(_("收件人"), max_length=64, blank=True)
    recipient_phone = EncryptedCharField(_("收件人电话"), max_length=20, blank=True, null=True)
    address = EncryptedTextField(_("邮寄地址"), blank=True, null=True)
    courier = models.CharField(_("快递公司"), max_length=32, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=40, blank=True)
    chosen_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 代领: the person who collected the result at the window for the applicant, their authority checked
    # (apps/front/mandates). Empty: the applicant in person (or by post, or electronically).
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代领人"),
    )
    receipt = models.OneToOneField(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=HandoverStatus.values), name="delivery_status_valid"),
            models.CheckConstraint(condition=models.Q(method__in=DeliveryMethod.values), name="delivery_method_valid"),
            models.UniqueConstraint(
                fields=["courier", "tracking_number"],
                condition=~models.Q(tracking_number=""),
                name="delivery_tracking_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.method} {self.status}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.recipient_phone or "")

    @property
    def can_change(self) -> bool:
        """The choice stands once the result has arrived: it is then being handed over that way."""
        return self.status == HandoverStatus.CHOSEN

    @property
    def can_hand_over(self) -> bool:
        """Waiting at the hall's window for its owner (pickup with the ID check)."""
        return self.method == DeliveryMethod.PICKUP and self.status == HandoverStatus.READY

    def transition_event(self, *, from_status: str, to_status: str, **details: Any) -> DeliveryEvent:
        return DeliveryEvent(delivery=self, from_status=from_status, to_status=to_status, **details)


class DeliveryEvent(models.Model):
    """One row per change, and per refused pickup attempt (who tried, when, why refused)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=64, blank=True)
    from_status = models.CharField(max_length=16, choices=HandoverStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=HandoverStatus.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.from_status}→{self.to_status}"


class CourierPush(models.Model):
    """A status push received from a courier, kept by its message id: the courier's signature, which covers
    the timestamp and the body, so a captured push replayed within the signature's time window is answered
    without being applied again (no extra events, nobody told twice)."""

    courier = models.CharField(max_length=32)
    message_id = models.CharField(max_length=64, unique=True)
    tracking_number = models.CharField(max_length=40)
    status = models.CharField(max_length=16)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.courier} {self.tracking_number} {self.status}"


class ShipmentStatus(models.TextChoices):
    WAITING = "waiting", _("待寄出")
    POSTED = "posted", _("已寄出")


SHIPMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    ShipmentStatus.WAITING: frozenset({ShipmentStatus.POSTED}),
    ShipmentStatus.POSTED: frozenset(),
}


class OriginalsShipment(models.Model):
    """材料寄递 (DOMAIN.md §9, 异地代收代办 / 收受分离): the originals of a case this hall received on another region's
    behalf, posted by courier to the office that decides it, which hears of the waybill on the wire
    (``case.originals_posted``). Names the office and the documents only, never the applicant."""

    TRANSITIONS = SHIPMENT_TRANSITIONS

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="originals_shipment")
    destination = models.CharField(_("寄往"), max_length=100)
    address = models.CharField(_("寄递地址"), max_length=200)
    items = models.JSONField(_("寄递原件"), default=list)
    status = models.CharField(max_length=16, choices=ShipmentStatus.choices, default=ShipmentStatus.WAITING)
    courier = models.CharField(_("快递公司"), max_length=32, blank=True)
    tracking_number = models.CharField(_("运单号"), max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("原件寄递")
        verbose_name_plural = _("原件寄递")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=ShipmentStatus.values), name="shipment_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} → {self.destination}"
