"""The clerk's intake at the window (行政许可法 Art. 32: receive, accept, refuse or hold with a one-time notice), the
licences library asked from it, the hall's held cases, revealing an ID number with a reason, and a kiosk clerk
assisting a citizen. The citizen's own case pages are views.py."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.front.floor.devices import device_for, kiosk_staff_end
from apps.front.floor.models import TicketStatus
from apps.front.floor.selectors import kiosk_matters
from apps.front.floor.services import ticket_get_for_clerk
from apps.shared.accounts.models import Role
from apps.shared.accounts.services import id_number_reveal
from apps.shared.catalog.models import MaterialSource
from apps.shared.privacy.models import Channel
from govservice.api import DomainError, status_for
from govservice.roles import role_required

from . import hooks
from .api import reuses_from
from .forms import AssistForm, CaseSearchForm, HeldCaseForm, IntakeForm, RevealForm, form_errors
from .selectors import (
    case_for_finished_ticket,
    case_get_for_staff,
    commitments_for_staff,
    credit_barred,
    evidence_for_matter,
    held_cases_for_staff,
    held_for_ticket,
    online_pending_for_ticket,
)
from .services import (
    Upload,
    case_accept,
    case_accept_received,
    case_commitment_supply,
    case_hold_supplement,
    case_notify_missing,
    case_notify_received,
    case_receive,
    case_refuse,
    case_refuse_received,
    case_start_assisted,
    originals_check_for_ticket,
    prefiled_for_ticket,
)
from .shared import licences_fetch


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def intake_ticket(request, ticket_id):
    """The intake workbench: the checklist, uploads, and the four outcomes of 行政许可法 Art. 32."""
    try:
        ticket = ticket_get_for_clerk(clerk=request.user, ticket_id=ticket_id)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.detail}, status=status_for(exc))
    for elsewhere in hooks.ticket_elsewhere.receivers():
        if address := elsewhere(ticket=ticket):
            return redirect(address)  # the visit of a 一件事 bundle: its own window page
    originals = originals_check_for_ticket(ticket)
    if originals is not None:
        # The visit booked for an accepted online case (最多跑一次): its originals check, never a new case.
        return redirect("originals_check", ticket_id=ticket.id, number=originals.case.number)
    if ticket.status == TicketStatus.DONE:
        # Finished at another window or in another tab (or this one, sent twice): say so, and where it went.
        finished = case_for_finished_ticket(user=request.user, ticket=ticket)
        return render(
            request,
            "intake/intake.html",
            {"ticket": ticket, "finished": True, "finished_case": finished},
            status=409 if request.method == "POST" else 200,
        )
    materials = list(ticket.matter.materials.all())
    status = 200
    if request.method == "POST":
        uploads = [Upload(m.id, f) for m in materials for f in request.FILES.getlist(f"material_{m.id}")]
        form = IntakeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "refuse":
                    case, password = case_refuse(
                        clerk=request.user,
                        ticket_id=ticket.id,
                        reason=data["reason"],
                        refer_to=data["refer_to"],
                        uploads=uploads,
                    )
                elif data["action"] == "notice":
                    case, password = case_notify_missing(
                        clerk=request.user, ticket_id=ticket.id, items=data["items"], uploads=uploads
                    )
                elif data["action"] == "receive":
                    case, password = case_receive(clerk=request.user, ticket_id=ticket.id, uploads=uploads)
                else:
                    case, password = case_accept(
                        clerk=request.user,
                        ticket_id=ticket.id,
                        uploads=uploads,
                        reuses=reuses_from(request.POST),
                        commitment_items=data["commitment_items"],
                        commitment_signed=data["commitment_signed"],
                        vault_consent=data["vault_consent"],
                    )
            except DomainError as exc:
                messages.error(request, str(exc.detail))
                status = status_for(exc)
            else:
                return render(
                    request,
                    "intake/outcome.html",
                    {"case": case, "password": password, "documents": case.documents.all()},
                )
        else:
            # The workbench again, with what was wrong (shown with the page's messages).
            for error in form_errors(form):
                messages.error(request, error)
            status = 400
    offered = evidence_for_matter(citizen=ticket.citizen, matter=ticket.matter) if ticket.citizen else {}
    prefiled = prefiled_for_ticket(ticket)
    # The applicant is back for a case the hall holds: this page continues it, found by the selector the
    # service continues (held_for_ticket: one rule). An online application in pre-review is not held here.
    held = held_for_ticket(ticket) if prefiled is None else None
    online_pending = online_pending_for_ticket(ticket)
    rows = [(m, offered.get(m.id, [])) for m in materials]
    return render(
        request,
        "intake/intake.html",
        {
            "ticket": ticket,
            "rows": rows,
            "prefiled": prefiled,
            "held": held,
            "online_pending": online_pending,
            "chosen": request.POST.get("action", "") if request.method == "POST" else "",
            "posted": request.POST,
            "deferrable": [m for m in materials if m.deferrable],
            "vault_offered": any(offers for _m, offers in rows),
            "shared_licences": any(m.source == MaterialSource.GOVERNMENT for m in materials),
            "commitment_allowed": not credit_barred(citizen=ticket.citizen) if ticket.citizen else False,
        },
        status=status,
    )


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
@require_POST
def intake_ticket_licences(request, ticket_id):
    """The window fetches the applicant's licences the matter needs from the centrals' libraries (电子证照库),
    with the consent the applicant gave in person (recorded with the clerk); they are then offered for reuse."""
    try:
        ticket = ticket_get_for_clerk(clerk=request.user, ticket_id=ticket_id)
        if ticket.citizen is None:
            raise DomainError(_("该号码无实名申请人。"), code="no_applicant")
        fetched = licences_fetch(
            citizen=ticket.citizen,
            matter=ticket.matter,
            reference=f"{ticket.hall.code}-{ticket.service_date:%Y%m%d}-{ticket.label}",
            purpose=_("窗口受理：%(matter)s") % {"matter": ticket.matter.name},
            consent_given=request.POST.get("consent") == "1",
            channel=Channel.WINDOW,
            recorded_by=request.user,
        )
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("已从电子证照库调取 %(n)d 份证照，相应材料无需提交。") % {"n": len(fetched.items)})
        if fetched.unreachable:
            messages.warning(request, fetched.unreachable_notice())
    return redirect("intake_ticket", ticket_id=ticket_id)


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def hall_cases(request):
    """The cases the hall holds (收件, or waiting on a one-time notice) with their intake limits, found by
    number, ID number or name; and the accepted cases whose deferred items (容缺) are still owed."""
    form = CaseSearchForm(request.POST if request.method == "POST" else None)
    query = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    held = list(held_cases_for_staff(user=request.user, query=query)[:100])
    today = timezone.localdate()
    return render(
        request,
        "intake/hall_cases.html",
        {
            "held": [(case, case.intake_limit_passed(today)) for case in held],
            "commitments": commitments_for_staff(user=request.user)[:100],
            "query": query,
        },
    )


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def hall_case(request, number):
    """One case of the hall: a held one continued (materials added, the notice answered) and decided
    (accept, notice again, refuse); an accepted one's deferred items received at the window."""
    case = case_get_for_staff(user=request.user, number=number)
    materials = list(case.matter.materials.all())
    status = 200
    if request.method == "POST":
        uploads = [Upload(m.id, f) for m in materials for f in request.FILES.getlist(f"material_{m.id}")]
        try:
            if request.POST.get("action") == "deferred":
                case_commitment_supply(actor=request.user, number=case.number, uploads=uploads)
                messages.success(request, _("容缺材料已收取，并已转交审批总后台。"))
                return redirect("hall_case", number=case.number)
            form = HeldCaseForm(request.POST)
            if not form.is_valid():
                for error in form_errors(form):
                    messages.error(request, error)
                status = 400
            else:
                data = form.cleaned_data
                if data["action"] == "supplement":
                    case_hold_supplement(clerk=request.user, number=case.number, uploads=uploads)
                    done = _("材料已补充到本办件。")
                elif data["action"] == "notice":
                    case_notify_received(clerk=request.user, number=case.number, items=data["items"], uploads=uploads)
                    done = _("已出具一次性告知书。")
                elif data["action"] == "refuse":
                    case_refuse_received(
                        clerk=request.user, number=case.number, reason=data["reason"], refer_to=data["refer_to"]
                    )
                    done = _("已出具不予受理通知书。")
                else:
                    case_accept_received(
                        clerk=request.user,
                        number=case.number,
                        uploads=uploads,
                        reuses=reuses_from(request.POST),
                        commitment_items=data["commitment_items"],
                        commitment_signed=data["commitment_signed"],
                    )
                    done = _("已受理，办件已转交审批总后台。")
                messages.success(request, done)
                return redirect("hall_case", number=case.number)
        except DomainError as exc:
            messages.error(request, str(exc.detail))
            status = status_for(exc)
        case = case_get_for_staff(user=request.user, number=number)
    owed = set(case.commitment_outstanding) if case.commitment_open else set()
    return render(
        request,
        "intake/hall_case.html",
        {
            "case": case,
            "materials": materials,
            "received": case.materials.all(),
            "limit_passed": case.intake_limit_passed(timezone.localdate()),
            "commitment_allowed": not credit_barred(citizen=case.citizen),
            "deferrable": [m for m in materials if m.deferrable],
            "owed": [m for m in materials if m.name in owed],
            "actions": HeldCaseForm.ACTIONS,
            # What the clerk posted, shown again when it was refused (a redirect follows success).
            "chosen": request.POST.get("action", "") if request.method == "POST" else "",
            "posted": request.POST,
            "posted_commitments": request.POST.getlist("commitment_items"),
        },
        status=status,
    )


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def reveal_id(request, ticket_id):
    """The clear ID number for the applicant at this window, with a reason; every view is logged and
    the citizen can see it (DOMAIN.md §8)."""
    if request.method != "POST":
        return HttpResponse(status=405)
    form = RevealForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/_reveal.html", {"error": " ".join(form_errors(form))}, status=400)
    try:
        ticket = ticket_get_for_clerk(clerk=request.user, ticket_id=ticket_id)
        if ticket.citizen is None:
            raise DomainError(_("该号码无实名申请人。"), code="no_applicant")
        value = id_number_reveal(
            viewer=request.user, subject=ticket.citizen, reason=form.cleaned_data["reason"], case_reference=ticket.label
        )
    except DomainError as exc:
        return render(request, "intake/_reveal.html", {"error": exc.detail}, status=status_for(exc))
    return render(request, "intake/_reveal.html", {"value": value})


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def assist(request):
    """帮办 at a smart terminal: a hall helper reads the citizen's ID card, picks the matter, scans the
    materials, and the case waits at the window as pre-filed."""
    terminal = device_for(request)
    if terminal is None:
        return redirect("terminal")
    groups = kiosk_matters(hall=terminal.hall)
    matters = {m.code: m for g in groups for m in g.matters}
    # The matter is chosen first (a GET that shows its materials), then posted with the ID number and scans.
    data = request.POST.copy() if request.method == "POST" else request.GET
    if request.method == "POST" and not data.get("matter"):
        data["matter"] = request.GET.get("matter", "")  # the matter chosen may ride in the address
    form = AssistForm(data, matters=matters)
    matter = matters.get(str(form["matter"].value() or ""))
    materials = list(matter.materials.all()) if matter else []
    context = {"terminal": terminal, "groups": groups, "matter": matter, "materials": materials}
    if request.method == "POST" and matter is not None:
        if not form.is_valid():
            return render(request, "intake/assist.html", {**context, "error": " ".join(form_errors(form))}, status=400)
        uploads = [Upload(m.id, f) for m in materials for f in request.FILES.getlist(f"material_{m.id}")]
        try:
            case, password = case_start_assisted(
                helper=request.user,
                terminal=terminal,
                id_number=form.cleaned_data["id_number"],
                matter_code=matter.code,
                uploads=uploads,
            )
        except DomainError as exc:
            return render(request, "intake/assist.html", {**context, "error": exc.detail}, status=status_for(exc))
        # The assisted case is done: the helper's step-up at this kiosk ends with it (apps/front/floor/devices.py).
        kiosk_staff_end(request)
        return render(request, "intake/assist.html", {**context, "case": case, "password": password})
    return render(request, "intake/assist.html", context)
