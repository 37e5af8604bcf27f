"""Loading a registry file on a page (issue 13), for central supervisors and administrators: the file, what
came of it (rows added, updated, refused by line), and the loads before it."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from govservice.roles import role_required

from .models import RegistryCompany, RegistryLoad, RegistryPerson
from .services import registry_file_load

# A registry extract is a few megabytes; the site's body limit (REQUEST_BODY_MAX_BYTES) is the outer bound.
MAX_BYTES = 20 * 1024 * 1024


class LoadForm(forms.Form):
    kind = forms.ChoiceField(
        choices=RegistryLoad.Kind.choices,
        error_messages=dict.fromkeys(
            ("required", "invalid_choice"), gettext_lazy("请选择导入人口信息还是企业登记信息。")
        ),
    )
    file = forms.FileField(
        error_messages=dict.fromkeys(("required", "invalid", "empty"), gettext_lazy("请选择要导入的文件。"))
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(gettext_lazy("文件过大（不超过20MB）。"))
        return upload


def _page(request, form: LoadForm, *, status: int = 200, error: str = "", load: RegistryLoad | None = None):
    context = {
        "form": form,
        "error": error,
        "load": load,
        "loads": RegistryLoad.objects.select_related("loaded_by")[:20],
        "people": RegistryPerson.objects.count(),
        "companies": RegistryCompany.objects.count(),
    }
    return render(request, "registry/load.html", context, status=status)


@role_required(Role.CENTRAL_SUPERVISOR, Role.ADMIN)
def registry_load_page(request):
    if request.method != "POST":
        return _page(request, LoadForm())
    form = LoadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400, error=next(str(m) for errors in form.errors.values() for m in errors))
    upload = form.cleaned_data["file"]
    try:
        load = registry_file_load(
            actor=request.user, kind=form.cleaned_data["kind"], file_name=upload.name, content=upload.read()
        )
    except DomainError as exc:
        return _page(request, form, status=status_for(exc), error=str(exc.detail))
    return _page(request, LoadForm(), load=load)
