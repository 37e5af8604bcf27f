"""一件事一次办: the matters of one life event applied for together."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .matters import LifeEvent


class Bundle(models.Model):
    """一件事一次办 (issue 15): the matters of one life event applied for together — one merged form (a field
    asked once feeds every matter that asks it, by key), one merged checklist (materials once, by key), one
    submission; each matter becomes a case of its own, decided by its department in parallel (并联审批), or after
    another's result where an item says so. Matters are named by code: a bundle always takes their current
    versions."""

    code = models.SlugField(_("一件事编码"), max_length=64, unique=True)
    name = models.CharField(_("一件事名称"), max_length=100)
    life_event = models.CharField(_("人生事件"), max_length=32, choices=LifeEvent.choices, blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("可申报"), default=True)
    # The roads to apply (一次提交 or 一次预约): online, every matter must be online-capable; by one booked hall visit,
    # every matter is received at that hall's windows (none needs to be online-capable).
    online_submission = models.BooleanField(_("可网上一次提交"), default=True)
    hall_visit = models.BooleanField(
        _("可预约到大厅一次办"), default=False, help_text=_("一次预约到同时受理全部事项的大厅，窗口一次受理。")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("一件事（主题套餐）")
        verbose_name_plural = _("一件事（主题套餐）")

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    """One matter of a bundle. ``after``: the code of another matter of the bundle whose approval this one waits
    for (e.g. 户口登记 before 社会保障卡申领); empty: handled in parallel."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    matter_code = models.CharField(_("事项实施编码"), max_length=64)
    after = models.CharField(
        _("前置事项（实施编码）"), max_length=64, blank=True, help_text=_("须待该事项准予后再提交；留空表示并联办理。")
    )

    class Meta:
        ordering = ["bundle", "position", "id"]
        verbose_name = _("一件事所含事项")
        verbose_name_plural = _("一件事所含事项")
        constraints = [
            models.UniqueConstraint(
                fields=["bundle", "matter_code"],
                name="bundle_item_once",
                violation_error_message=_("同一事项在一件事中只能出现一次。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(after=models.F("matter_code")), name="bundle_item_not_after_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.matter_code
