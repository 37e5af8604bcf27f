"""The API's request parsers (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"], and govservice.api.MultipartApiView):
DRF's three, refusing with 400 what would otherwise end in a 500.

- JSON nested deeper than MAX_JSON_DEPTH: no request of this API nests more than a few levels, and Python's
  own parser gives up with RecursionError near 1,000 levels.
- A NUL character in any text of the body (a JSON string or key, a form field's name or value, a file's
  name): PostgreSQL can store none (psycopg raises ValueError for text, jsonb "unsupported Unicode escape
  sequence"), and a service that reads a field without a serializer (whose CharField would refuse it) would
  save it. Uploaded files' contents are bytes and are not looked at.
"""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from govservice.lib.errors import DomainError

MAX_JSON_DEPTH = 32
NUL = "\x00"


def json_depth_exceeds(data: object, limit: int) -> bool:
    """Whether ``data`` (parsed JSON) nests lists and objects more than ``limit`` deep; iterative."""
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def json_has_nul(data: object) -> bool:
    """Whether a string or an object key anywhere in ``data`` (parsed JSON) holds a NUL; iterative."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                return True
        elif isinstance(value, dict):
            if any(NUL in key for key in value):
                return True
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def form_has_nul(data, files=None) -> bool:
    """Whether a field name or value of a parsed form (a QueryDict), or an uploaded file's name, holds a NUL."""
    if any(NUL in key or any(NUL in value for value in values) for key, values in data.lists()):
        return True
    return files is not None and any(
        NUL in key or any(NUL in (upload.name or "") for upload in uploads) for key, uploads in files.lists()
    )


def refuse_nul():
    return DomainError(_("提交的内容中含有不允许的空字符（NUL）。"), code="invalid")


def json_object(body: bytes) -> dict:
    """A plain view's JSON body (not DRF's): one object, not nested too deep, no NUL; else a DomainError
    (400) the view answers like any refusal. An empty body is an empty object."""
    try:
        data = json.loads(body or b"{}")
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict) or json_depth_exceeds(data, MAX_JSON_DEPTH):
        raise DomainError(_("请求内容格式有误。"), code="invalid")
    if json_has_nul(data):
        raise refuse_nul()
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        if json_has_nul(data):
            raise refuse_nul()
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if form_has_nul(data):
            raise refuse_nul()
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if form_has_nul(parsed.data, parsed.files):
            raise refuse_nul()
        return parsed
