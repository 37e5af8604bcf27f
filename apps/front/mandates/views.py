"""Pages: a company's registration and its representative's page (经办人, cases), a person's 委托书 (give,
confirm by SMS code, revoke, every act of the agent), the agent's page (whom they may act for, booking,
cases, documents), and the window's check of the person acting (with the paper letter it scans)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.front.booking.models import GreenCategory, StaffPost
from apps.front.booking.selectors import slot_picker
from apps.front.booking.views import picker_template
from apps.front.floor.services import ticket_get_for_clerk
from apps.front.intake.selectors import cases_for_citizen
from apps.shared.accounts.models import Role
from apps.shared.catalog.models import Matter
from govservice.api import DomainError, status_for
from govservice.lib.codes import form_idempotency_key
from govservice.roles import role_required
from govservice.throttling import client_ip

from .forms import (
    AgentBookForm,
    CompanyAgentForm,
    CompanyRegisterForm,
    ConfirmForm,
    MandateGrantForm,
    PaperMandateForm,
    RevokeForm,
    WindowCheckForm,
    form_error,
)
from .models import Mandate
from .selectors import (
    Principal,
    acts_for_principal,
    appointments_for_agent,
    bookable_matters_for,
    case_get_for_agent,
    cases_for_agent,
    companies_represented,
    company_get_for_representative,
    mandates_given,
    mandates_held,
    online_matters_for,
    principal_for_agent,
    principals_for_agent,
)
from .services import (
    agent_book,
    agent_cancel,
    agent_document,
    company_agent_grant,
    company_register,
    mandate_code_resend,
    mandate_confirm,
    mandate_grant,
    mandate_record_paper,
    mandate_revoke,
    window_check,
)

CITIZEN = Role.CITIZEN


def _refused(request, template: str, context: dict, exc: DomainError):
    if status_for(exc) == 404:
        raise Http404
    context["error"] = exc.detail
    return render(request, template, context, status=status_for(exc))


def _person_matters():
    """Matters a person may authorise someone for: current, serving persons, agents allowed."""
    return Matter.objects.filter(is_current=True, target__in=["person", "both"], agents_allowed=True).order_by(
        "department__code", "code"
    )


def _company_matters():
    return Matter.objects.filter(is_current=True, target__in=["organisation", "both"]).order_by(
        "department__code", "code"
    )


# --- A person's mandates ---------------------------------------------------------------------------------


@role_required(CITIZEN)
def home(request):
    """我的授权: the 委托书 I gave (with everything done under them) and those I hold; give a new one."""
    context = {
        "given": mandates_given(principal=request.user),
        "held": mandates_held(agent=request.user),
        "acts": acts_for_principal(principal=request.user, limit=50),
        "matters": _person_matters(),
        "cases": cases_for_citizen(citizen=request.user)[:50],
        "form": MandateGrantForm(initial={"may_apply": True, "may_collect": True}),
    }
    if request.method != "POST":
        return render(request, "mandates/home.html", context)
    form = MandateGrantForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        context["error"] = form_error(form)
        return render(request, "mandates/home.html", context, status=400)
    try:
        mandate = mandate_grant(principal=request.user, address=client_ip(request), **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, "mandates/home.html", context, exc)
    messages.success(request, _("委托书已生成，验证码已发送到您的手机，请输入验证码确认。"))
    return redirect("mandates:detail", number=mandate.number)


def _managed(user, number: str) -> Mandate:
    """A mandate the person gave, or one of a company they represent; 404 otherwise."""
    mandate = Mandate.objects.select_related("principal", "agent", "case", "granted_by").filter(number=number).first()
    if mandate is None:
        raise Http404
    if (
        mandate.principal_id != user.pk
        and not companies_represented(user=user).filter(account_id=mandate.principal_id).exists()
    ):
        raise Http404
    return mandate


@role_required(CITIZEN)
def detail(request, number):
    mandate = _managed(request.user, number)
    context = {
        "mandate": mandate,
        "events": mandate.events.select_related("actor").order_by("-at", "-id"),
        "confirm": ConfirmForm(),
    }
    return render(request, "mandates/detail.html", context)


@role_required(CITIZEN)
@require_POST
def confirm(request, number):
    mandate = _managed(request.user, number)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return redirect("mandates:detail", number=number)
    try:
        mandate_confirm(principal=request.user, number=mandate.number, code=form.cleaned_data["code"].strip())
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("委托书已确认生效，受托人已收到通知。"))
    return redirect("mandates:detail", number=number)


@role_required(CITIZEN)
@require_POST
def resend(request, number):
    mandate = _managed(request.user, number)
    try:
        mandate_code_resend(principal=request.user, number=mandate.number, address=client_ip(request))
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("验证码已重新发送。"))
    return redirect("mandates:detail", number=number)


@role_required(CITIZEN)
@require_POST
def revoke(request, number):
    mandate = _managed(request.user, number)
    form = RevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        mandate_revoke(by=request.user, number=mandate.number, reason=reason)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("授权已撤销，即时生效。"))
    return redirect("mandates:detail", number=number)


def letter(request, number):
    """The 委托书 (PDF, or the scan of the paper letter): for the principal or the company's representative,
    the agent, and the staff of the hall where a paper letter was recorded."""
    if not request.user.is_authenticated:
        raise Http404
    mandate = get_object_or_404(Mandate.objects.select_related("principal"), number=number)
    user = request.user
    allowed = mandate.agent_id == user.pk
    if not allowed and user.role == CITIZEN:
        allowed = (
            mandate.principal_id == user.pk
            or companies_represented(user=user).filter(account_id=mandate.principal_id).exists()
        )
    if not allowed and user.role in (Role.CLERK, Role.HALL_SUPERVISOR) and mandate.recorded_at_hall:
        allowed = StaffPost.objects.filter(user=user, hall__name=mandate.recorded_at_hall).exists()
    if not allowed or not mandate.letter:
        raise Http404
    with mandate.letter.open("rb") as fh:
        content = fh.read()
    kind = (
        "application/pdf"
        if content.startswith(b"%PDF")
        else ("image/png" if content.startswith(b"\x89PNG") else "image/jpeg")
    )
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'inline; filename="{mandate.number}"'
    return response


# --- Companies -------------------------------------------------------------------------------------------


@role_required(CITIZEN)
def companies(request):
    """法人账户: the companies I represent; open one's account as its legal representative."""
    context = {"companies": companies_represented(user=request.user), "form": CompanyRegisterForm()}
    if request.method != "POST":
        return render(request, "mandates/companies.html", context)
    form = CompanyRegisterForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        context["error"] = form_error(form)
        return render(request, "mandates/companies.html", context, status=400)
    try:
        company = company_register(representative=request.user, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, "mandates/companies.html", context, exc)
    messages.success(request, _("法人账户已开通，您可以授权经办人代表企业办理。"))
    return redirect("mandates:company", credit_code=company.credit_code)


