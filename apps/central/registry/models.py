"""The shared population registry (DOMAIN.md §8), the register of legal persons (DOMAIN.md §9), and the record
of every question asked of them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.exchange.models import Peer
from govservice.lib.fieldcrypto import EncryptedCharField


class RegistryPerson(models.Model):
    """A person as the registry holds them: the ID number encrypted with a keyed hash beside it for the
    lookup, and the name encrypted too (it is only ever compared, never returned)."""

    id_number = EncryptedCharField(_("身份证号码"), max_length=18)
    id_number_index = models.CharField(max_length=64, unique=True, editable=False)
    name = EncryptedCharField(_("姓名"), max_length=64)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("人口信息")
        verbose_name_plural = _("人口信息")

    def __str__(self) -> str:
        return f"registry #{self.pk}"


class RegistryCompany(models.Model):
    """A legal person as the register of market entities holds it (企业登记信息): its unified social credit
    code and name (public on the licence), whether it still exists (存续) and its legal representative, whose
    ID number is kept only as the keyed hash the question is compared against and whose name is encrypted
    (both are only ever compared, never returned)."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    representative_name = EncryptedCharField(_("法定代表人姓名"), max_length=64)
    representative_id_index = models.CharField(max_length=64, editable=False)
    # Deregistered or revoked (注销、吊销) companies stay in the register but match no question.
    active = models.BooleanField(_("存续"), default=True)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("企业登记信息")
        verbose_name_plural = _("企业登记信息")

    def __str__(self) -> str:
        return f"{self.name} {self.credit_code}"


class RegistryQuery(models.Model):
    """Who asked about whom, why and when (DESIGN.md §10): the asking platform, the purpose and its
    reference, the keyed hash of the number asked about (never the number) and the answer given."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("用途"), max_length=100)
    reference = models.CharField(_("业务编号"), max_length=150, blank=True)
    id_number_index = models.CharField(max_length=64, db_index=True)
    # A question about a legal person names its code (public); the hash above is then its representative's.
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    matched = models.BooleanField(_("一致"))
    asked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-asked_at"]
        verbose_name = _("核验记录")
        verbose_name_plural = _("核验记录")

    def __str__(self) -> str:
        return f"{self.peer.code} {self.purpose} {self.asked_at:%Y-%m-%d %H:%M}"


class RegistryLoad(models.Model):
    """One file loaded into a registry from the supervisors' page (issue 13): who, when, which file and what
    came of it. The refused rows are named by their line and reason only, never their content (personal data)."""

    class Kind(models.TextChoices):
        PEOPLE = "people", _("人口信息")
        COMPANIES = "companies", _("企业登记信息")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    file_name = models.CharField(_("文件名"), max_length=200)
    loaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    loaded_at = models.DateTimeField(_("导入时间"), default=timezone.now)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    errors = models.JSONField(_("未导入的行"), default=list, blank=True)

    class Meta:
        ordering = ["-loaded_at", "-id"]
        verbose_name = _("登记信息导入")
        verbose_name_plural = _("登记信息导入")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["people", "companies"]), name="registry_load_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} {self.loaded_at:%Y-%m-%d %H:%M}"
