"""The documents a case issues (vouchers, notices, certificates) and the credit records an unmet commitment writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # noqa: F401

from .case import Case


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("受理凭证")
    REFUSAL = "refusal", _("不予受理通知书")
    ONE_TIME_NOTICE = "one_time_notice", _("一次性告知书")
    COMMITMENT = "commitment", _("容缺受理承诺确认书")
    CERTIFICATE = "certificate", _("证照（审批结果）")
    DELIVERY_RECEIPT = "delivery_receipt", _("送达回执")


class Document(models.Model):
    """A written, dated voucher (行政许可法 Art. 32). Its content is fixed when issued (``content``); the
    PDF is rendered from it on first download and its SHA-256 kept, so the public verification page can
    tell a genuine copy from an altered one without showing personal data."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    verification_code = models.CharField(max_length=16, unique=True)
    content = models.JSONField()
    issued_at = models.DateTimeField(default=timezone.now)
    # None for documents issued by central (certificates): they arrive over the wire, already signed.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.verification_code}"


class CreditKind(models.TextChoices):
    COMMITMENT_BROKEN = "commitment_broken", _("容缺受理承诺逾期未履行")


class CreditRecord(models.Model):
    """A breach of a commitment made to the hall (失信记录). While one is in force the applicant is not
    offered 容缺受理 again (DOMAIN.md §4); central is told of the breach with the case."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_records")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="credit_records")
    kind = models.CharField(max_length=24, choices=CreditKind.choices)
    note = models.TextField(blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    # The record bars 容缺受理 until this day (信用修复 after it; setting).
    in_force_until = models.DateField()

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="credit_record_once_per_case"),
            models.CheckConstraint(condition=models.Q(kind__in=CreditKind.values), name="credit_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.citizen} {self.get_kind_display()} {self.case}"