@role_required(CITIZEN)
def company(request, credit_code):
    """The representative's page: the 经办人 (grant, revoke), the company's appointments and cases, every act."""
    found = company_get_for_representative(user=request.user, credit_code=credit_code)
    principal = Principal(account=found.account, company=found, mandates=())
    matters = _company_matters()
    context = {
        "company": found,
        "agents": mandates_given(principal=found.account),
        "acts": acts_for_principal(principal=found.account, limit=50),
        "cases": cases_for_agent(agent=request.user, principal=principal)[:50],
        "appointments": appointments_for_agent(agent=request.user, principal=principal)[:50],
        "matters": matters,
        "acting_url": reverse("mandates:principal", args=[found.account_id]),
        "form": CompanyAgentForm(initial={"may_apply": True, "may_collect": True}),
    }
    if request.method != "POST":
        return render(request, "mandates/company.html", context)
    form = CompanyAgentForm(request.POST, matter_choices=[(m.code, m.name) for m in matters])
    context["form"] = form
    if not form.is_valid():
        context["error"] = form_error(form)
        return render(request, "mandates/company.html", context, status=400)
    try:
        company_agent_grant(representative=request.user, company=found, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, "mandates/company.html", context, exc)
    messages.success(request, _("已授权经办人，即时生效。"))
    return redirect("mandates:company", credit_code=credit_code)


# --- Acting for others -----------------------------------------------------------------------------------


@role_required(CITIZEN)
def acting(request):
    """代办: whom I may act for now (the companies I represent, the mandates in force I hold)."""
    return render(request, "mandates/acting.html", {"principals": principals_for_agent(agent=request.user)})


def _principal(request, principal_id: int) -> Principal:
    return principal_for_agent(agent=request.user, principal_id=principal_id)


@role_required(CITIZEN)
def principal(request, principal_id):
    """One principal: what I may do, their appointments and cases within my scope, and what I may book."""
    found = _principal(request, principal_id)
    context = {
        "principal": found,
        "appointments": appointments_for_agent(agent=request.user, principal=found)[:50],
        "cases": cases_for_agent(agent=request.user, principal=found)[:50],
        "matters": bookable_matters_for(principal=found),
        "online_matters": online_matters_for(principal=found),
    }
    return render(request, "mandates/principal.html", context)


