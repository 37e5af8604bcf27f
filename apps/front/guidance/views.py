"""Citizen pages: the matter guide with its one-time checklist (一次性告知单), the guided questions
(智能导办) and the personal checklist they produce: saved, printed as a PDF, carried into a booking."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.front.booking.forms import BookForm, first_error
from apps.front.booking.models import GreenCategory
from apps.front.booking.selectors import halls_for_matter, slot_picker
from apps.front.booking.views import picker_template
from apps.front.consult.selectors import faq_for_matter
from apps.front.intake.shared import licences_fetch
from apps.shared.accounts.models import Role
from apps.shared.catalog.models import MaterialSource, Matter
from apps.shared.privacy.consents import current_text
from apps.shared.privacy.models import ConsentPurpose
from govservice.api import DomainError, status_for
from govservice.lib.codes import form_idempotency_key
from govservice.lib.pdf import qr_data_uri, render_pdf
from govservice.lib.ratelimit import hit
from govservice.roles import role_required
from govservice.throttling import client_ip

from .forms import GuidedAnswersForm
from .models import Checklist
from .selectors import (
    IF_APPLICABLE,
    NEEDED,
    NOT_NEEDED,
    checklist_get,
    checklists_for_citizen,
    current_matter,
    matter_checklist,
    next_steps,
    questions_for_matter,
    vault_marks,
    with_marks,
)
from .services import checklist_book, checklist_save


def _guide_context(request, matter) -> dict:
    marks = vault_marks(user=request.user, matter=matter)
    return {
        "matter": matter,
        "shared_licences": any(m.source == MaterialSource.GOVERNMENT for m in matter.materials.all()),
        "consent_text": current_text(ConsentPurpose.VAULT_REUSE).text,
        "items": with_marks(matter_checklist(matter).items, marks),
        "halls": list(halls_for_matter(matter.code)),
        "steps": next_steps(matter),
        "logged_in_citizen": request.user.is_authenticated and request.user.role == Role.CITIZEN,
    }


def matter_guide(request, code):
    """The guide (GB/T 39046 fields a citizen needs), the one-time checklist, and the guided questions;
    answering them (POST) saves a personal checklist."""
    matter = current_matter(code)
    questions = questions_for_matter(matter.code)
    form = GuidedAnswersForm(questions, request.POST if request.method == "POST" else None)
    chosen = form.answers()
    error, error_status = "", 200
    if request.method == "POST" and not form.is_valid():
        # Only an answer longer than any option fails here; the service says which answers are allowed.
        error, error_status = _("请从选项中选择答案。"), 400
    elif request.method == "POST":
        try:
            checklist = checklist_save(
                matter_code=matter.code, raw_answers=chosen, user=request.user, ip=client_ip(request)
            )
        except DomainError as exc:
            error, error_status = str(exc.detail), status_for(exc)
        else:
            return redirect("checklist", code=checklist.code)
    context = _guide_context(request, matter) | {
        "questions": questions,
        "chosen": chosen,
        "error": error,
        "faq": faq_for_matter(matter.code),
    }
    return render(request, "guidance/guide.html", context, status=error_status if error else 200)


@role_required(Role.CITIZEN)
@require_POST
def matter_licences(request, code):
    """The citizen lets this platform fetch their licences the matter needs from the libraries of the centrals
    it knows (电子证照库, issue 16): the checklist then marks those materials as not needed. A central that is
    away is named; the others' licences still count."""
    matter = current_matter(code)
    try:
        fetched = licences_fetch(
            citizen=request.user,
            matter=matter,
            reference=f"guide:{matter.code}",
            purpose=_("办事指南：%(matter)s") % {"matter": matter.name},
            consent_given=request.POST.get("consent") == "1",
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        for level, text in fetched.outcome():
            messages.add_message(request, level, text)
    return redirect(reverse("matter_guide", args=[matter.code]) + "#checklist")


# Rendering a PDF costs about a second of CPU: a public page must not let anyone spend that at will.
# The anonymous variant of a document is the same for everyone, so it is made once per matter version (or
# checklist), language and day and then served from the cache; a logged-in citizen's carries their own
# marks and is made each time, within the same per-address limit.
PDF_PER_MINUTE = 20
PDF_CACHE_SECONDS = 3600


def _limited_pdf(request, *, cache_key: str | None, filename: str, build) -> HttpResponse:
    allowed, retry_after = hit("guidance-pdf", client_ip(request), limit=PDF_PER_MINUTE, window_seconds=60)
    if not allowed:
        response = render(request, "error.html", {"message": _("下载过于频繁，请稍后再试。")}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    key = f"{cache_key}:{translation.get_language()}:{timezone.localdate().isoformat()}" if cache_key else None
    data = cache.get(key) if key else None
    if data is None:
        data = build()
        if key:
            cache.set(key, data, PDF_CACHE_SECONDS)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def matter_guide_pdf(request, code):
    """The one-time checklist of the matter as a PDF (with what the government already holds for a
    logged-in citizen marked as not needed)."""
    matter = current_matter(code)

    def build() -> bytes:
        context = _guide_context(request, matter) | {
            "title": _("一次性告知单"),
            "url": settings.PUBLIC_BASE_URL.rstrip("/") + reverse("matter_guide", args=[matter.code]),
            "printed_on": timezone.localdate(),
        }
        context["qr"] = qr_data_uri(context["url"])
        return render_pdf("guidance/checklist_pdf.html", context)

    personal = request.user.is_authenticated
    cache_key = None if personal else f"pdf:guide:{matter.pk}"
    return _limited_pdf(request, cache_key=cache_key, filename=f"checklist-{matter.code}.pdf", build=build)


def _checklist_context(request, checklist: Checklist) -> dict:
    matter = checklist.matter
    marks = vault_marks(user=request.user, matter=matter) if checklist.citizen_id else {}
    items = with_marks([i for i in checklist.items if i["status"] != NOT_NEEDED], marks)
    # None when the matter has been withdrawn since: the saved list stays readable, marked outdated.
    current = Matter.objects.filter(code=matter.code, is_current=True).only("id").first()
    # In the questions' order (the stored answers are a JSON object, whose key order PostgreSQL does not keep).
    answered = [
        (q.text, dict(q.option_list()).get(checklist.answers[q.key], checklist.answers[q.key]))
        for q in questions_for_matter(matter.code)
        if q.key in checklist.answers
    ]
    return {
        "checklist": checklist,
        "matter": matter,
        "items": items,
        "excluded": [i for i in checklist.items if i["status"] == NOT_NEEDED],
        "answered": answered,
        "outdated": current is None or current.id != matter.id,
        "halls": list(halls_for_matter(matter.code)),
        "steps": next_steps(matter),
        "share_url": settings.PUBLIC_BASE_URL.rstrip("/") + reverse("checklist", args=[checklist.code]),
        "NEEDED": NEEDED,
        "IF_APPLICABLE": IF_APPLICABLE,
    }


def checklist_detail(request, code):
    """A personal checklist: the owner's only, or, if made without logging in, whoever has the code."""
    checklist = checklist_get(code=code, user=request.user)
    return render(request, "guidance/checklist.html", _checklist_context(request, checklist))


def checklist_pdf(request, code):
    checklist = checklist_get(code=code, user=request.user)

    def build() -> bytes:
        context = _checklist_context(request, checklist) | {
            "title": _("个人办事清单"),
            "printed_on": timezone.localdate(),
        }
        context["url"] = context["share_url"]
        context["qr"] = qr_data_uri(context["url"])
        return render_pdf("guidance/checklist_pdf.html", context)

    # A checklist made without logging in is the same for whoever holds its code; an owner's carries marks.
    cache_key = None if checklist.citizen_id else f"pdf:checklist:{checklist.pk}"
    return _limited_pdf(request, cache_key=cache_key, filename=f"checklist-{checklist.code}.pdf", build=build)


def checklist_booking(request, code):
    """Choose a hall and a time for the matter of this checklist: booking's own time picker."""
    checklist = checklist_get(code=code, user=request.user)
    picker = slot_picker(
        matter=checklist.matter, hall_param=request.GET.get("hall", ""), day_param=request.GET.get("day", "")
    )
    template = picker_template(request, "guidance/checklist_book.html")
    context = {
        "checklist": checklist,
        "matter": checklist.matter,
        "picker": picker,
        "halls": picker.halls,
        "hall": picker.hall,
        "picker_url": reverse("checklist_booking", args=[checklist.code]),
        "book_url": reverse("checklist_book", args=[checklist.code]),
        "idempotency_key": form_idempotency_key(),
        "green_categories": GreenCategory.choices,
    }
    return render(request, template, context)


@role_required(Role.CITIZEN)
@require_POST
def checklist_book_view(request, code):
    # The slot picker is the booking page's: an error goes back there (POST, redirect, GET).
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("checklist_booking", code=code)
    try:
        appointment = checklist_book(
            citizen=request.user,
            code=code,
            slot_id=form.cleaned_data["slot"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            green_category=form.cleaned_data["green_category"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("checklist_booking", code=code)
    messages.success(request, _("预约成功！"))
    return redirect("appointment", code=appointment.code)


@role_required(Role.CITIZEN)
def my_checklists(request):
    return render(
        request, "guidance/my_checklists.html", {"checklists": checklists_for_citizen(citizen=request.user)[:100]}
    )
