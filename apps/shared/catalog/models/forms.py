"""The matter's application form (申请表), asked when the citizen applies online."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import rules
from .matters import Matter
from .validation import RulesInCleanMixin


class FieldKind(models.TextChoices):
    """What an application form field holds (issue 15: the matter's online form); the value each kind takes is
    checked by ``apps.shared.catalog.formfields``."""

    TEXT = "text", _("单行文本")
    LONG_TEXT = "long_text", _("多行文本")
    NUMBER = "number", _("整数")
    DATE = "date", _("日期")
    CHOICE = "choice", _("单项选择")
    YES_NO = "yes_no", _("是/否")


class MatterField(RulesInCleanMixin, models.Model):
    """One field of the matter's application form (申请表), asked when the citizen applies online. Part of the
    matter version like its materials: a new version copies each field with its key, so a draft started under
    one version keeps its answers under the next wherever the key is the same."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="form_fields")
    position = models.PositiveSmallIntegerField(default=0)
    key = models.SlugField(_("字段标识"), max_length=64)
    label = models.CharField(_("字段名称"), max_length=100)
    kind = models.CharField(_("字段类型"), max_length=16, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField(_("必填"), default=True)
    choices = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("可选项"),
        default=list,
        blank=True,
        help_text=_("仅“单项选择”使用，用逗号分隔。"),
    )
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["matter", "position", "id"]
        verbose_name = _("申请表字段")
        verbose_name_plural = _("申请表字段")
        constraints = [
            models.UniqueConstraint(
                fields=["matter", "key"],
                name="matter_field_key_unique",
                violation_error_message=_("同一事项内申请表字段标识须唯一。"),
            ),
            models.CheckConstraint(condition=models.Q(kind__in=FieldKind.values), name="matter_field_kind_valid"),
            # A choice has something to choose from; other kinds have no list.
            models.CheckConstraint(
                condition=models.Q(kind=FieldKind.CHOICE, choices__len__gte=2)
                | (~models.Q(kind=FieldKind.CHOICE) & models.Q(choices=[])),
                name="matter_field_choices_for_choice",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def rule_errors(self) -> list[str]:
        return rules.one_field_errors(self)
