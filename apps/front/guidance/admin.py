"""Administrators edit the guided questions of a matter: options for single-choice questions and the
rules that add or leave out materials (by the material's stable key)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.shared.catalog.models import Material, Matter

from .models import YES_NO_OPTIONS, Checklist, Option, Question, QuestionKind, Rule


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


class RuleFormSet(forms.BaseInlineFormSet):
    """Each rule must answer with one of the question's options and name a material of the matter's
    current version: a rule that can never fire would leave a citizen without a paper they need."""

    def clean(self):
        super().clean()
        question = self.instance
        kind = self.data.get("kind", question.kind)
        if kind == QuestionKind.YES_NO:
            answers = {value for value, _label in YES_NO_OPTIONS}
        else:
            # The options as submitted on the same page (they are saved together with the rules).
            answers = set()
            total = int(self.data.get("options-TOTAL_FORMS", 0) or 0)
            for index in range(total):
                value = self.data.get(f"options-{index}-value", "").strip()
                if value and not self.data.get(f"options-{index}-DELETE"):
                    answers.add(value)
        matter_code = self.data.get("matter_code", question.matter_code)
        matter = Matter.objects.filter(code=matter_code, is_current=True).first()
        keys = set(Material.objects.filter(matter=matter).values_list("key", flat=True)) if matter else set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            answer = form.cleaned_data.get("answer")
            if answer not in answers:
                form.add_error(
                    "answer",
                    _("“%(a)s”不是该问题的选项（可选：%(all)s）。")
                    % {"a": answer, "all": "、".join(sorted(answers)) or "—"},
                )
            key = form.cleaned_data.get("material_key")
            if key not in keys:
                form.add_error(
                    "material_key",
                    _("事项当前版本没有标识为“%(k)s”的材料（现有：%(all)s）。")
                    % {"k": key, "all": "、".join(sorted(keys)) or "—"},
                )
        if any(form.errors for form in self.forms):
            raise ValidationError(_("请更正导办规则中的错误。"))


class RuleInline(admin.TabularInline):
    model = Rule
    formset = RuleFormSet
    extra = 0


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["matter_code", "key", "position", "text", "help_text", "kind", "active"]

    def clean_matter_code(self):
        code = self.cleaned_data["matter_code"]
        if not Matter.objects.filter(code=code, is_current=True).exists():
            raise ValidationError(_("没有实施编码为“%(code)s”的现行事项。") % {"code": code})
        return code


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ["text", "matter_code", "key", "kind", "position", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["text", "matter_code", "key"]
    inlines = [OptionInline, RuleInline]


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["code", "matter", "citizen", "appointment", "created_at"]
    readonly_fields = ["code", "citizen", "matter", "answers", "items", "appointment", "created_at"]
    search_fields = ["code"]
