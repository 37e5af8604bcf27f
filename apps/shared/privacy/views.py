"""The citizen's own personal information at /me/privacy/: consents given, the export of everything held
(PIPL Art. 45) and the deletion of the account (Art. 47)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from govservice.api import DomainError, status_for

from .consents import consents_for
from .forms import DeleteAccountForm, ExportForm
from .models import Channel, DataExport
from .permissions import is_verified_citizen
from .services import account_delete, deletion_blockers, export_json, export_zip


def _overview(request, *, form: DeleteAccountForm | None = None, error: str = "", status: int = 200) -> HttpResponse:
    user = request.user
    return render(
        request,
        "privacy/overview.html",
        {
            "consents": consents_for(user),
            "exports": DataExport.objects.filter(user=user)[:5],
            "blockers": [str(exc.detail) for exc in deletion_blockers(user)],
            "form": form or DeleteAccountForm(),
            "error": error,
        },
        status=status,
    )


def _citizen_only(request) -> HttpResponse | None:
    if not is_verified_citizen(request.user):
        return render(request, "error.html", {"message": _("只有市民账户可以使用此页面。")}, status=403)
    return None


@login_required
@require_http_methods(["GET"])
def overview(request):
    return _citizen_only(request) or _overview(request)


@login_required
@require_POST
def export(request):
    """Download everything held about me: a zip (data.json and my own files) or the JSON alone."""
    refused = _citizen_only(request)
    if refused:
        return refused
    form = ExportForm(request.POST)
    fmt = form.cleaned_data["format"] if form.is_valid() else "zip"
    stamp = timezone.localdate().isoformat()
    try:
        if fmt == "json":
            response = HttpResponse(
                export_json(user=request.user, channel=Channel.WEB), content_type="application/json; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.json"'
            return response
        return FileResponse(
            export_zip(user=request.user, channel=Channel.WEB),
            as_attachment=True,
            filename=f"my-data-{stamp}.zip",
            content_type="application/zip",
        )
    except DomainError as exc:
        response = _overview(request, error=str(exc.detail), status=status_for(exc))
        retry_after = getattr(exc, "retry_after", None)
        if retry_after:
            response["Retry-After"] = str(retry_after)
        return response


@login_required
@require_POST
def delete(request):
    """Delete my account, with my password typed again; refused while a case is open or an appointment ahead."""
    refused = _citizen_only(request)
    if refused:
        return refused
    form = DeleteAccountForm(request.POST)
    if not form.is_valid():
        return _overview(request, form=form, status=400)
    try:
        account_delete(user=request.user, password=form.cleaned_data["password"], channel=Channel.WEB)
    except DomainError as exc:
        return _overview(request, form=form, error=str(exc.detail), status=status_for(exc))
    logout(request)
    messages.success(request, _("您的账户已注销。感谢您使用云窗口。"))
    return redirect("home")
