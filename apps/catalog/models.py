"""Service matters (事项) after GB/T 39046-2020, trimmed (DOMAIN.md §2). Installed on both sites:
central decides a case against the matter version the front accepted it under."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    code = models.CharField(_("部门编码"), max_length=32, unique=True)
    name = models.CharField(_("部门名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.name


class MatterType(models.TextChoices):
    LICENSE = "01", _("行政许可")
    PENALTY = "02", _("行政处罚")
    CONFIRMATION = "07", _("行政确认")
    OTHER = "10", _("其他行政权力")
    PUBLIC_SERVICE = "20", _("公共服务")


class CaseKind(models.TextChoices):
    INSTANT = "instant", _("即办件")
    PROMISED = "promised", _("承诺件")


class Target(models.TextChoices):
    PERSON = "person", _("自然人")
    ORGANISATION = "organisation", _("法人")


class Matter(models.Model):
    """One version of a matter. Editing makes a new version; cases keep the version they were accepted under."""

    code = models.CharField(_("实施编码"), max_length=64)
    basic_code = models.CharField(_("基本编码"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    is_current = models.BooleanField(default=True)
    name = models.CharField(_("事项名称"), max_length=200)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="matters")
    matter_type = models.CharField(_("事项类型"), max_length=2, choices=MatterType.choices, default=MatterType.LICENSE)
    level = models.PositiveSmallIntegerField(_("行使层级"), default=3)
    target = models.CharField(_("服务对象"), max_length=16, choices=Target.choices, default=Target.PERSON)
    case_kind = models.CharField(_("办件类型"), max_length=16, choices=CaseKind.choices, default=CaseKind.PROMISED)
    legal_days = models.PositiveSmallIntegerField(_("法定办结时限（工作日）"), default=20)
    promised_days = models.PositiveSmallIntegerField(_("承诺办结时限（工作日）"), default=10)
    online_depth = models.PositiveSmallIntegerField(_("网办深度"), default=2)
    trips = models.PositiveSmallIntegerField(_("到办事现场次数"), default=1)
    trips_reason = models.CharField(_("必须现场办理原因"), max_length=200, blank=True)
    bookable = models.BooleanField(_("可预约"), default=True)
    remote_ok = models.BooleanField(_("支持异地办理"), default=False)
    charged = models.BooleanField(_("是否收费"), default=False)
    fee_description = models.CharField(_("收费标准"), max_length=200, blank=True)
    result_name = models.CharField(_("审批结果名称"), max_length=100, blank=True)
    e_licence = models.BooleanField(_("电子证照"), default=False)
    # DOMAIN.md §5: whether a correction (补正) restarts the review clock or resumes it.
    correction_restarts_clock = models.BooleanField(_("补正后重新计时"), default=False)
    description = models.TextField(_("办理说明"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)

    class Meta:
        ordering = ["department__code", "code"]
        verbose_name = _("事项")
        verbose_name_plural = _("事项")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="matter_code_version_unique"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(is_current=True), name="matter_one_current"),
            # DOMAIN.md §2: the promise never exceeds the law.
            models.CheckConstraint(condition=models.Q(promised_days__lte=models.F("legal_days")), name="matter_promise_within_law"),
        ]

    def __str__(self) -> str:
        return self.name


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质或电子")


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人自备")
    GOVERNMENT = "government", _("政府部门核发")


def material_key_new() -> str:
    """A fresh key for a material created without one; the catalog's own loaders give readable keys."""
    return f"m-{secrets.token_hex(4)}"


class Material(models.Model):
    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="materials")
    # Stable across versions: a new version copies each material with its key, so other apps (guided
    # questions) can refer to "this matter's power of attorney" as (matter code, key) whatever the version.
    key = models.SlugField(_("材料标识"), max_length=64, default=material_key_new)
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    form = models.CharField(_("材料形式"), max_length=16, choices=MaterialForm.choices, default=MaterialForm.BOTH)
    originals = models.PositiveSmallIntegerField(_("原件份数"), default=1)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), default=0)
    required = models.BooleanField(_("必要"), default=True)
    source = models.CharField(_("来源渠道"), max_length=16, choices=MaterialSource.choices, default=MaterialSource.APPLICANT)
    issuer = models.CharField(_("出具单位"), max_length=100, blank=True)
    notes = models.CharField(_("填报须知"), max_length=300, blank=True)

    class Meta:
        ordering = ["matter", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["matter", "key"], name="material_key_unique_per_matter")]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.name
