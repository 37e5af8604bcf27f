"""Pages of 一件事一次办 by one booked hall visit: the bundle's visit page (a hall receiving every matter, a day,
a time of the bundle's lead matter) and the booking it sends (services/bundle_visits.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.front.booking.forms import BookForm, first_error
from apps.front.booking.selectors import MAX_ID, SlotPicker, day_choice, slots_open_for
from apps.front.booking.views import picker_template
from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from govservice.lib.codes import form_idempotency_key
from govservice.roles import role_required

from .forms import ApplicationForm
from .selectors import bundle_get
from .services import FormInvalid
from .services.bundle_visits import (
    ACCEPT,
    PartOutcome,
    bundle_visit_book,
    bundle_visit_decide,
    bundle_visit_offer,
    bundle_visit_sheet,
)
from .views import _shown


def bundle_visit(request, code):
    """Book ONE hall visit for the bundle: the halls that receive every matter, then a day and a time."""
    bundle = bundle_get(code)
    offer = bundle_visit_offer(bundle)
    if offer is None:
        raise Http404
    lead, halls = offer["lead_matter"], offer["halls"]
    hall_param = request.GET.get("hall", "")
    hall = None
    if hall_param.isdecimal() and int(hall_param) <= MAX_ID:
        hall = next((h for h in halls if h.id == int(hall_param)), None)
    elif len(halls) == 1:
        hall = halls[0]
    picker = SlotPicker(halls=halls, hall=hall)
    if hall is not None:
        days, day, times = day_choice(
            slots_open_for(hall_id=hall.id, matter_code=lead.code), request.GET.get("day", "")
        )
        picker = SlotPicker(halls=halls, hall=hall, days=days, day=day, times=times)
    return render(
        request,
        picker_template(request, "online/bundle_visit.html"),
        {
            "bundle": bundle,
            "lead": lead,
            "picker": picker,
            "halls": halls,
            "hall": hall,
            "picker_url": reverse("bundle_visit", args=[bundle.code]),
            "book_url": reverse("bundle_visit_book", args=[bundle.code]),
            "idempotency_key": form_idempotency_key(),
            "green_categories": [],
        },
    )


@login_required
@require_POST
def bundle_visit_book_view(request, code):
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("bundle_visit", code=code)
    try:
        application = bundle_visit_book(
            applicant=request.user,
            actor=request.user,
            bundle_code=code,
            slot_id=form.cleaned_data["slot"],
            idempotency_key=form.cleaned_data["idempotency_key"],
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
        return redirect("bundle_visit", code=code)
    messages.success(request, _("预约成功！请按时携带材料到大厅，窗口一次受理该一件事的全部事项。"))
    assert application.appointment is not None
    return redirect("appointment", code=application.appointment.code)


def _posted_outcomes(post, answered_now) -> tuple[PartOutcome, dict[str, PartOutcome]]:
    """The window's answer as posted: one for the whole visit, or (``outcome`` = parts) one per part answered now;
    the notice's items one per line. The service checks what they say."""

    def one(kind: str, suffix: str) -> PartOutcome:
        return PartOutcome(
            kind=kind,
            items=tuple(line.strip() for line in post.get(f"items{suffix}", "").splitlines() if line.strip()),
            reason=post.get(f"reason{suffix}", ""),
            refer_to=post.get(f"refer_to{suffix}", ""),
        )

    chosen = post.get("outcome", ACCEPT)
    if chosen != "parts":
        return one(chosen, ""), {}
    return PartOutcome(), {m.code: one(post.get(f"part_{m.code}", ACCEPT), f"_{m.code}") for m in answered_now}


OUTCOME_MESSAGES = {
    ACCEPT: gettext_lazy("已一次受理该一件事，各事项已分别生成办件并转交审批。"),
    "mixed": gettext_lazy("已按事项分别处理：受理的事项已转交审批，一次性告知书和不予受理通知书已出具。"),
}


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def bundle_ticket(request, ticket_id):
    """The window's page for a bundle's visit: the merged form and the merged checklist (each material once, with
    the matters needing it, one scan for all), and one answer for the whole visit or part by part — accept, one-time
    notice, refuse — each part its own case; once answered, the bundle's status with each part."""
    try:
        sheet = bundle_visit_sheet(clerk=request.user, ticket_id=ticket_id)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.detail}, status=status_for(exc))
    status = 200
    posted: dict = {}
    field_errors: dict = {}
    if request.method == "POST" and sheet["application"].is_draft:
        form = ApplicationForm(request.POST, fields=sheet["form"])
        posted = request.POST
        if form.is_valid():
            uploads = [
                (item.key, upload)
                for item in sheet["checklist"]
                for upload in request.FILES.getlist(f"material_{item.key}")
            ]
            answers = {key: value for key, value in form.answers().items() if value != ""}
            whole, parts = _posted_outcomes(request.POST, sheet["answered_now"])
            try:
                bundle_visit_decide(
                    clerk=request.user,
                    ticket_id=ticket_id,
                    whole=whole,
                    parts=parts,
                    form_values=answers,
                    uploads=uploads,
                    vault_consent=form.cleaned_data["vault_consent"],
                )
            except FormInvalid as exc:
                field_errors = {k: str(v) for k, v in exc.errors.items()}
                messages.error(request, str(exc.detail))
                status = 400
            except DomainError as exc:
                messages.error(request, str(exc.detail))
                status = status_for(exc)
            else:
                every = {whole.kind, *(p.kind for p in parts.values())}
                messages.success(request, OUTCOME_MESSAGES[ACCEPT if every == {ACCEPT} else "mixed"])
                return redirect("bundle_ticket", ticket_id=ticket_id)
        else:
            status = 400
    application = sheet["application"]
    values = {
        **application.form_values,
        **{f.key: posted.get(f"field_{f.key}") for f in sheet["form"] if posted.get(f"field_{f.key}")},
    }
    return render(
        request,
        "online/bundle_ticket.html",
        {
            "ticket_id": ticket_id,
            "application": application,
            "matters": sheet["matters"],
            "answered_now": sheet["answered_now"],
            "waiting": sheet["waiting"],
            "checklist": sheet["checklist"],
            "rows": [(f, _shown(values.get(f.key)), field_errors.get(f.key, "")) for f in sheet["form"]],
            "status": sheet["status"],
            "posted": posted,
        },
        status=status,
    )
