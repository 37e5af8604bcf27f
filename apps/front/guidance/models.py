"""Guided questions (智能导办) and the citizen's personal checklist (DOMAIN.md §6, issue #6 point 4).

Questions belong to a matter by its implementation code, and rules name a material by its stable
``Material.key``: both survive a new matter version, so an administrator edits the catalog without
rewriting the questions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.shared.catalog.models import Matter


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", _("是/否")
    CHOICE = "choice", _("单选")


# The two answers of a yes/no question; choice questions list their own options.
YES, NO = "yes", "no"
YES_NO_OPTIONS = ((YES, _("是")), (NO, _("否")))


class Question(models.Model):
    matter_code = models.CharField(_("事项实施编码"), max_length=64, db_index=True)
    key = models.SlugField(_("问题标识"), max_length=64)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    text = models.CharField(_("问题"), max_length=200)
    help_text = models.CharField(_("说明"), max_length=300, blank=True)
    kind = models.CharField(_("类型"), max_length=8, choices=QuestionKind.choices, default=QuestionKind.YES_NO)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["matter_code", "position", "id"]
        verbose_name = _("导办问题")
        verbose_name_plural = _("导办问题")
        constraints = [models.UniqueConstraint(fields=["matter_code", "key"], name="guidance_question_key_unique")]

    def __str__(self) -> str:
        return self.text

    def option_list(self) -> list[tuple[str, str]]:
        """(value, label) pairs the citizen may answer with. Uses prefetched options when present."""
        if self.kind == QuestionKind.YES_NO:
            return [(value, str(label)) for value, label in YES_NO_OPTIONS]
        return [(o.value, o.label) for o in self.options.all()]


class Option(models.Model):
    """One answer of a single-choice question."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    value = models.SlugField(_("选项标识"), max_length=32)
    label = models.CharField(_("选项"), max_length=100)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("选项")
        verbose_name_plural = _("选项")
        constraints = [models.UniqueConstraint(fields=["question", "value"], name="guidance_option_value_unique")]

    def __str__(self) -> str:
        return self.label


class RuleEffect(models.TextChoices):
    INCLUDE = "include", _("需要提交")
    EXCLUDE = "exclude", _("无需提交")


class Rule(models.Model):
    """When the question is answered ``answer``, the material ``material_key`` is needed (or not), in
    this variant (a note and counts that replace the catalog's for this citizen)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="rules")
    answer = models.SlugField(_("回答"), max_length=32, help_text=_("是/否问题填 yes 或 no；单选题填选项标识"))
    material_key = models.SlugField(_("材料标识"), max_length=64)
    effect = models.CharField(_("效果"), max_length=8, choices=RuleEffect.choices, default=RuleEffect.INCLUDE)
    note = models.CharField(_("情形说明"), max_length=300, blank=True)
    originals = models.PositiveSmallIntegerField(_("原件份数（覆盖）"), null=True, blank=True)
    copies = models.PositiveSmallIntegerField(_("复印件份数（覆盖）"), null=True, blank=True)

    class Meta:
        ordering = ["question", "id"]
        verbose_name = _("导办规则")
        verbose_name_plural = _("导办规则")

    def __str__(self) -> str:
        return f"{self.question.key}={self.answer} → {self.get_effect_display()} {self.material_key}"


class Checklist(models.Model):
    """A personal checklist: the answers given and the list they produced, fixed when saved. A citizen's
    list is theirs alone; an anonymous one is reached by its code (the shareable link)."""

    code = models.CharField(_("清单码"), max_length=12, unique=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="guidance_checklists"
    )
    # The version the list was made from; a later version shows a "the guide has changed" notice.
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(_("回答"), default=dict, blank=True)
    items = models.JSONField(_("清单"), default=list, blank=True)
    # Carried into a booking (and from there into the online pre-filing).
    appointment = models.ForeignKey(
        "booking.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="guidance_checklists"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("个人办事清单")
        verbose_name_plural = _("个人办事清单")

    def __str__(self) -> str:
        return self.code
