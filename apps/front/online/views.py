"""Pages of online applications: the citizen applies (draft, uploads, submit, complete after a notice), and the
hall clerk pre-reviews (the queue with its limit colours, one application, its outcome)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.front.intake.services import case_prereview_accept, case_prereview_notice, case_prereview_refuse
from apps.front.intake.shared import licences_fetch
from apps.shared.accounts.models import Role
from apps.shared.catalog.models import MaterialSource
from apps.shared.catalog.selectors import matter_get
from apps.shared.privacy.consents import current_text
from apps.shared.privacy.models import ConsentPurpose
from govservice.api import DomainError, status_for
from govservice.roles import role_required

from . import services
from .forms import ApplicationForm, ForWhomForm, PrereviewForm, StartForm, form_errors
from .responses import material_response
from .selectors import (
    HELD,
    applicant_for,
    application_file_get,
    application_get_for_user,
    applications_for_user,
    bundle_application_get_for_user,
    bundle_checklist,
    bundle_fields,
    bundle_get,
    bundle_halls,
    bundle_matters,
    bundle_status,
    bundles_active,
    checklist_for,
    form_fields_of,
    online_allowed,
    online_halls,
    prereview_case,
    prereview_queue,
)
from .services import DECLARATION, FormInvalid


def _citizen_only(request):
    if request.user.role != Role.CITIZEN:
        return render(request, "error.html", {"message": _("网上申报仅限实名认证的个人办理。")}, status=403)
    return None


def _applicant(request):
    """Whose application: the signed-in person's, or (``?for=``, the principal's account id) someone they act
    for (404 for anyone who never authorised them; the mandates' rule then says whether they may)."""
    form = ForWhomForm(request.GET)
    return applicant_for(actor=request.user, principal_id=form.cleaned_data["for"] if form.is_valid() else None)


@login_required
def start(request, code):
    """The matter's "apply online" entry: resume the draft, or start one at the chosen hall (for oneself, or for
    someone one acts for: ``?for=``)."""
    refused = _citizen_only(request)
    if refused:
        return refused
    matter = matter_get(code=code)
    applicant = _applicant(request)
    halls = online_halls(matter) if online_allowed(matter) else []
    status = 200
    if request.method == "POST":
        form = StartForm(request.POST)
        if form.is_valid():
            try:
                application, _created = services.application_start(
                    applicant=applicant,
                    actor=request.user,
                    matter_code=matter.code,
                    hall_id=form.cleaned_data["hall"],
                )
            except DomainError as exc:
                messages.error(request, str(exc.detail))
                status = status_for(exc)
            else:
                return redirect("online_application", code=application.code)
        else:
            for error in form_errors(form):
                messages.error(request, error)
            status = 400
    elif len(halls) == 1 or not online_allowed(matter):
        # One hall (or the refusal to say why not): nothing to choose, go straight on.
        try:
            application, _created = services.application_start(
                applicant=applicant, actor=request.user, matter_code=matter.code
            )
        except DomainError as exc:
            messages.error(request, str(exc.detail))
            status = status_for(exc)
        else:
            return redirect("online_application", code=application.code)
    return render(
        request, "online/start.html", {"matter": matter, "halls": halls, "applicant": applicant}, status=status
    )


@login_required
def my_applications(request):
    return render(request, "online/mine.html", {"applications": applications_for_user(user=request.user)[:100]})


def _shown(value) -> str:
    """An answer as the page's input holds it (yes/no as the select's true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _page(request, application, *, form=None, field_errors=None, status=200):
    items = checklist_for(application)
    values = form.answers() if form is not None and form.is_valid() else application.form_values
    errors = field_errors or {}
    return render(
        request,
        "online/application.html",
        {
            "application": application,
            "case": application.case,
            "rows": [(f, _shown(values.get(f.key)), errors.get(f.key, "")) for f in form_fields_of(application.matter)],
            "items": items,
            "held": [item for item in items if item.state == HELD],
            "halls": online_halls(application.matter) if application.is_draft else [],
            "declaration": _(DECLARATION),
            "consent_text": current_text(ConsentPurpose.VAULT_REUSE).text,
            # What government issued and the vault does not hold yet: the applicant may fetch it here (issue 15,
            # "taken from the evidence vault or e-licences"). Never for an agent: an agent's application takes
            # nothing from the principal's vault.
            "licences_to_fetch": application.editable
            and application.applicant_id == request.user.pk
            and any(item.material.source == MaterialSource.GOVERNMENT and item.state != HELD for item in items),
        },
        status=status,
    )


@login_required
@require_POST
def application_licences(request, code):
    """The applicant lets this platform fetch, from the e-licence libraries of the centrals it knows, the licences
    their application needs (the guide page's fetch, for this application): the checklist then marks them as not
    needed, with the consent recorded against the application."""
    application = application_get_for_user(user=request.user, code=code)
    if application.applicant_id != request.user.pk:
        messages.error(request, _("代办人不能调取申请人的电子证照。"))
    elif not application.editable:
        messages.error(request, _("申请已提交，不能再调取证照。"))
    else:
        try:
            fetched = licences_fetch(
                citizen=request.user,
                matter=application.matter,
                reference=f"online:{application.code}",
                purpose=_("网上申报：%(matter)s") % {"matter": application.matter.name},
                consent_given=request.POST.get("consent") == "1",
            )
        except DomainError as exc:
            messages.error(request, str(exc.detail))
        else:
            for level, text in fetched.outcome():
                messages.add_message(request, level, text)
    return redirect(reverse("online_application", args=[application.code]) + "#checklist")


@login_required
def application(request, code):
    """The application: the form, the checklist with uploads, the way home of the result, the declaration; saved
    as a draft or submitted. After a one-time notice the same page completes and resubmits it."""
    application = application_get_for_user(user=request.user, code=code)
    if request.method != "POST":
        return _page(request, application)
    form = ApplicationForm(request.POST, fields=form_fields_of(application.matter))
    if not form.is_valid():
        for error in form_errors(form):
            messages.error(request, error)
        return _page(request, application, status=400)
    try:
        if request.POST.get("remove_file", "").isdecimal():
            services.application_file_remove(actor=request.user, code=code, file_id=int(request.POST["remove_file"]))
        # Each file is kept as soon as it is checked: a later problem in the form loses none of them.
        for material in application.matter.materials.all():
            for upload in request.FILES.getlist(f"material_{material.key}"):
                services.application_upload(actor=request.user, code=code, material_key=material.key, upload=upload)
        services.application_update(
            actor=request.user,
            code=code,
            form_values=form.answers(),
            delivery=form.delivery() if application.is_draft else None,
            hall_id=int(request.POST["hall"])
            if application.is_draft and request.POST.get("hall", "").isdecimal()
            else None,
        )
        if form.cleaned_data["action"] == "submit":
            application, password = services.application_submit(
                actor=request.user,
                code=code,
                declaration=form.cleaned_data["declaration"],
                vault_consent=form.cleaned_data["vault_consent"],
            )
            return render(
                request,
                "online/submitted.html",
                {"application": application, "case": application.case, "password": password},
            )
        messages.success(request, _("已保存。"))
        return redirect("online_application", code=code)
    except FormInvalid as exc:
        messages.error(request, str(exc.message))
        fresh = application_get_for_user(user=request.user, code=code)
        return _page(request, fresh, form=form, field_errors=exc.errors, status=status_for(exc))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        fresh = application_get_for_user(user=request.user, code=code)
        return _page(request, fresh, form=form, status=status_for(exc))


@login_required
@require_POST
def discard(request, code):
    try:
        services.application_discard(actor=request.user, code=code)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("online_application", code=code)
    messages.success(request, _("草稿已删除。"))
    return redirect("online_mine")


@login_required
def application_file(request, code, file_id):
    row = application_file_get(user=request.user, code=code, file_id=file_id)
    return material_response(row.file, row.content_type, f"file-{row.id}")


# --- The hall's pre-review ----------------------------------------------------------------------------------


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def prereview_queue_page(request):
    today = timezone.localdate()
    queue = [(case, case.prereview_colour(today)) for case in prereview_queue(user=request.user)[:200]]
    waiting = list(prereview_queue(user=request.user, waiting=True)[:200])
    return render(request, "online/prereview_queue.html", {"queue": queue, "waiting": waiting})


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def prereview_page(request, number):
    reading = prereview_case(user=request.user, number=number)
    status = 200
    if request.method == "POST":
        form = PrereviewForm(request.POST)
        if not form.is_valid():
            for error in form_errors(form):
                messages.error(request, error)
            status = 400
        else:
            data = form.cleaned_data
            try:
                if data["action"] == "accept":
                    case_prereview_accept(clerk=request.user, number=number)
                    done = _("已受理，受理凭证已在网上送达申请人，办件已转交审批总后台。")
                elif data["action"] == "notice":
                    case_prereview_notice(clerk=request.user, number=number, items=data["items"])
                    done = _("已出具一次性告知书，申请人将在网上补正后重新提交。")
                else:
                    case_prereview_refuse(
                        clerk=request.user, number=number, reason=data["reason"], refer_to=data["refer_to"]
                    )
                    done = _("已出具不予受理通知书。")
            except DomainError as exc:
                messages.error(request, str(exc.message))
                status = status_for(exc)
            else:
                messages.success(request, done)
                return redirect("prereview_case", number=number)
        reading = prereview_case(user=request.user, number=number)
    today = timezone.localdate()
    case = reading.case
    return render(
        request,
        "online/prereview_case.html",
        {
            "case": case,
            "application": reading.application,
            "answers": reading.answers,
            "received": case.materials.all(),
            "colour": case.prereview_colour(today),
            "limit_passed": case.intake_limit_passed(today),
        },
        status=status,
    )


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def prereview_material(request, number, material_id):
    reading = prereview_case(user=request.user, number=number)
    material = reading.case.materials.filter(id=material_id).first()
    if material is None or not material.file:
        raise Http404
    return material_response(material.file, material.content_type, f"material-{material.id}")


# --- 一件事一次办: bundles -------------------------------------------------------------------------------------


def bundles(request):
    """The life-event bundles (一件事) that can be applied for online in one go."""
    return render(
        request,
        "online/bundles.html",
        {
            "bundles": [
                (bundle, [m for _item, m in bundle_matters(bundle)], list(bundle.items.all()))
                for bundle in bundles_active()
            ]
        },
    )


@login_required
def bundle_start(request, code):
    refused = _citizen_only(request)
    if refused:
        return refused
    bundle = bundle_get(code)
    halls = bundle_halls([m for _item, m in bundle_matters(bundle)])
    status = 200
    if request.method == "POST" or len(halls) <= 1:
        form = StartForm(request.POST or None)
        hall_id = form.cleaned_data["hall"] if request.method == "POST" and form.is_valid() else None
        try:
            application, _created = services.bundle_application_start(
                applicant=request.user, actor=request.user, bundle_code=bundle.code, hall_id=hall_id
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            status = status_for(exc)
        else:
            return redirect("bundle_application", code=application.code)
    return render(request, "online/bundle_start.html", {"bundle": bundle, "halls": halls}, status=status)


def _bundle_page(request, application, *, form=None, field_errors=None, status=200):
    matters = [m for _item, m in bundle_matters(application.bundle)]
    values = form.answers() if form is not None and form.is_valid() else application.form_values
    errors = field_errors or {}
    items = bundle_checklist(application)
    return render(
        request,
        "online/bundle_application.html",
        {
            "application": application,
            "matters": matters,
            "rows": [(f, _shown(values.get(f.key)), errors.get(f.key, "")) for f in bundle_fields(matters)],
            "items": items,
            "held": [item for item in items if item.state == HELD],
            "halls": bundle_halls(matters) if application.is_draft else [],
            "status": bundle_status(application),
            "declaration": _(DECLARATION),
            "consent_text": current_text(ConsentPurpose.VAULT_REUSE).text,
        },
        status=status,
    )


@login_required
def bundle_application(request, code):
    """The bundle application: one form, one checklist, one delivery choice, one declaration; once submitted, one
    status with each matter's."""
    application = bundle_application_get_for_user(user=request.user, code=code)
    if request.method != "POST":
        return _bundle_page(request, application)
    matters = [m for _item, m in bundle_matters(application.bundle)]
    form = ApplicationForm(request.POST, fields=bundle_fields(matters))
    if not form.is_valid():
        for error in form_errors(form):
            messages.error(request, error)
        return _bundle_page(request, application, status=400)
    keys = list(dict.fromkeys(m.key for matter in matters for m in matter.materials.all()))
    try:
        if request.POST.get("remove_file", "").isdecimal():
            services.bundle_file_remove(actor=request.user, code=code, file_id=int(request.POST["remove_file"]))
        for key in keys:
            for upload in request.FILES.getlist(f"material_{key}"):
                services.bundle_upload(actor=request.user, code=code, material_key=key, upload=upload)
        services.bundle_application_update(
            actor=request.user,
            code=code,
            form_values=form.answers(),
            delivery=form.delivery(),
            hall_id=int(request.POST["hall"]) if request.POST.get("hall", "").isdecimal() else None,
        )
        if form.cleaned_data["action"] == "submit":
            services.bundle_application_submit(
                actor=request.user,
                code=code,
                declaration=form.cleaned_data["declaration"],
                vault_consent=form.cleaned_data["vault_consent"],
            )
            messages.success(request, _("一件事已提交，各事项分别受理、并联办理，请在本页查看进度。"))
        else:
            messages.success(request, _("已保存。"))
        return redirect("bundle_application", code=code)
    except FormInvalid as exc:
        messages.error(request, str(exc.message))
        fresh = bundle_application_get_for_user(user=request.user, code=code)
        return _bundle_page(request, fresh, form=form, field_errors=exc.errors, status=status_for(exc))
    except DomainError as exc:
        messages.error(request, str(exc.message))
        fresh = bundle_application_get_for_user(user=request.user, code=code)
        return _bundle_page(request, fresh, form=form, status=status_for(exc))


@login_required
def bundle_file(request, code, file_id):
    application = bundle_application_get_for_user(user=request.user, code=code)
    row = application.files.filter(id=file_id).first()
    if row is None:
        raise Http404
    return material_response(row.file, row.content_type, f"file-{row.id}")
