"""The OpenAPI schema of both sites (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): drf-spectacular's, with every
operation's error answers in the one error body of govservice/api.py's exception handler."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    """The one error body of the API (govservice/api.py exception_handler, and the refusals of govservice/middleware.py)."""

    code = serializers.CharField(
        help_text="A stable code (govservice/api.py STATUS_BY_CODE), e.g. not_found, invalid_state."
    )
    detail = serializers.CharField(help_text="One sentence for people, in the reader's language.")
    # The body's own name; the serializer metaclass moves declared fields off the class, so Serializer.errors
    # is untouched (this serializer only describes the body, it never validates one).
    errors = serializers.JSONField(  # type: ignore[assignment]
        required=False, help_text="With code invalid: the messages of each field of the input."
    )


ERROR_DESCRIPTIONS = {
    400: "The request is malformed or its input invalid (code invalid with errors per field, or parse_error).",
    401: "No credential, or a credential that is invalid or expired (WWW-Authenticate names the scheme).",
    403: "Authenticated, but not allowed to do this.",
    404: "Not found, or not yours to see.",
    409: "Conflicts with the current state (invalid_state, already_…, slot_full …).",
    413: "The request body is larger than this path accepts.",
    415: "The body is not in one of the media types of the request body.",
    422: "Well-formed but refused by a rule of the service (the code names which).",
    429: "Too many requests, or the service is busy (Retry-After when known).",
}

WWW_AUTHENTICATE = {
    "WWW-Authenticate": {
        "schema": {"type": "string"},
        "required": True,
        "description": "The scheme to authenticate with.",
    }
}


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, with the error answers every operation can give, in the shared error body:
    400, 404 and 429 always (a malformed request or a parameter that reaches nothing, a throttle or a busy
    database); 401 (with WWW-Authenticate) and 403 where the view reads credentials or requires a permission;
    409 and 422 for writes; 413 and 415 where there is a request body. A status an operation documents with
    its own ``@extend_schema(responses=...)`` keeps that operation's description."""

    WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def error_statuses(self, operation: dict) -> list[int]:
        statuses = {400, 404, 429}
        view = self.view
        if getattr(view, "authentication_classes", None) or not all(
            isinstance(p, AllowAny) for p in view.get_permissions()
        ):
            statuses |= {401, 403}
        if self.method in self.WRITE_METHODS:
            statuses |= {409, 422}
        if "requestBody" in operation:
            statuses |= {413, 415}
        return sorted(statuses)

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        responses = operation["responses"]
        for status in self.error_statuses(operation):
            if str(status) not in responses:
                answer: dict = {
                    "description": ERROR_DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": error}},
                }
                if status == 401:
                    answer["headers"] = WWW_AUTHENTICATE
                responses[str(status)] = answer
        operation["responses"] = dict(sorted(responses.items()))
        return operation
