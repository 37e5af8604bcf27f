"""API conventions shared by both sites: errors as ``{"code": ..., "detail": ...}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404, JsonResponse, QueryDict
from django.urls import is_valid_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from govservice.lib.errors import Busy, Conflict, DomainError, Throttled
from govservice.lib.workdays import CalendarUnknown
from govservice.parsers import MultiPartParser

__all__ = [
    "STATUS_BY_CODE",
    "Busy",
    "Conflict",
    "DomainError",
    "MultipartApiView",
    "Throttled",
    "exception_handler",
    "status_for",
]


# The one mapping from a domain error's code to the status of the API's answer (DESIGN.md §7: 400 invalid,
# 401/403, 404 not yours or absent, 409 conflict, 422 semantic, 429 limited). Services raise codes only
# (govservice/lib/errors.py); pages use the same statuses through status_for().
STATUS_BY_CODE: dict[str, int] = {
    "account_inactive": 403,
    "address_invalid": 400,
    "age_unverified": 422,
    "already_appealed": 409,
    "already_booked": 409,
    "already_claimed": 409,
    "already_delivered": 409,
    "already_extended": 409,
    "already_issued": 409,
    "already_rated": 409,
    "anonymous": 409,
    "answer_missing": 422,  # issue 17: the matter's own questions, which the schema cannot name (was 400)
    "answers_invalid": 400,
    "appeal_too_late": 409,
    "bad_limit": 400,
    "bad_signature": 401,
    "blocked": 403,
    "busy": 429,
    "calendar_unknown": 409,
    "callback_first": 409,
    "checkin_open": 422,
    "citizen_not_found": 404,
    "closed": 409,
    "commitment_invalid": 422,
    "commitment_refused": 422,
    "commitment_unsigned": 422,
    "conflict": 409,
    "duplicate": 409,
    "evidence_expired": 422,
    "extension_too_late": 409,
    "file_rejected": 422,
    "file_too_large": 422,
    "file_type": 422,
    "idempotency_key_reused": 422,
    "forbidden": 403,
    "group_required": 400,
    "hall_closed": 409,
    "hall_without_mode": 422,  # issue 17: a rule between two valid parameters (was 400)
    "id_mismatch": 422,
    "id_registered": 409,
    "invalid": 400,  # also raised with {422: 4} (kept by status_code= until decided)
    "invalid_assignee": 400,
    "invalid_by": 400,
    "invalid_comment": 400,
    "invalid_date": 400,
    "invalid_days": 400,
    "invalid_deadline": 422,
    "invalid_decision": 400,
    "invalid_green_category": 400,
    "invalid_green_reason": 400,
    "invalid_hall": 400,
    "invalid_id_number": 422,  # issue 17: a check digit, a real birth date, a registered account: no schema states them (was 400)
    "invalid_kind": 400,
    "invalid_method": 400,
    "invalid_name": 400,
    "invalid_outcome": 400,
    "invalid_period": 400,
    "invalid_phone": 400,
    "invalid_rating": 400,
    "invalid_score": 400,
    "invalid_state": 409,
    "invalid_status": 400,
    "invalid_step": 409,
    "invalid_tags": 400,
    "invalid_time": 400,
    "items_required": 422,
    "limit_reached": 409,
    "legal_limit_passed": 409,
    "link_expired": 410,
    "link_invalid": 404,
    "locked": 429,
    "materials_missing": 422,
    "matter_not_served": 422,
    "matter_required": 400,
    "mismatch_note_required": 400,
    "no_account": 422,  # issue 17: a check digit, a real birth date, a registered account: no schema states them (was 400)
    "no_applicant": 422,
    "no_hall": 403,
    "no_pending_appeal": 409,
    "no_phone": 404,
    "no_post": 403,
    "no_visit_needed": 409,
    "no_window": 403,
    "not_answered": 409,
    "not_assignee": 409,  # also raised with {403: 1} (kept by status_code= until decided)
    "not_bookable": 422,
    "not_bookable_day": 422,
    "not_citizen": 403,
    "not_elderly": 422,
    "not_found": 404,
    "not_full": 409,
    "not_owner": 403,
    "not_ready": 409,
    "not_registered": 404,
    "not_released": 422,
    "not_supervisor": 403,
    # issue 15: a ticket opens the originals check of the case its visit was booked for, no other
    "not_this_applicant": 403,
    "not_today": 422,
    "not_your_window": 403,
    "offer_expired": 409,
    "original_unchecked": 422,
    "outside_hours": 409,
    "part_waits": 422,  # a 一件事 part waiting for another takes no answer at the window yet
    "past_date": 400,
    "personal_data": 400,
    "query_too_long": 400,
    "rate_limited": 429,
    "reason_required": 422,  # also raised with {400: 3} (kept by status_code= until decided)
    "refer_to_too_long": 422,
    "recall_limit": 409,
    "rule_violation": 422,
    "same_group": 422,
    "slot_full": 409,
    "stale": 409,  # also raised with {401: 1} (kept by status_code= until decided)
    "started": 409,
    "template_invalid": 422,
    "throttled": 429,
    "too_early": 422,
    "too_late": 422,
    "too_many_tries": 429,
    "too_soon": 422,
    "unknown_department": 400,
    "unknown_life_event": 400,
    "unknown_matter": 400,
    "unknown_mode": 400,
    "unknown_question": 422,  # issue 17: the matter's own questions, which the schema cannot name (was 400)
    "username_taken": 409,
    "waitlist_closed": 422,
    "weak_password": 422,  # issue 17: the password policy, which the schema cannot state (was 400)
    "wrong_department": 422,
    "wrong_evidence": 422,
    "wrong_group": 422,  # also raised with {400: 1} (kept by status_code= until decided)
    "wrong_hall": 422,
    "wrong_material": 422,
    "wrong_matter": 422,
    "wrong_method": 409,
    # errB (consult, ratings, reports): the codes of a missing or too long text field — text_required()'s
    # "<field>_required"/"<field>_too_long" in consult, _text()'s in ratings — answer 400 as they always did.
    "title_required": 400,
    "title_too_long": 400,
    "content_required": 400,
    "content_too_long": 400,
    "caller_name_required": 400,
    "caller_name_too_long": 400,
    "note_required": 400,
    "note_too_long": 400,
    "body_required": 400,
    "body_too_long": 400,
    "question_required": 400,
    "question_too_long": 400,
    "answer_required": 400,
    "answer_too_long": 400,
    # Were "reason_required"/"reason_too_long", which answer 422 elsewhere: these answered 400.
    "extension_reason_required": 400,
    "extension_reason_too_long": 400,
    "reveal_reason_required": 400,
    "reveal_reason_too_long": 400,
    "appeal_reason_required": 400,
    "summary_required": 400,
    "fix_required": 400,
    # A view that takes files, sent no form at all (MultipartApiView below).
    "form_required": 400,
    "reply_required": 400,
    # Was "not_assignee" (409 elsewhere): only the staff member named to call a rater back, 403 as before.
    "not_callback_assignee": 403,
    # errA
    "access_reason_required": 400,
    "answer_invalid": 422,  # issue 17: the matter's own questions, which the schema cannot name (was 400)
    "closure_reason_required": 400,
    "concurrent_edit": 409,
    "group_not_in_hall": 400,
    "unknown_decision": 422,
    "unknown_procedure": 422,
    "waiver_reason_required": 400,
    # errC
    "invalid_channel": 400,
    "invalid_language": 400,
    "request_expired": 401,
    # Real-name verification (apps/shared/accounts)
    "already_verified": 409,
    "card_not_checked": 400,
    "changed": 409,
    "claimant_not_found": 404,
    "invalid_code": 422,  # issue 17: a well-formed code or challenge that is wrong or expired (was 400)
    "not_applicable": 422,
    "phone_unverified": 409,
    "registry_mismatch": 400,
    "registry_unavailable": 503,
    "resend_too_soon": 429,
    "sms_unavailable": 503,
    "takeover_reason_required": 400,
    "too_many_codes": 429,
    # The personal-information lifecycle (apps/shared/privacy)
    "consent_required": 400,
    "open_case": 409,
    "upcoming_appointment": 409,
    "wrong_password": 403,
    # Central's review (issue 13, central): a case is worked on by whoever holds it, its steps passed in order
    # before a decision; an extension waits for the head's approval; a transfer goes to another department.
    "extension_pending": 409,
    "no_extension_request": 409,
    "not_claimed": 409,
    "own_request": 403,
    "same_department": 422,
    "steps_incomplete": 409,
    # 容缺 items owed past their deadline: no decision until they come (the case is suspended at review).
    "commitment_owed": 409,
    # Central's staff posts (issue 13): a post is for central's approvers and supervisors; a person holding open
    # cases is not moved away from them.
    "not_central_staff": 422,
    "holds_cases": 409,
    # A holiday year's notice that cannot be published as written (a bad date, a statutory year).
    "calendar_invalid": 400,
    # A registry file the supervisors' page cannot read (not UTF-8 JSON or CSV).
    "file_unreadable": 400,
    # Issue 13, intake (行政许可法 Art. 32): the limit passed with no decision (accepted by law); a notice
    # the applicant has not answered yet is never followed by another.
    "intake_limit_passed": 409,
    "notice_outstanding": 409,
    # Issue 15, online applications (apps/front/online): an answer of the application form that is not what its
    # field takes; a submission with required answers missing, or without the applicant's declaration; a
    # matter not applied for online.
    "declaration_required": 422,
    "draft_exists": 409,
    "form_incomplete": 422,
    "form_invalid": 400,
    "not_online": 422,
    # 一件事 by one booked hall visit: the bundle is not offered that way (apps/front/online/services/bundle_visits.py).
    "no_visit": 422,
    # A bundle's visit at intake's single-matter outcomes: it is accepted on its own window page.
    "bundle_ticket": 409,
    # Issue 15: legal persons and people acting for others (apps/front/mandates). An agent outside their scope
    # is forbidden (403) with the reason; a matter's own rule (who it serves, whether agents may act) is 422.
    "acts_required": 400,
    "agent_name_mismatch": 422,
    "agent_not_registered": 422,
    "agent_not_verified": 403,
    "agent_required": 422,
    "agents_not_allowed": 422,
    "company_mismatch": 400,
    "company_registered": 409,
    "invalid_credit_code": 400,
    "invalid_validity": 400,
    "letter_required": 400,
    "mandate_expired": 403,
    "mandate_not_yet_valid": 403,
    "mandate_out_of_scope": 403,
    "mandate_revoked": 403,
    "mandate_unconfirmed": 403,
    "matter_not_for_companies": 422,
    "matter_not_for_persons": 422,
    "no_mandate": 403,
    "not_representative": 403,
    "represents_company": 409,
    "scope_required": 400,
    "self_mandate": 422,
    "verification_required": 403,
    "wrong_applicant": 422,
    # Remote virtual window (issue 14: apps/front/remote, apps/central/remote; its missing consent is
    # consent_required, above)
    "identity_unconfirmed": 422,
    "join_refused": 403,
    "remote_unavailable": 503,
    "recording_off": 403,
    "not_a_recording": 422,
    # Shared licences and one person across platforms (issue 16: apps/central/licences, intake's
    # shared.py; a question without the citizen's consent is consent_required, above)
    "no_case": 403,
    "not_needed": 403,
    "purpose_required": 400,
    "licences_unavailable": 503,
    "not_a_platform": 403,
}
STATUS_BY_CLASS: tuple[tuple[type[DomainError], int], ...] = (
    (Throttled, 429),
    (Busy, 429),
    (Conflict, 409),
    (DomainError, 422),
)


def status_for(error: DomainError) -> int:
    """The HTTP status of a refusal: its code's, else its kind's."""
    if error.status_override is not None:
        return error.status_override
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    return next(status for cls, status in STATUS_BY_CLASS if isinstance(error, cls))


def error_body(code: str, detail: Any, status: int) -> JsonResponse:
    """The API's error body outside DRF (plain JSON views, the error handlers, refusals before the view), its
    text as UTF-8 like DRF's answers (not ``\\uXXXX`` escapes)."""
    return JsonResponse({"code": code, "detail": str(detail)}, status=status, json_dumps_params={"ensure_ascii": False})


