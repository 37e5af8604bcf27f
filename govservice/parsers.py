"""The API's request parsers (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]): DRF's, refusing with 400 what they
would otherwise answer with a 500."""

from __future__ import annotations

from rest_framework import exceptions, parsers

# No request of this API nests deeper than a few levels; a body nested deeper is refused before any view
# sees it (Python's own parser gives up with RecursionError near 1,000 levels, which would be a 500).
MAX_JSON_DEPTH = 32


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


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing with 400 what it would crash on or what nests deeper than MAX_JSON_DEPTH."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = json_depth_exceeds(data, MAX_JSON_DEPTH)
        if too_deep:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        return data
