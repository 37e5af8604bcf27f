"""What a matter asks of the applicant: the materials to bring and the fees to pay."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import rules
from .matters import Matter
from .validation import RulesInCleanMixin


class FeeItem(models.Model):
    """One charge of a matter (收费项目): DOMAIN.md §2 "charged ⇒ fee items present"."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="fee_items")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("收费项目"), max_length=100)
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("计费单位"), max_length=30, blank=True)
    notes = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["matter", "position", "id"]
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="fee_item_amount_not_negative",
                violation_error_message=_("金额不能为负数。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.amount}"


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


class Material(RulesInCleanMixin, models.Model):
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
    source = models.CharField(
        _("来源渠道"), max_length=16, choices=MaterialSource.choices, default=MaterialSource.APPLICANT
    )
    issuer = models.CharField(_("出具单位"), max_length=100, blank=True)
    notes = models.CharField(_("填报须知"), max_length=300, blank=True)
    blank_form_url = models.URLField(_("空白表格"), max_length=300, blank=True)
    sample_url = models.URLField(_("示例样表"), max_length=300, blank=True)
    acceptance_standard = models.CharField(_("受理标准"), max_length=300, blank=True)
    # 容缺受理 (DOMAIN.md §4): a minor material the applicant may promise to bring later. Never the identity
    # document or the application form (rules.one_material_errors).
    deferrable = models.BooleanField(
        _("可容缺"), default=False, help_text=_("申请人可承诺限期补交（身份证件、申请表不可容缺）。")
    )

    class Meta:
        ordering = ["matter", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "key"],
                name="material_key_unique_per_matter",
                violation_error_message=_("同一事项内材料标识须唯一。"),
            ),
            models.CheckConstraint(
                condition=models.Q(originals__gt=0) | models.Q(copies__gt=0), name="material_some_paper_or_file"
            ),
            # Issued by a government body: the issuer says where shared data can fetch it from.
            models.CheckConstraint(
                condition=~models.Q(source=MaterialSource.GOVERNMENT) | ~models.Q(issuer=""),
                name="material_government_issuer",
            ),
        ]
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")

    def __str__(self) -> str:
        return self.name

    def rule_errors(self) -> list[str]:
        return rules.one_material_errors(self)
