"""The library in the admin: licences (import a file of another department's system, revoke), the offices'
keys (certificates only; the keys never show) and the record of questions."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from govservice.lib.errors import DomainError

from .models import Licence, LicenceQuery, OfficeKey
from .services import licence_revoke, licences_import, read_licence_rows


class ImportForm(forms.Form):
    file = forms.FileField(label=_("证照文件（CSV 或 JSON）"))


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=200)


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "issuer", "issued_on", "valid_until", "source", "revoked_at"]
    list_filter = ["source", "issuer"]
    search_fields = ["number", "title", "verification_code"]
    exclude = ["holder_name"]
    readonly_fields = [f.name for f in Licence._meta.fields if f.name not in ("id", "holder_name")]
    change_list_template = "admin/licences/licence/change_list.html"
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="licences_licence_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload a file of licences issued elsewhere; the rows refused are listed by line."""
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_licence_rows(upload.name, upload.read())
            except (ValueError, UnicodeDecodeError):
                form.add_error("file", _("文件无法读取：须为 UTF-8 编码的 CSV 或 JSON 列表。"))
            else:
                result = licences_import(rows)
                self.message_user(request, _("已导入 %(n)d 份证照。") % {"n": result.created}, messages.SUCCESS)
                for error in result.errors:
                    self.message_user(request, error, messages.WARNING)
                return redirect("admin:licences_licence_changelist")
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "opts": self.model._meta,
            "title": _("导入外部门证照"),
        }
        return render(request, "admin/licences/licence/import.html", context)

    @admin.action(description=_("撤销所选证照"))
    def revoke(self, request, queryset):
        form = RevokeForm(request.POST if "reason" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "form": form,
                "licences": queryset,
                "opts": self.model._meta,
                "title": _("撤销证照"),
            }
            return render(request, "admin/licences/licence/revoke.html", context)
        for licence in queryset:
            try:
                licence_revoke(
                    number=licence.number, reason=form.cleaned_data["reason"], actor=request.user.audit_label
                )
            except DomainError as exc:
                self.message_user(request, f"{licence.number}: {exc.detail}", messages.WARNING)
        return None


@admin.register(OfficeKey)
class OfficeKeyAdmin(admin.ModelAdmin):
    list_display = ["office", "name", "created_at"]
    exclude = ["key_pem"]
    readonly_fields = ["office", "name", "certificate_pem", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(LicenceQuery)
class LicenceQueryAdmin(admin.ModelAdmin):
    """Who asked the library, why, for which case, and what was given or why it was refused."""

    list_display = ["asked_at", "peer", "purpose", "reference", "matter_code", "returned", "refused"]
    list_filter = ["peer", "refused"]
    readonly_fields = [
        "peer",
        "purpose",
        "reference",
        "matter_code",
        "id_number_index",
        "keys",
        "returned",
        "refused",
        "asked_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
