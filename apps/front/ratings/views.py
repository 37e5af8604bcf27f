"""好差评 pages: rating forms (case page, SMS link, terminal, window tablet), the unit's rectifications,
the supervisor's appeals and overview (with CSV and a server-side SVG chart)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.front.floor.devices import TABLET, device_activate, device_for
from apps.front.floor.forms import DeviceTokenForm
from apps.front.floor.services import terminal_authenticate
from apps.front.ratings.conf import ratings_conf
from apps.shared.accounts.models import Role
from govservice.api import DomainError, status_for
from govservice.lib.charts import bar_chart
from govservice.lib.csvexport import csv_response
from govservice.roles import role_required

from . import selectors, services
from .forms import (
    AppealForm,
    AssignForm,
    CallbackForm,
    DecideForm,
    FixRatingForm,
    KioskTicketForm,
    RatingForm,
    ReplyForm,
    TabletTicketForm,
    form_error,
)
from .models import TAGS, TAGS_BY_SCORE, CallbackOutcome, EvaluationChannel, FixRating, Rectification, Score
from .services.invitations import invitation_check
from .services.rectifications import is_unit_member, rater_masked

STAFF = (Role.CLERK, Role.HALL_SUPERVISOR, Role.ADMIN)
SUPERVISORS = (Role.HALL_SUPERVISOR, Role.ADMIN)


def rating_form_context() -> dict:
    """Levels with their fixed tags, for every rating form."""
    return {
        "levels": [
            {"value": level, "label": Score(level).label, "tags": [(t, TAGS[t]) for t in TAGS_BY_SCORE[level]]}
            for level in Score.values
        ],
    }


def _posted(form: RatingForm) -> dict:
    """What was typed, to fill the rating form in again after a refusal."""
    return {
        "score": form["score"].value() or "",
        "comment": form["comment"].value() or "",
        "tags": form["tags"].value() or [],
    }


# --- Citizens ----------------------------------------------------------------------------------------


@login_required
@require_POST
def evaluate(request, number):
    """一事一评 from the case page."""
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return redirect("case", number=number)
    try:
        services.evaluation_submit(citizen=request.user, case_number=number, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("感谢您的评价！"))
    return redirect("case", number=number)


@login_required
@require_POST
def evaluate_fix(request, number):
    """The citizen rates the unit's fix of their 差评 from the case page."""
    rectification = Rectification.objects.filter(
        evaluation__case__number=number, evaluation__citizen=request.user
    ).first()
    if rectification is None:
        raise Http404
    form = FixRatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error(form))
        return redirect("case", number=number)
    try:
        services.rectification_rate_fix(rectification_id=rectification.id, citizen=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(request, _("感谢您对整改结果的评价！"))
    return redirect("case", number=number)


@never_cache
def rate_link(request, token):
    """The SMS link: no login; valid 5 working days; once."""
    try:
        invitation = services.invitation_for_token(token)
        invitation_check(invitation)
    except DomainError as exc:
        return render(request, "ratings/rate_closed.html", {"message": exc.detail}, status=status_for(exc))
    event = invitation.case or invitation.ticket
    context = {"event": event, "invitation": invitation, "action": request.path, **rating_form_context()}
    if request.method == "POST":
        form = RatingForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "ratings/rate.html",
                {**context, "error": form_error(form), "posted": _posted(form)},
                status=400,
            )
        try:
            evaluation = services.evaluation_submit_by_invitation(token=token, **form.cleaned_data)
        except DomainError as exc:
            return render(
                request,
                "ratings/rate.html",
                {**context, "error": exc.detail, "posted": _posted(form)},
                status=status_for(exc),
            )
        return render(request, "ratings/rate_done.html", {"evaluation": evaluation})
    return render(request, "ratings/rate.html", context)


@never_cache
def rate_fix_link(request, token):
    """The link in the reply message: read the unit's answer, rate the fix."""
    try:
        rectification = services.rectification_for_fix_token(token)
    except DomainError as exc:
        return render(request, "ratings/rate_closed.html", {"message": exc.detail}, status=status_for(exc))
    context = {"rectification": rectification, "fix_ratings": FixRating.choices}
    if request.method == "POST":
        form = FixRatingForm(request.POST)
        if not form.is_valid():
            return render(request, "ratings/rate_fix.html", {**context, "error": form_error(form)}, status=400)
        try:
            services.rectification_rate_fix(rectification_id=rectification.id, **form.cleaned_data)
        except DomainError as exc:
            return render(request, "ratings/rate_fix.html", {**context, "error": exc.detail}, status=status_for(exc))
        return render(request, "ratings/rate_done.html", {"fix": True})
    return render(request, "ratings/rate_fix.html", context)


# --- On site: the terminal and the window tablet ------------------------------------------------------


def _terminal(request):
    return device_for(request)