@role_required(CITIZEN)
def book(request, principal_id, matter_code):
    """Book for the principal: the matter's slot picker (booking's), the booking checked against my mandate."""
    found = _principal(request, principal_id)
    matter = bookable_matters_for(principal=found).filter(code=matter_code).first()
    if matter is None:
        raise Http404
    if request.method == "POST":
        form = AgentBookForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_error(form))
            return redirect("mandates:book", principal_id=principal_id, matter_code=matter_code)
        try:
            appointment = agent_book(
                agent=request.user,
                principal=found,
                slot_id=form.cleaned_data["slot"],
                matter_code=matter.code,
                idempotency_key=form.cleaned_data["idempotency_key"][:64],
                green_category=form.cleaned_data["green_category"],
            )
        except DomainError as exc:
            messages.error(request, str(exc.detail))
            return redirect("mandates:book", principal_id=principal_id, matter_code=matter_code)
        messages.success(
            request, _("已为%(name)s预约成功，预约码 %(code)s。") % {"name": found.name, "code": appointment.code}
        )
        return redirect("mandates:principal", principal_id=principal_id)
    picker = slot_picker(matter=matter, hall_param=request.GET.get("hall", ""), day_param=request.GET.get("day", ""))
    context = {
        "principal": found,
        "matter": matter,
        "picker": picker,
        "halls": picker.halls,
        "hall": picker.hall,
        "book_url": reverse("mandates:book", args=[principal_id, matter.code]),
        "picker_url": reverse("mandates:book", args=[principal_id, matter.code]),
        "idempotency_key": form_idempotency_key(),
        "green_categories": GreenCategory.choices,
    }
    # Booking's own time picker (hall, day, time): htmx asks for the part it replaces.
    return render(request, picker_template(request, "mandates/book.html"), context)


@role_required(CITIZEN)
@require_POST
def cancel(request, principal_id, code):
    found = _principal(request, principal_id)
    try:
        agent_cancel(agent=request.user, principal=found, code=code)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("预约%(code)s已取消。") % {"code": code})
    return redirect("mandates:principal", principal_id=principal_id)


@role_required(CITIZEN)
def case(request, principal_id, number):
    found = _principal(request, principal_id)
    context = {"principal": found, "case": case_get_for_agent(agent=request.user, principal=found, number=number)}
    return render(request, "mandates/case.html", context)


@role_required(CITIZEN)
def document(request, principal_id, number, code):
    found = _principal(request, principal_id)
    try:
        doc, pdf = agent_document(agent=request.user, principal=found, number=number, code=code)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.detail}, status=status_for(exc))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{doc.kind}-{number}.pdf"'
    return response


# --- The window ----------------------------------------------------------------------------------------------


@role_required(Role.CLERK, Role.HALL_SUPERVISOR)
def window(request, ticket_id):
    """核验办理人: the person at the window for this ticket — the applicant in person, a company's legal
    representative, or an agent within a mandate in force; or register the signed paper letter they bring."""
    try:
        ticket = ticket_get_for_clerk(clerk=request.user, ticket_id=ticket_id)
    except DomainError as exc:  # no window assigned (409), or not this window's ticket (404)
        return render(request, "error.html", {"message": exc.detail}, status=status_for(exc))
    context: dict = {
        "ticket": ticket,
        "check": WindowCheckForm(),
        "paper": PaperMandateForm(initial={"may_apply": True, "may_collect": True, "matter_code": ticket.matter.code}),
    }
    if request.method != "POST":
        return render(request, "mandates/window.html", context)
    if request.POST.get("action") == "paper":
        form = PaperMandateForm(request.POST, request.FILES)
        context["paper"] = form
        if not form.is_valid():
            context["error"] = form_error(form)
            return render(request, "mandates/window.html", context, status=400)
        try:
            mandate = mandate_record_paper(clerk=request.user, **form.cleaned_data)
        except DomainError as exc:
            return _refused(request, "mandates/window.html", context, exc)
        messages.success(request, _("纸质委托书已登记（%(number)s），请核验办理人。") % {"number": mandate.number})
        return redirect("mandates:window", ticket_id=ticket_id)
    form = WindowCheckForm(request.POST)
    context["check"] = form
    if not form.is_valid():
        context["error"] = form_error(form)
        return render(request, "mandates/window.html", context, status=400)
    try:
        result = window_check(clerk=request.user, ticket_id=ticket.id, **form.cleaned_data)
    except DomainError as exc:
        return _refused(request, "mandates/window.html", context, exc)
    if result.authority is None:
        messages.success(request, _("申请人本人办理，已核验。"))
    elif result.authority.as_representative:
        messages.success(request, _("法定代表人办理，已核验。"))
    else:
        messages.success(
            request,
            _("代办人已核验，委托书%(number)s在有效期和授权范围内。") % {"number": result.authority.mandate.number},
        )
    return redirect("intake_ticket", ticket_id=ticket_id)
