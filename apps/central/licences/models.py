"""The licence library (电子证照库), the offices' signing keys, and the record of every question asked of it."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.exchange.models import Peer
from govservice.lib.fieldcrypto import EncryptedCharField, EncryptedTextField


class OfficeKey(models.Model):
    """An issuing office's signing key (its 电子印章) and the self-signed certificate that names it; the key
    is encrypted at rest like the wire's keys, the certificate is public (the verification page shows it)."""

    office = models.CharField(_("机构编码"), max_length=32, unique=True)
    name = models.CharField(_("机构名称"), max_length=100)
    key_pem = EncryptedTextField(_("私钥"))
    certificate_pem = models.TextField(_("证书"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("签章密钥")
        verbose_name_plural = _("签章密钥")

    def __str__(self) -> str:
        return f"{self.name} ({self.office})"


class LicenceSource(models.TextChoices):
    ISSUED = "issued", _("本平台出具")
    IMPORTED = "imported", _("外部门导入")


class Licence(models.Model):
    """One licence or certificate in the library. Its holder is found by the keyed hash of the ID number
    (central's own key); the name is kept encrypted and only compared. ``material_key`` names the
    material of the catalog it stands for (营业执照 is ``business-licence``); a licence without one stands
    for materials of its title's name."""

    number = models.CharField(_("证照编号"), max_length=64, unique=True)
    verification_code = models.CharField(_("核验码"), max_length=16, unique=True)
    title = models.CharField(_("证照名称"), max_length=100)
    material_key = models.SlugField(_("材料标识"), max_length=64, blank=True)
    holder_name = EncryptedCharField(_("持证人"), max_length=64)
    holder_id_index = models.CharField(max_length=64, db_index=True, editable=False)
    issuer = models.CharField(_("发证机关"), max_length=100)
    office = models.ForeignKey(OfficeKey, on_delete=models.PROTECT, related_name="licences", verbose_name=_("签章机构"))
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=LicenceSource.choices)
    # Where an issued licence came from: the platform and its case number (the review's case is not
    # referenced: review writes here, never the other way round).
    platform = models.ForeignKey(Peer, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case_number = models.CharField(_("办件编号"), max_length=32, blank=True)
    file = models.FileField(upload_to="licences/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")

    def __str__(self) -> str:
        return f"{self.title} {self.number}"

    def state(self, today: dt.date | None = None) -> str:
        """ "valid", "revoked" or "expired" on a day (the library's day: timezone.localdate())."""
        if self.revoked_at is not None:
            return "revoked"
        if self.valid_until is not None and self.valid_until < (today or timezone.localdate()):
            return "expired"
        return "valid"


class LicenceQuery(models.Model):
    """Who asked the library about whom, why, for which case and matter, and what was given (DESIGN.md §10):
    the keyed hash of the number asked about (never the number), the material keys asked for, the numbers
    returned, or the refusal's code. Revocations are sent to every platform a licence was given to."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("用途"), max_length=100)
    reference = models.CharField(_("办件编号"), max_length=150, blank=True)
    matter_code = models.CharField(_("事项编码"), max_length=64, blank=True)
    id_number_index = models.CharField(max_length=64, db_index=True)
    keys = models.JSONField(_("所需材料"), default=list)
    returned = models.JSONField(_("提供的证照"), default=list)
    refused = models.CharField(_("拒绝原因"), max_length=32, blank=True)
    asked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("证照调取记录")
        verbose_name_plural = _("证照调取记录")

    def __str__(self) -> str:
        return f"{self.peer.code} {self.purpose} {self.asked_at:%Y-%m-%d %H:%M}"
