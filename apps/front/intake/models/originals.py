"""The one visit of a fully online application whose matter needs an original seen (最多跑一次, DOMAIN.md §9;
issue 15): the appointment booked for the case, and the clerk's check of each original at the window."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.front.booking.models import Appointment

from .case import Case, CaseMaterial


class OriginalsCheck(models.Model):
    """One per case: the visit booked for it (the appointment names the case; a cancelled or missed one may be
    replaced, never a second one beside it) and, once every listed original has an outcome, who completed it."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="originals_check")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="originals_check"
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(_("原件核验完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.case} 原件核验"

    @property
    def mismatches(self) -> int:
        return sum(1 for seen in self.outcomes.all() if seen.outcome == OriginalOutcome.MISMATCH)


class OriginalOutcome(models.TextChoices):
    SEEN = "seen", _("原件已核验一致")
    MISMATCH = "mismatch", _("原件与上传件不一致")


class OriginalSeen(models.Model):
    """The clerk's outcome for one material of the case: seen (the upload becomes B-level evidence, verified by
    this clerk at this time) or a mismatch with what was wrong (the upload stays C)."""

    originals_check = models.ForeignKey(OriginalsCheck, on_delete=models.CASCADE, related_name="outcomes")
    material = models.OneToOneField(CaseMaterial, on_delete=models.CASCADE, related_name="original_seen")
    outcome = models.CharField(_("核验结果"), max_length=8, choices=OriginalOutcome.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=OriginalOutcome.values), name="original_seen_outcome_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.material} {self.outcome}"
