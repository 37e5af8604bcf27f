"""The citizen's evidence vault (材料库): what government already holds, by trust level."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.exchange.models import Peer

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # noqa: F401


class TrustLevel(models.TextChoices):
    # 国办函〔2016〕108号: how far a piece of evidence can be relied on without asking again.
    A = "A", _("A 政府部门核发并加盖电子印章，直接使用")
    B = "B", _("B 窗口人员已核验原件，可复用")
    C = "C", _("C 申请人上传，使用前须核验原件")
    # No level D ("self-made, on the applicant's commitment"): a commitment belongs to one case (容缺受理,
    # with its deadline and consequence), never to reusable evidence (README "Law → tests", issue 13).


class EvidenceItem(models.Model):
    """The citizen's vault: evidence government already holds (materials verified in earlier cases,
    e-licences), offered at intake instead of asking again (数据共享、信息复用)."""

    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="evidence")
    name = models.CharField(_("材料名称"), max_length=200)
    trust_level = models.CharField(max_length=1, choices=TrustLevel.choices)
    issuer = models.CharField(_("出具单位"), max_length=100, blank=True)
    file = models.FileField(upload_to="vault/%Y/%m/")
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    origin_case = models.ForeignKey("intake.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    valid_until = models.DateField(null=True, blank=True)
    # An e-licence of a central's library (电子证照库): its number, when its validity was last confirmed (a
    # licence not confirmed within LICENCE_RECHECK_SECONDS is not offered until it is), and its revocation.
    licence_number = models.CharField(_("证照编号"), max_length=64, blank=True, db_index=True)
    # The central whose library gave it (or whose case issued it), asked when it is re-checked. Empty for one
    # kept before the network (issue 16): its case's central, else the platform's own.
    licence_peer = models.ForeignKey(
        Peer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("证照库")
    )
    licence_checked_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["name", "trust_level", "-created_at"]
        constraints = [models.UniqueConstraint(fields=["citizen", "sha256"], name="evidence_once_per_citizen")]

    def __str__(self) -> str:
        return f"{self.name} ({self.trust_level})"
