"""Catalog administration. A matter is never edited in place: saving the form makes a new version
through ``matter_save`` (the old one stays, read-only, for the cases made under it)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .halls import unknown_hall_codes
from .models import Bundle, BundleItem, Channel, Department, FeeItem, LifeEvent, Material, Matter, MatterField, Synonym
from .rules import bundle_errors, fee_errors, field_errors, material_errors
from .services import ImportRefused, MatterDraft, catalog_export, catalog_import, matter_save, matters_for_export
from .services.versions import FEE_FIELDS, FORM_FIELD_FIELDS, MATERIAL_FIELDS, MATTER_FIELDS

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class CatalogImportForm(forms.Form):
    """The catalog import page: a JSON or CSV file (the export's format), its format, a change note."""

    file = forms.FileField(error_messages={"required": gettext_lazy("请选择要导入的文件。")})
    format = forms.ChoiceField(choices=[("", ""), ("json", "JSON"), ("csv", "CSV")], required=False)
    change_note = forms.CharField(max_length=200, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(gettext_lazy("文件过大（上限 20 MB）。"))
        return upload

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None and not data.get("format"):
            # No format chosen: the file's extension says.
            data["format"] = "csv" if upload.name.lower().endswith(".csv") else "json"
        return data


class MatterAdminForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("办理渠道"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    life_events = forms.MultipleChoiceField(
        label=gettext_lazy("人生事件"), choices=LifeEvent.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    receiving_halls = SimpleArrayField(
        forms.CharField(max_length=16),
        label=gettext_lazy("可收件大厅（编码）"),
        required=False,
        help_text=gettext_lazy("大厅编码，用逗号分隔；留空表示所有大厅均可收件。"),
    )
    change_note = forms.CharField(label=gettext_lazy("变更说明"), max_length=200, required=False)

    class Meta:
        model = Matter
        fields = ["code", "department", "change_note", *MATTER_FIELDS]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        # A new matter only: an existing one gets its next version by editing it, not by a second "add".
        if self.instance.pk is None and Matter.objects.filter(code=code).exists():
            raise ValidationError(_("该实施编码的事项已存在；要修改请编辑现行版本，保存后会生成新版本。"))
        return code

    def clean_receiving_halls(self) -> list[str]:
        codes = self.cleaned_data.get("receiving_halls") or []
        unknown = unknown_hall_codes(codes)
        if unknown:
            raise ValidationError(_("没有这些大厅：%(codes)s。") % {"codes": "、".join(unknown)})
        return codes


class MaterialFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [f.instance for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        errors = material_errors(kept)
        if errors:
            raise ValidationError(errors)


class FeeItemFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [f.instance for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        # The matter form's values are already on self.instance when the inlines are checked.
        errors = fee_errors(charged=bool(self.instance.charged), fees=kept)
        if errors:
            raise ValidationError(errors)


class MatterFieldFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [f.instance for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        errors = field_errors(kept)
        if errors:
            raise ValidationError(errors)


class MatterFieldInline(admin.TabularInline):
    """The online application form (issue 15): saved with the matter as part of its new version."""

    model = MatterField
    formset = MatterFieldFormSet
    extra = 0
    fields = ["position", "key", "label", "kind", "required", "choices", "help_text"]


class MaterialInline(admin.StackedInline):
    model = Material
    formset = MaterialFormSet
    extra = 0
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [
        ("position", "key", "name"),
        ("form", "originals", "copies", "required", "deferrable"),
        ("source", "issuer"),
        "notes",
        ("blank_form_url", "sample_url"),
        "acceptance_standard",
    ]


class FeeItemInline(admin.TabularInline):
    model = FeeItem
    formset = FeeItemFormSet
    extra = 0
    fields = ["position", "name", "amount", "unit", "notes"]


class BundleItemFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [f.instance for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        bundle = self.instance
        errors = bundle_errors(kept, online=bundle.online_submission, visit=bundle.hall_visit)
        if errors:
            raise ValidationError(errors)


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    formset = BundleItemFormSet
    extra = 0
    fields = ["position", "matter_code", "after"]


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    """一件事一次办 (issue 15): a life event's matters, by code, and which waits for which."""

    list_display = ["name", "code", "life_event", "online_submission", "hall_visit", "is_active"]
    list_filter = ["life_event", "is_active", "online_submission", "hall_visit"]
    search_fields = ["name", "code"]
    inlines = [BundleItemInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "credit_code"]
    search_fields = ["name", "code"]


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin):
    list_display = ["__str__", "note"]
    search_fields = ["terms"]


def _forms_kept(formset) -> list:
    rows = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
    return [f.instance for f in sorted(rows, key=lambda f: f.cleaned_data.get("position") or 0)]


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    form = MatterAdminForm
    list_display = [
        "name",
        "code",
        "version",
        "is_current",
        "department",
        "case_kind",
        "online_depth",
        "trips",
        "bookable",
    ]
    list_filter = [
        "is_current",
        "department",
        "target",
        "case_kind",
        "online_depth",
        "remote_ok",
        "bookable",
        "agents_allowed",
    ]
    search_fields = ["name", "code", "keywords"]
    inlines = [MaterialInline, FeeItemInline, MatterFieldInline]
    readonly_fields = ["version_history"]
    actions = ["export_json", "export_csv"]
    change_list_template = "catalog/admin_matter_changelist.html"
    fieldsets = [
        (
            gettext_lazy("基本信息"),
            {
                "fields": [
                    "code",
                    "basic_code",
                    "name",
                    "department",
                    "matter_type",
                    "level",
                    "target",
                    "agents_allowed",
                    "version_history",
                ]
            },
        ),
        (
            gettext_lazy("时限"),
            {"fields": ["case_kind", "legal_days", "promised_days", "correction_restarts_clock", "joint_handling"]},
        ),
        (
            gettext_lazy("办理方式"),
            {
                "fields": [
                    "channels",
                    "online_depth",
                    "trips",
                    "trips_reason",
                    "bookable",
                    "remote_ok",
                    "remote_window",
                    "receiving_halls",
                ]
            },
        ),
        (gettext_lazy("收费"), {"fields": ["charged", "fee_description", "fee_basis", "fee_waivable"]}),
        (gettext_lazy("办理结果"), {"fields": ["result_name", "result_kind", "e_licence"]}),
        (gettext_lazy("查找与说明"), {"fields": ["life_events", "keywords", "description", "change_note"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department")

    def has_change_permission(self, request, obj=None):
        # Past versions are history: cases point at them. They are viewed, never changed.
        if obj is not None and not obj.is_current:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        # The code names the matter across versions: fixed once the matter exists.
        return ["code", "version_history"] if obj is not None else ["version_history"]

    @admin.display(description=gettext_lazy("版本"))
    def version_history(self, obj: Matter) -> str:
        if obj is None or obj.pk is None:
            return "—"
        versions = (
            Matter.objects.filter(code=obj.code)
            .order_by("-version")
            .values_list("id", "version", "is_current", "created_at", "change_note")
        )
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">v{}</a>{} · {} {}</li>',
                (
                    (
                        reverse("admin:catalog_matter_change", args=[pk]),
                        version,
                        _("（现行）") if current else "",
                        timezone.localtime(created).strftime("%Y-%m-%d %H:%M"),
                        note,
                    )
                    for pk, version, current, created, note in versions
                ),
            ),
        )

    def save_model(self, request, obj, form, change):
        """Nothing here: the version is written with its materials and fees in save_related."""

    def save_related(self, request, form, formsets, change):
        by_model = {fs.model: fs for fs in formsets}
        edited = form.instance
        draft = MatterDraft(
            matter=Matter(
                code=edited.code, department=edited.department, **{n: getattr(edited, n) for n in MATTER_FIELDS}
            ),
            materials=[
                Material(**{n: getattr(m, n) for n in MATERIAL_FIELDS}) for m in _forms_kept(by_model[Material])
            ],
            fees=[FeeItem(**{n: getattr(f, n) for n in FEE_FIELDS}) for f in _forms_kept(by_model[FeeItem])],
            fields=[
                MatterField(**{n: getattr(f, n) for n in FORM_FIELD_FIELDS}) for f in _forms_kept(by_model[MatterField])
            ],
        )
        saved, outcome = matter_save(draft=draft, change_note=form.cleaned_data.get("change_note", ""))
        for formset in formsets:
            # What the admin's change message reads; the rows were written by matter_save.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        # The admin's redirect and log entry follow the object it passed in: point it at the new version.
        edited.pk, edited.id, edited.version = saved.pk, saved.pk, saved.version
        if outcome == "versioned":
            messages.info(
                request, _("已生成新版本 v%(v)s；原版本保留，已受理的办件仍按原版本办理。") % {"v": saved.version}
            )
        elif outcome == "unchanged":
            messages.info(request, _("内容没有变化，未生成新版本。"))

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_matter_import"),
            path("export/<str:fmt>/", self.admin_site.admin_view(self.export_all_view), name="catalog_matter_export"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        errors: list[str] = []
        if request.method == "POST":
            form = CatalogImportForm(request.POST, request.FILES)
            if not form.is_valid():
                errors = [str(message) for messages_ in form.errors.values() for message in messages_]
            else:
                data = form.cleaned_data
                try:
                    report = catalog_import(data["file"].read(), fmt=data["format"], change_note=data["change_note"])
                except ImportRefused as refused:
                    errors = refused.errors
                else:
                    self.message_user(request, report.summary(), messages.SUCCESS)
                    return HttpResponseRedirect(reverse("admin:catalog_matter_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("导入事项目录"),
            "opts": self.model._meta,
            "errors": errors,
        }
        return render(request, "catalog/admin_import.html", context, status=400 if errors else 200)

    def export_all_view(self, request, fmt):
        if fmt not in ("json", "csv") or not self.has_view_permission(request):
            return HttpResponse(status=404)
        return _download(catalog_export(matters_for_export(), fmt=fmt), fmt)

    @admin.action(description=gettext_lazy("导出所选事项（JSON）"))
    def export_json(self, request, queryset):
        return _download(
            catalog_export(matters_for_export(codes=queryset.values_list("code", flat=True)), fmt="json"), "json"
        )

    @admin.action(description=gettext_lazy("导出所选事项（CSV）"))
    def export_csv(self, request, queryset):
        return _download(
            catalog_export(matters_for_export(codes=queryset.values_list("code", flat=True)), fmt="csv"), "csv"
        )


def _download(text: str, fmt: str) -> HttpResponse:
    if fmt == "csv":
        # A BOM so that Excel opens the Chinese text as UTF-8.
        response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(text, content_type="application/json; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="catalog-{stamp}.{fmt}"'
    return response