def error_json(error: DomainError) -> JsonResponse:
    """A refusal answered by a plain (non-DRF) JSON view: the API's error body and status; a refusal that names
    its fields (an application form's answers, apps.shared.catalog.formfields.FormInvalid) adds ``errors``,
    by field, as the API's form answers do."""
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict) and errors:
        body = {"code": error.code, "detail": str(error.detail), "errors": {str(k): str(v) for k, v in errors.items()}}
        return JsonResponse(body, status=status_for(error), json_dumps_params={"ensure_ascii": False})
    return error_body(error.code, error.detail, status_for(error))


# In the reader's language (Chinese first, English with Accept-Language: en), like every other answer.
NOT_FOUND = gettext_lazy("未找到，或您无权查看。")
FORBIDDEN = gettext_lazy("您无权执行此操作。")

# PostgreSQL: lock_not_available (our lock_timeout ran out) and deadlock_detected. Both mean "busy":
# nothing was written, and the same request may simply be sent again.
BUSY_SQLSTATES = frozenset({"55P03", "40P01"})


def exception_handler(exc, context):
    if isinstance(exc, OperationalError) and getattr(exc.__cause__, "pgcode", None) in BUSY_SQLSTATES:
        exc = Busy(_("系统繁忙，请稍后重试。"))
    if isinstance(exc, CalendarUnknown):
        # Fails closed (DOMAIN.md §3): a limit in working days that reaches an unpublished year is not guessed.
        exc = Conflict(
            _("%(year)s年的节假日安排尚未发布，请联系管理员在“工作日调整”中发布后再试。") % {"year": exc.year},
            code="calendar_unknown",
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(NOT_FOUND))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(FORBIDDEN))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    elif isinstance(exc, exceptions.ParseError):
        # DRF's own text is the parser's English ("JSON parse error - Expecting property name ...").
        exc = exceptions.ParseError(_("请求内容格式有误，无法解析。"))
    if isinstance(exc, DomainError):
        # A domain refusal is no DRF exception: the status comes from its code, here and nowhere else.
        headers = {}
        if isinstance(exc, Busy):
            headers["Retry-After"] = "1"
        elif isinstance(exc, Throttled) and exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
        answer = Response({"code": exc.code, "detail": str(exc.message)}, status=status_for(exc), headers=headers)
        # An expected refusal (a full slot, a rule, a limit) is an answer, not a fault: no warning line per
        # request from django.request (a flash crowd's thousands of 409s). Faults (5xx) are still logged.
        answer._has_been_logged = True  # type: ignore[attr-defined]  # Django's own mark: log_response skips it
        return answer
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        detail = _("提交的数据有误。")
        return Response({"code": code, "detail": detail, "errors": response.data}, status=response.status_code)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        detail = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
    return Response({"code": code, "detail": str(detail)}, status=response.status_code, headers=dict(response.headers))