@never_cache
def terminal_rate(request):
    """一次一评 at the kiosk: the citizen types the number and the rating code printed on their ticket, then
    rates the service."""
    terminal = _terminal(request)
    if terminal is None:
        return redirect("terminal")
    context = {"terminal": terminal, **rating_form_context()}
    kiosk = KioskTicketForm(request.POST if request.method == "POST" else {})
    kiosk.is_valid()  # every field is optional: it only strips and cuts what was typed
    label, code = kiosk.cleaned_data["label"], kiosk.cleaned_data["code"]
    if not label:
        return render(request, "ratings/terminal_rate.html", context)
    context.update(label=label)
    try:
        ticket = services.ticket_for_kiosk_rating(hall_id=terminal.hall_id, label=label, code=code)
    except DomainError as exc:
        context["error"] = exc.detail
        return render(request, "ratings/terminal_rate.html", context, status=status_for(exc))
    context.update(ticket=ticket, code=code)
    if "score" not in request.POST:
        return render(request, "ratings/terminal_rate.html", context)
    form = RatingForm(request.POST)
    if not form.is_valid():
        context.update(error=form_error(form), posted=_posted(form))
        return render(request, "ratings/terminal_rate.html", context, status=400)
    try:
        evaluation = services.evaluation_submit_for_ticket(
            ticket_id=ticket.id, hall_id=terminal.hall_id, channel=EvaluationChannel.TERMINAL, **form.cleaned_data
        )
    except DomainError as exc:
        context.update(error=exc.detail, posted=_posted(form))
        return render(request, "ratings/terminal_rate.html", context, status=status_for(exc))
    return render(request, "ratings/rate_done.html", {"kiosk": True, "terminal": terminal, "evaluation": evaluation})


@never_cache
def window_tablet(request):
    """评价器: the tablet facing the citizen at a window, a device of its own (a terminal bound to the
    window, activated once with its device token), never signed in as the clerk: the citizen holds it. It
    offers the ticket the window has just finished; idle, it looks again every few seconds."""
    if request.method == "POST" and "token" in request.POST:
        activation = DeviceTokenForm(request.POST)
        device = terminal_authenticate(activation.cleaned_data["token"], tablet=True) if activation.is_valid() else None
        if device is None:
            error = _("设备令牌无效，或该设备未绑定窗口。")
            return render(request, "floor/terminal_activate.html", {"error": error, "tablet": True}, status=400)
        device_activate(request, device, kind=TABLET)  # a device stays activated; its token is not kept
        return redirect("ratings_tablet")
    device = device_for(request, kind=TABLET)
    if device is None:
        return render(request, "floor/terminal_activate.html", {"tablet": True})
    minutes = ratings_conf.RATING_TABLET_MINUTES
    if request.method == "POST":
        ticket = selectors.ticket_for_tablet(window_id=device.window_id, minutes=minutes)
        shown = TabletTicketForm(request.POST)
        if ticket is None or not shown.is_valid() or shown.cleaned_data["ticket"] != ticket.id:
            messages.error(request, _("没有待评价的服务。"))
            return redirect("ratings_tablet")
        form = RatingForm(request.POST)
        if not form.is_valid():
            context = {"ticket": ticket, "error": form_error(form), "posted": _posted(form), **rating_form_context()}
            return render(request, "ratings/tablet.html", context, status=400)
        try:
            services.evaluation_submit_for_ticket(
                ticket_id=ticket.id, hall_id=ticket.hall_id, channel=EvaluationChannel.TABLET, **form.cleaned_data
            )
        except DomainError as exc:
            context = {"ticket": ticket, "error": exc.detail, "posted": _posted(form), **rating_form_context()}
            return render(request, "ratings/tablet.html", context, status=status_for(exc))
        messages.success(request, _("感谢您的评价！"))
        return redirect("ratings_tablet")
    ticket = selectors.ticket_for_tablet(window_id=device.window_id, minutes=minutes)
    return render(request, "ratings/tablet.html", {"ticket": ticket, "window": device.window, **rating_form_context()})


# --- The responsible unit ----------------------------------------------------------------------------


@role_required(*STAFF)
def rectification_list(request):
    qs = selectors.rectifications_for_staff(user=request.user)
    show = request.GET.get("show", "open")
    if show == "open":
        qs = qs.exclude(status__in=["closed", "voided"])
    return render(
        request,
        "ratings/rectification_list.html",
        {"rectifications": qs.order_by("due_date", "id")[:200], "show": show, "today": timezone.localdate()},
    )


def _detail_page(request, rectification_id: int, *, status: int = 200, **extra):
    rectification = selectors.rectification_get_for_staff(user=request.user, rectification_id=rectification_id)
    context = {
        "r": rectification,
        "rater": rater_masked(rectification),
        "today": timezone.localdate(),
        "is_assignee": rectification.assignee_id == request.user.id,
        "is_supervisor": request.user.role in SUPERVISORS,
        "is_member": is_unit_member(request.user, rectification),
        "can_appeal": rectification.can_appeal(timezone.localdate()),
        "colleagues": selectors.unit_colleagues(rectification=rectification)
        if request.user.role in SUPERVISORS
        else [],
        "outcomes": CallbackOutcome.choices,
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        **extra,
    }
    return render(request, "ratings/rectification_detail.html", context, status=status)


@role_required(*STAFF)
def rectification_detail(request, rectification_id: int):
    return _detail_page(request, rectification_id)


