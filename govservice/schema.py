"""The OpenAPI schema of both sites (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]): drf-spectacular's, with every
operation's error answers in the one error body of govservice/api.py's exception handler."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from govservice import errorcodes

# --- Input the schema can say more about than its type (issue 17: what the server checks is in the schema) ---

# A resident ID number's shape (GB 11643: 17 digits with a real birth date, then a digit or X); its check digit
# is named by the format, which a client (and the fuzz run, tests/api_fuzz.py) can compute.
ID_NUMBER_PATTERN = r"^ *[0-9]{6}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx] *$"
ID_NUMBER_FORMAT = "cn-resident-id"


class IdNumberField(serializers.CharField):
    """A resident ID number (checked by the service: govservice/lib/idcard.py), documented as format
    ``cn-resident-id`` with its pattern; blank where it is optional and blank is allowed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("write_only", True)
        super().__init__(**kwargs)
        pattern = ID_NUMBER_PATTERN if not self.allow_blank else f"^$|{ID_NUMBER_PATTERN}"
        self.schema_extra = {"format": ID_NUMBER_FORMAT, "pattern": pattern}


class CheckedCharField(serializers.CharField):
    """Text a service checks against a pattern (it answers its own code when it does not match): the
    pattern is documented here, the check stays in the service."""

    def __init__(self, *, pattern: str, **kwargs):
        super().__init__(**kwargs)
        self.schema_extra = {"pattern": pattern}


class ConsentField(serializers.BooleanField):
    """A consent the request needs: documented as ``true`` only (false answers consent_required)."""

    schema_extra = {"enum": [True]}


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
    # Only where a code of the operation answers them (errorcodes below).
    410: "The link has expired.",
    503: "A service this operation needs (the SMS gateway, a registry, the other site) is unavailable now.",
}

# The codes the edge itself answers, whatever the operation (govservice/api.py exception_handler,
# govservice/middleware.py, govservice/parsers.py): DRF's exceptions by their default code, a NUL in the path
# or query, a body too large, a busy database.
EDGE_CODES: dict[int, tuple[str, ...]] = {
    400: ("invalid",),
    401: ("not_authenticated", "authentication_failed"),
    403: ("permission_denied",),
    404: ("not_found",),
    413: ("too_large",),
    415: ("unsupported_media_type",),
    429: ("throttled", "busy"),
}
# With a request body: it may not parse.
BODY_CODES: dict[int, tuple[str, ...]] = {400: ("parse_error",)}

# The project's methods of a view (and of its serializer) that run for an operation besides its handler: the
# codes they raise are the operation's too.
VIEW_HOOKS = (
    "initial",
    "get_object",
    "get_queryset",
    "perform_create",
    "perform_update",
    "perform_destroy",
    "create",
    "update",
    "partial_update",
    "destroy",
    "list",
    "retrieve",
)
SERIALIZER_HOOKS = ("validate", "create", "update", "save", "to_internal_value")

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

    def _get_request_body(self, direction="request"):
        # A body whose serializer states a rule between its fields (schema_extra) cannot be left out.
        body = super()._get_request_body(direction)
        serializer = self.get_request_serializer() if self.method in ("POST", "PUT", "PATCH") else None
        if body and getattr(serializer, "schema_extra", None):
            body["required"] = True
        return body

    def _map_basic_serializer(self, serializer, direction):
        # A serializer may say what its fields' types cannot: e.g. one of two fields required (schema_extra).
        schema = super()._map_basic_serializer(serializer, direction)
        extra = getattr(serializer, "schema_extra", None)
        if extra and direction == "request":
            schema = {**schema, **extra}
        return schema

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        extra = getattr(field, "schema_extra", None)
        if extra and isinstance(schema, dict) and "$ref" not in schema:
            schema = {**schema, **extra}
            if "pattern" in extra:
                schema.pop("maxLength", None)  # the pattern says the length (spaces around are stripped)
        return schema

    def operation_codes(self) -> dict[int, set[str]]:
        """The stable codes this operation can answer, by status: what its handler, the view's hooks and the
        serializer's methods raise in this project (govservice/errorcodes.py reads them from the source, so
        the list follows the code), mapped to statuses as the edge maps them (govservice.api.status_for)."""
        from govservice.api import MultipartApiView

        view_class = type(self.view)
        functions: list[tuple[Any, type | None]] = []
        handler = getattr(view_class, self.method.lower(), None)
        action = getattr(self.view, "action", None)
        if action:
            handler = getattr(view_class, action, handler)
        if handler is not None:
            functions.append((handler, view_class))
        functions += [(getattr(view_class, name), view_class) for name in VIEW_HOOKS if hasattr(view_class, name)]
        # The request's serializer where @extend_schema names it, else the view's own (an APIView has none:
        # asking drf-spectacular to guess would count an error).
        serializers_used = []
        if (
            self.method in ("POST", "PUT", "PATCH")
            and type(self).get_request_serializer is not AutoSchema.get_request_serializer
        ):
            serializers_used.append(self.get_request_serializer())
        if hasattr(self.view, "get_serializer"):
            serializers_used.append(self._get_serializer())
        for serializer in serializers_used:
            serializer_class = serializer if isinstance(serializer, type) else type(serializer)
            if not issubclass(serializer_class, serializers.BaseSerializer):
                continue  # none, or a dict of media types
            functions += [
                (getattr(serializer_class, name), serializer_class)
                for name in dir(serializer_class)
                if name in SERIALIZER_HOOKS or name.startswith("validate_")
            ]
        by_status: dict[int, set[str]] = {}
        for code, status in errorcodes.codes_of(functions):
            by_status.setdefault(status, set()).add(code)
        if isinstance(self.view, MultipartApiView):
            by_status.setdefault(400, set()).add("form_required")
        return by_status

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        error = self.resolve_serializer(ErrorSerializer, "response").ref
        responses = operation["responses"]
        codes = self.operation_codes()
        statuses = baseline = set(self.error_statuses(operation))
        # 409 and 422 only where a code answers them; any other status a code of the operation answers.
        statuses = (statuses - ({409, 422} - set(codes))) | (set(codes) & set(ERROR_DESCRIPTIONS))
        for status in sorted(statuses):
            # The edge's own codes where the edge can answer that status (a view without credentials no 401 of its own).
            edge = EDGE_CODES.get(status, ()) if status in baseline else ()
            known = set(codes.get(status, ())) | set(edge)
            if "requestBody" in operation:
                known |= set(BODY_CODES.get(status, ()))
            listed = sorted(known)
            if str(status) not in responses:
                answer: dict = {
                    "description": f"{ERROR_DESCRIPTIONS[status]} Codes: {', '.join(listed)}.",
                    "content": {"application/json": {"schema": self.error_schema(error, listed)}},
                }
                if status == 401:
                    answer["headers"] = WWW_AUTHENTICATE
                responses[str(status)] = answer
            else:
                # Documented by the operation itself: its codes are added to what it says.
                responses[str(status)]["x-error-codes"] = listed
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    @staticmethod
    def error_schema(error: dict, codes: list[str]) -> dict:
        """The shared error body, its ``code`` one of ``codes`` (also under x-error-codes, for tools that
        read no allOf)."""
        return {
            "allOf": [error, {"type": "object", "properties": {"code": {"type": "string", "enum": codes}}}],
            "x-error-codes": codes,
        }