class MultipartApiView(APIView):
    """An API view that takes files: its body is multipart/form-data, read as a form. A POST, PUT or PATCH
    without such a body (none at all, or an empty one of another type) is refused with 400 ``form_required``
    once the caller is authenticated and allowed: DRF would hand the view a plain dict where it reads a form
    (``request.data.getlist``), a 500. A body of another media type stays DRF's 415."""

    parser_classes = [MultiPartParser]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("POST", "PUT", "PATCH") and not isinstance(request.data, QueryDict):
            raise DomainError(_("请以 multipart/form-data 表单提交（可不含文件）。"), code="form_required")


# --- Django's own error answers (handler400/403/404/500 of both sites' URLconfs) --------------------------
# Under /api/ they are the API's error body, not an HTML page: a URL that matches no route (a path
# parameter holding a "/", a typo), a request Django itself refuses (too many fields, a bad host), and the
# last-resort 500. Elsewhere Django's pages, from the templates.


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request, exception):
    if _is_api(request):
        return error_body("invalid", _("请求无效。"), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _is_api(request):
        return error_body("permission_denied", FORBIDDEN, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _is_api(request):
        detail = str(NOT_FOUND)
        path = request.path_info
        if not path.endswith("/") and is_valid_path(f"{path}/", getattr(request, "urlconf", None)):
            detail = _("地址应以“/”结尾：%(path)s") % {"path": f"{path}/"}
        return error_body("not_found", detail, 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return error_body("server_error", _("服务器内部错误，请稍后重试。"), 500)
    return defaults.server_error(request)