@require_POST
@role_required(*STAFF)
def rectification_action(request, rectification_id: int, action: str):
    """One button of the detail page: each runs one service. The rater reveal renders the page with the
    clear values (never stored in a redirect or a URL)."""
    data = request.POST
    forms_by_action = {
        "reveal": None,
        "assign": AssignForm,
        "callback": CallbackForm,
        "reply": ReplyForm,
        "appeal": AppealForm,
        "decide": DecideForm,
    }
    if action not in forms_by_action:
        raise Http404
    form_class = forms_by_action[action]
    form = form_class(data) if form_class else None
    if form is not None and not form.is_valid():
        return _detail_page(request, rectification_id, status=400, error=form_error(form), posted=data)
    typed = form.cleaned_data if form is not None else {}
    try:
        if action == "reveal":
            clear = services.rectification_reveal_rater(viewer=request.user, rectification_id=rectification_id)
            return _detail_page(request, rectification_id, rater_clear=clear)
        if action == "assign":
            services.rectification_assign(
                actor=request.user, rectification_id=rectification_id, assignee_id=typed["assignee"]
            )
            done = _("已指派回访人。")
        elif action == "callback":
            services.rectification_callback_record(actor=request.user, rectification_id=rectification_id, **typed)
            done = _("回访记录已保存。")
        elif action == "reply":
            services.rectification_reply(actor=request.user, rectification_id=rectification_id, **typed)
            done = _("整改答复已发送，等待市民评价整改结果。")
        elif action == "appeal":
            services.rectification_appeal(actor=request.user, rectification_id=rectification_id, reason=typed["reason"])
            done = _("申诉已提交，等待主管审核。")
        else:
            services.rectification_appeal_decide(
                actor=request.user,
                rectification_id=rectification_id,
                upheld=typed["decision"] == "uphold",
                note=typed["note"],
            )
            done = _("申诉审核结果已保存。")
    except DomainError as exc:
        if status_for(exc) == 404:
            raise Http404 from None
        # Keep what was typed: the page comes back with the error and the form filled in.
        return _detail_page(request, rectification_id, status=status_for(exc), error=exc.detail, posted=data)
    messages.success(request, done)
    return redirect("ratings_rectification", rectification_id=rectification_id)


# --- Supervisors -------------------------------------------------------------------------------------


@role_required(*SUPERVISORS)
def appeals(request):
    return render(request, "ratings/appeals.html", {"appeals": selectors.appeals_pending(user=request.user)})


def _period(request) -> tuple[dt.date | None, dt.date | None]:
    values = []
    for key in ("from", "to"):
        raw = request.GET.get(key, "").strip()
        try:
            day = parse_date(raw) if raw else None
        except ValueError:  # well formed but no such day (2026-13-01)
            day = None
        if raw and day is None:
            raise DomainError(_("日期格式应为YYYY-MM-DD。"), code="invalid_date")
        values.append(day)
    return values[0], values[1]


def _charts(rows) -> list[SafeString]:
    """Server-side SVG bars per department (govservice.lib.charts: no script, no CDN, readable aloud)."""
    return [
        bar_chart([(r.label, r.satisfaction) for r in rows], title=_("各部门满意率"), unit="%", maximum=100),
        bar_chart([(r.label, r.rectification_rate) for r in rows], title=_("各部门差评整改率"), unit="%", maximum=100),
    ]


@role_required(*SUPERVISORS)
def overview(request):
    try:
        date_from, date_to = _period(request)
    except DomainError as exc:
        return render(request, "error.html", {"message": exc.detail}, status=400)
    data = selectors.overview(user=request.user, date_from=date_from, date_to=date_to)
    return render(
        request,
        "ratings/overview.html",
        {
            **data,
            "charts": _charts(data["departments"]) if data["departments"] else [],
            "date_from": date_from,
            "date_to": date_to,
            "pending_appeals": selectors.appeals_pending(user=request.user).count(),
        },
    )


@role_required(*SUPERVISORS)
def overview_csv(request):
    try:
        date_from, date_to = _period(request)
    except DomainError as exc:
        return HttpResponse(str(exc.detail), status=400, content_type="text/plain; charset=utf-8")
    data = selectors.overview(user=request.user, date_from=date_from, date_to=date_to)
    # govservice.lib.csvexport: UTF-8 with a BOM for Excel, and no department or matter name runs as a formula.
    return csv_response(
        filename="ratings-overview.csv",
        header=[
            _("分组"),
            _("部门 / 事项"),
            _("评价数"),
            _("满意率%"),
            _("平均分"),
            _("差评数"),
            _("已整改"),
            _("整改率%"),
            _("实名差评回访率%"),
            _("整改满意率%"),
            _("超期"),
        ],
        rows=(
            [
                title,
                r.label,
                r.total,
                _pct(r.satisfaction),
                r.average if r.average is not None else "",
                r.bad,
                r.rectified,
                _pct(r.rectification_rate),
                _pct(r.callback_rate),
                _pct(r.fix_satisfaction),
                r.overdue,
            ]
            for key, title in (("departments", _("部门")), ("matters", _("事项")))
            for r in data[key]
        ),
    )


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
