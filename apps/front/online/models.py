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

from apps.front.booking.models import Appointment, Hall
from apps.front.intake.models import Case, CaseMaterial, CaseStatus
from apps.shared.catalog.models import Bundle, Matter
from apps.shared.exchange.contract import DeliveryMethod
from govservice.lib.fieldcrypto import EncryptedCharField, EncryptedTextField


class BundleApplication(models.Model):
    """一件事一次办 (issue 15): one application for a bundle's matters — one merged form, one merged checklist, one
    submission, one delivery choice, one declaration. Submitting it makes one online application per matter (its
    ``parts``): those with no prerequisite are submitted at once, each as its own case decided by its department
    in parallel; one that waits for another is submitted when that one is approved, and dropped, with the reason,
    when it is not. When every part is settled the applicant gets one combined notice."""

    code = models.CharField(_("申请编号"), max_length=16, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bundle_applications"
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    bundle = models.ForeignKey(Bundle, on_delete=models.PROTECT, related_name="+")
    hall = models.ForeignKey(Hall, on_delete=models.PROTECT, related_name="+")
    form_values = models.JSONField(_("申请表"), default=dict, blank=True)
    delivery_method = models.CharField(
        _("领取方式"), max_length=16, choices=DeliveryMethod.choices, default=DeliveryMethod.ELECTRONIC
    )
    recipient_name = models.CharField(_("收件人"), max_length=64, blank=True)
    recipient_phone = EncryptedCharField(_("收件人电话"), max_length=20, blank=True, null=True)
    address = EncryptedTextField(_("邮寄地址"), blank=True, null=True)
    # 一次预约 (one booked hall visit, services/bundle_visits.py): the visit the bundle is brought to; the window's
    # acceptance submits it there. Empty for the online road.
    appointment = models.OneToOneField(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="bundle_application"
    )
    # Given once at submission for every part (a waiting part taken later from the vault relies on it).
    vault_consent = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # The combined notice went out: every part settled (decided, refused, dropped …). Claimed once.
    completed_at = models.DateTimeField(_("全部办结时间"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "bundle"],
                condition=models.Q(submitted_at__isnull=True),
                name="online_one_bundle_draft",
            ),
            models.CheckConstraint(
                condition=models.Q(delivery_method__in=DeliveryMethod.values), name="bundle_delivery_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None

    @property
    def editable(self) -> bool:
        return self.is_draft


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
    # A part of a bundle application (一件事): ``waits_for`` the part whose approval it is submitted after; dropped
    # (``cancelled_at``, with the reason) when that one is not approved.
    bundle_application = models.ForeignKey(
        BundleApplication, on_delete=models.CASCADE, null=True, blank=True, related_name="parts"
    )
    waits_for = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="dependents")
    cancelled_at = models.DateTimeField(_("未提交（终止）时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("未提交原因"), max_length=300, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("网上申请")
        verbose_name_plural = _("网上申请")
        constraints = [
            # One draft per applicant and matter: starting again resumes it (a bundle's parts are the bundle's).
            models.UniqueConstraint(
                fields=["applicant", "matter_code"],
                condition=models.Q(case__isnull=True, bundle_application__isnull=True),
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
        """Told by one-time notice what is missing: the applicant completes this application and resubmits it. A part
        of a 一件事 visit told at the window is completed there (its case is the hall's held case), not online."""
        case = self.case
        return case is not None and case.status == CaseStatus.RECEIVED and case.notice_outstanding and case.online

    @property
    def waiting(self) -> bool:
        """A bundle's part not submitted yet: its prerequisite is still being decided."""
        return self.case_id is None and self.waits_for_id is not None and self.cancelled_at is None

    @property
    def editable(self) -> bool:
        if self.bundle_application_id is not None and self.case_id is None:
            return False  # a bundle's part is edited on the bundle, before its submission
        return self.is_draft or self.awaits_completion


class ApplicationFile(models.Model):
    """A file the applicant uploaded for one material of the application (or of a bundle application, whose parts
    then each name the same stored file), checked and stored encrypted. Once the application is submitted (or
    resubmitted) it is one of the case's materials too: the same stored file."""

    application = models.ForeignKey(
        OnlineApplication, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    bundle_application = models.ForeignKey(
        BundleApplication, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
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
        constraints = [
            models.CheckConstraint(
                condition=models.Q(application__isnull=False, bundle_application__isnull=True)
                | models.Q(application__isnull=True, bundle_application__isnull=False),
                name="application_file_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application or self.bundle_application} {self.material_key}"

    @property
    def sent(self) -> bool:
        return self.case_material_id is not None
