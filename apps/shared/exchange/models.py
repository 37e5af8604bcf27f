"""The wire between the sites (DESIGN.md §5): peers and their keys, the outbox and the inbox.

PostgreSQL is the source of truth: a message exists once its outbox row commits with the state change
that caused it; Redis only carries kicks to the relay.
"""

from __future__ import annotations

import uuid

import pghistory
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from govservice.lib.fieldcrypto import EncryptedCharField

from .fields import EncryptedJSONDocumentField


class Peer(models.Model):
    """The other site: at the front, central; at central, each client platform (a city's front, or a
    partner region's)."""

    code = models.CharField(_("平台编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    base_url = models.URLField(_("接口地址"))
    active = models.BooleanField(_("启用"), default=True)
    # Where a hall posts the originals of a case it received for this peer (材料寄递, 异地代收代办): the handling
    # office's address. Empty: no post to this peer.
    postal_address = models.CharField(_("材料寄递地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("对接平台")
        verbose_name_plural = _("对接平台")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PeerKey(models.Model):
    """A signing key shared with a peer. Several keys may be valid at once during a rotation; the newest
    valid one signs outgoing messages."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="keys")
    key_id = models.CharField(_("密钥编号"), max_length=64, unique=True)
    secret = EncryptedCharField(_("密钥"), max_length=200)
    not_before = models.DateTimeField(default=timezone.now)
    not_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-not_before"]

    def __str__(self) -> str:
        return f"{self.peer.code}:{self.key_id}"

    def is_valid(self, at=None) -> bool:
        at = at or timezone.now()
        return self.not_before <= at and (self.not_after is None or at < self.not_after)


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    DEAD = "dead", _("投递失败")


# The whole lifecycle in one place; the relay and the operator's re-drive move through it
# (govservice.lib.lifecycle). A retry is no move: the message stays pending.
OUTBOX_TRANSITIONS: dict[str, frozenset[str]] = {
    OutboxStatus.PENDING: frozenset({OutboxStatus.DELIVERED, OutboxStatus.DEAD}),
    OutboxStatus.DEAD: frozenset({OutboxStatus.PENDING}),  # an operator's re-drive
    OutboxStatus.DELIVERED: frozenset(),
}


class ClockTimestamp(models.Func):
    """PostgreSQL's clock_timestamp(): the database's clock at the moment of the insert, which keeps moving
    within a transaction (now() does not), so two messages written in one transaction stay in order."""

    template = "clock_timestamp()"
    output_field = models.DateTimeField()


@pghistory.track(model_name="OutboxMessageAudit")
class OutboxMessage(models.Model):
    """A message to a peer, written in the same transaction as the change that causes it. Its UUID is the
    idempotency key the receiver deduplicates on, so a resend after a timeout is always safe."""

    TRANSITIONS = OUTBOX_TRANSITIONS

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="outbox")
    kind = models.CharField(max_length=64)
    # The version of the kind's payload class it was written with (contract/); named in the envelope
    # from version 2 on.
    schema_version = models.PositiveSmallIntegerField(default=1)
    # Messages with the same key (a case's number) reach the peer in the order they were written: the
    # relay sends one only when no earlier one with its key is still pending or dead (DESIGN.md §5).
    # Empty: no order to keep (a batch such as a resync).
    ordering_key = models.CharField(max_length=64, blank=True, default="")
    # Encrypted at rest: a case package names the applicant and their ID number (DOMAIN.md §8).
    payload = EncryptedJSONDocumentField()
    # Files travelling with the message: [{"name", "path", "sha256", "content_type"}], read from storage
    # and inlined at send time so the outbox row stays small.
    files = models.JSONField(default=list, blank=True)
    # Who acted, where a person did (X-Road: every exchange attributable to a person and a case).
    actor = models.CharField(max_length=100, blank=True)
    # The id of the request (or task) that wrote the message (govservice/lib/requestid.py): sent in the
    # envelope, so the signature covers it, and as X-Request-Id, so the peer logs under the same id.
    request_id = models.CharField(max_length=64, blank=True, default="")
    status = models.CharField(max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # The database's clock, like every comparison with it (services.outbox_claim_due).
    next_attempt_at = models.DateTimeField(db_default=Now())
    last_error = models.TextField(blank=True)
    response = models.JSONField(null=True, blank=True)
    # The order of a case's messages (see ordering_key): one clock for every writer, the database's, so a
    # host whose clock is behind cannot slip a later message before an earlier one.
    created_at = models.DateTimeField(db_default=ClockTimestamp())
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(status="pending"), name="outbox_due_idx"),
            models.Index(
                fields=["ordering_key", "created_at"],
                condition=models.Q(status__in=["pending", "dead"]) & ~models.Q(ordering_key=""),
                name="outbox_unsent_by_key_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=OutboxStatus.values), name="outbox_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class InboxMessage(models.Model):
    """A message applied from a peer, recorded in the same transaction as its effect. A duplicate gets
    the first answer back and changes nothing; the same id with another body is refused."""

    id = models.UUIDField(primary_key=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="inbox")
    kind = models.CharField(max_length=64)
    body_sha256 = models.CharField(max_length=64)
    key_id = models.CharField(max_length=64)
    actor = models.CharField(max_length=100, blank=True)
    response = models.JSONField(default=dict)
    status_code = models.PositiveSmallIntegerField(default=200)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.id}"


class Route(models.Model):
    """At a front: which central back office decides a matter, where it is not the platform's own central
    (跨域通办 / 异地代收代办: a hall receives a partner region's matters on its behalf and hands them to that
    region's back office). A route names one matter by its implementation code, or a region: the division code
    (GB/T 2260: 2, 4 or 6 digits) that the implementation codes of that region's matters begin with. A matter's
    own route wins over its region's, a longer region over a shorter one; a matter without a route goes to the
    platform's central (EXCHANGE_CENTRAL_PEER). Checked against the catalog by ``peers.route_errors``."""

    matter_code = models.CharField(_("事项实施编码"), max_length=64, blank=True)
    region = models.CharField(
        _("办理地区划代码"),
        max_length=6,
        blank=True,
        help_text=_("2、4或6位行政区划代码，适用于实施编码以此开头的所有事项（如12为天津市）。"),
    )
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="routes", verbose_name=_("审批后台"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("事项路由")
        verbose_name_plural = _("事项路由")
        ordering = ["matter_code", "region"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(matter_code="") & ~models.Q(region=""))
                | (~models.Q(matter_code="") & models.Q(region="")),
                name="route_matter_or_region",
                violation_error_message=_("路由须填写事项实施编码或区划代码之一，且只填一项。"),
            ),
            models.UniqueConstraint(
                fields=["matter_code"],
                condition=~models.Q(matter_code=""),
                name="route_one_per_matter",
                violation_error_message=_("该事项已有路由。"),
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=~models.Q(region=""),
                name="route_one_per_region",
                violation_error_message=_("该区划已有路由。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matter_code or self.region} → {self.peer.code}"

    def clean(self) -> None:
        from .peers import route_errors  # peers reads the catalog; the model stays free of it

        errors = route_errors(matter_code=self.matter_code, region=self.region, peer=getattr(self, "peer", None))
        if errors:
            raise ValidationError(errors)
