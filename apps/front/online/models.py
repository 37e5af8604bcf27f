"""An application filled in online (网上申报, issue 15; DOMAIN.md §9).

It is a draft until it is submitted: then intake receives it as a case (RECEIVED, channel online), and the case
carries the one lifecycle from there (pre-review, acceptance, central, the result). The application has no
status of its own: no case means a draft; a case means submitted, and the case says where it stands. After a
one-time notice the applicant completes the same application and resubmits it into the same case.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.front.booking.models import Hall
from apps.front.intake.models import Case, CaseMaterial, CaseStatus
from apps.shared.catalog.models import Matter
from apps.shared.exchange.contract import DeliveryMethod
from govservice.lib.fieldcrypto import EncryptedCharField, EncryptedTextField


class OnlineApplication(models.Model):
    # A public reference for addresses and the API: never the row id (not guessable, not counting).
    code = models.CharField(_("申请编号"), max_length=16, unique=True)
    # Whose application it is (the case's applicant), and who filled it in. The same person today; someone
    # acting for the applicant may be another (the service that starts an application takes both).
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="online_applications"
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The version the form was last shown under; moved to the current one when the matter changes under a draft.
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    matter_code = models.CharField(max_length=64)
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+")
    # The application form's answers by field key (apps.shared.catalog.formfields checks them).
    form_values = models.JSONField(_("申请表"), default=dict, blank=True)
    # The answers as last sent into the case (its generated application form): a resubmission sends a new form
    # only when they changed.
    form_values_sent = models.JSONField(default=dict, blank=True)
    # How the result is to come back (delivery's choice, made on the case at submission). Personal data: the
    # recipient's phone and address are encrypted at rest (DOMAIN.md §8).
    delivery_method = models.CharField(
        _("领取方式"), max_length=16, choices=DeliveryMethod.choices, default=DeliveryMethod.ELECTRONIC
    )
    recipient_name = models.CharField(_("收件人"), max_length=64, blank=True)
    recipient_phone = EncryptedCharField(_("收件人电话"), max_length=20, blank=True, null=True)
    address = EncryptedTextField(_("邮寄地址"), blank=True, null=True)
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="online_application"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    resubmitted_at = models.DateTimeField(_("补正后重新提交时间"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("网上申请")
        verbose_name_plural = _("网上申请")
        constraints = [
            # One draft per applicant and matter: starting again resumes it.
            models.UniqueConstraint(
                fields=["applicant", "matter_code"],
                condition=models.Q(case__isnull=True),
                name="online_one_draft_per_matter",
            ),
            models.CheckConstraint(
                condition=models.Q(delivery_method__in=DeliveryMethod.values), name="online_delivery_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_draft(self) -> bool:
        return self.case_id is None

    @property
    def awaits_completion(self) -> bool:
        """Told by one-time notice what is missing: the applicant completes this application and resubmits it."""
        case = self.case
        return case is not None and case.status == CaseStatus.RECEIVED and case.notice_outstanding

    @property
    def editable(self) -> bool:
        return self.is_draft or self.awaits_completion


class ApplicationFile(models.Model):
    """A file the applicant uploaded for one material of the application, checked and stored encrypted. Once the
    application is submitted (or resubmitted) it is one of the case's materials too: the same stored file."""

    application = models.ForeignKey(OnlineApplication, on_delete=models.CASCADE, related_name="files")
    # The catalogue material it is for, by key: keys are stable across matter versions.
    material_key = models.SlugField(max_length=64)
    file = models.FileField(upload_to="online/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    case_material = models.OneToOneField(
        CaseMaterial, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.application} {self.material_key}"

    @property
    def sent(self) -> bool:
        return self.case_material_id is not None
