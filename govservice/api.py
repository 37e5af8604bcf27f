"""API conventions shared by both sites: errors as ``{"code": ..., "detail": ...}``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from govservice.lib.workdays import CalendarUnknown


class DomainError(exceptions.APIException):
    """A business rule refused the request. Services raise it with a Chinese-first message."""

    status_code: int = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "rule_violation"

    def __init__(self, detail: str, *, code: str | None = None, status_code: int | None = None):
        super().__init__(detail=detail, code=code or self.default_code)
        if status_code is not None:
            self.status_code = status_code
        self.error_code = code or self.default_code


class Conflict(DomainError):
    status_code: int = status.HTTP_409_CONFLICT
    default_code = "conflict"


# PostgreSQL: lock_not_available (our lock_timeout ran out) and deadlock_detected. Both mean "busy":
# nothing was written, and the same request may simply be sent again.
BUSY_SQLSTATES = frozenset({"55P03", "40P01"})


class Busy(DomainError):
    status_code: int = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "busy"


def exception_handler(exc, context):
    if isinstance(exc, OperationalError) and getattr(exc.__cause__, "pgcode", None) in BUSY_SQLSTATES:
        exc = Busy("系统繁忙，请稍后重试。 Busy, please try again.")
    if isinstance(exc, CalendarUnknown):
        # Fails closed (DOMAIN.md §3): a limit in working days that reaches an unpublished year is not guessed.
        exc = Conflict(
            f"{exc}请联系管理员在“工作日调整”中发布该年度的节假日安排后再试。 The holiday calendar of {exc.year} is not published yet.",
            code="calendar_unknown",
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("未找到，或您无权查看。 Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied("您无权执行此操作。 You may not do this.")
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    elif isinstance(exc, exceptions.ParseError):
        # DRF's own text is the parser's English ("JSON parse error - Expecting property name ...").
        exc = exceptions.ParseError("请求内容格式有误，无法解析（须为有效的 JSON）。 Malformed request body.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, DomainError):
        code = exc.error_code
        detail = str(exc.detail)
    elif isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        detail = "提交的数据有误。 Invalid input."
        return Response({"code": code, "detail": detail, "errors": response.data}, status=response.status_code)
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        detail = response.data.get("detail", str(exc)) if isinstance(response.data, dict) else str(exc)
    headers = dict(response.headers)
    if isinstance(exc, Busy):
        headers["Retry-After"] = "1"
    return Response({"code": code, "detail": str(detail)}, status=response.status_code, headers=headers)
