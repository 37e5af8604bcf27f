"""The front's API routes: booking's are tried first under /api/v1/ (govservice/urls_front.py), which changes
no route only while no other API route could match a path that one of booking's matches."""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver, resolve

from tests.shared.test_url_layout import routes

_CONVERTER = re.compile(r"^<(?:(\w+):)?\w+>$")


def _segments_overlap(a: str, b: str) -> bool:
    """Whether some path segment could match both route segments (conservative: True when unsure)."""
    kinds = [(_CONVERTER.match(x), x) for x in (a, b)]
    if not kinds[0][0] and not kinds[1][0]:
        if "<" in a or "<" in b:  # a converter inside literal text: not worked out, assume the worst
            return True
        return a == b
    for (converter, _), (other, text) in (kinds, kinds[::-1]):
        if converter and not other and converter.group(1) == "int":
            return text.isdigit()
    return True


def could_both_match(a: str, b: str) -> bool:
    """Whether one path could match both routes (Django's ``path()`` syntax; ``path`` converters and regular
    expressions are taken to match anything)."""
    if any(marker in route for route in (a, b) for marker in ("<path:", "^", "(?P")):
        return True
    left, right = a.split("/"), b.split("/")
    return len(left) == len(right) and all(_segments_overlap(x, y) for x, y in zip(left, right, strict=True))


@pytest.mark.parametrize(
    ("a", "b", "both"),
    [
        ("appointments/<str:code>/", "appointments/<str:code>/", True),
        ("appointments/<str:code>/", "appointments/mine/", True),
        ("appointments/<str:code>/cancel/", "appointments/<str:code>/", False),
        ("waitlist/<int:entry_id>/accept/", "waitlist/all/accept/", False),
        ("waitlist/<int:entry_id>/accept/", "waitlist/12/accept/", True),
        ("slots/", "halls/", False),
        ("files/<path:rest>", "slots/", True),
    ],
)
def test_the_overlap_check_itself(a, b, both):
    assert could_both_match(a, b) is both


def test_booking_comes_first_and_no_other_api_route_could_take_its_paths():
    root = get_resolver()
    api = next(entry for entry in root.url_patterns if str(entry.pattern) == "api/v1/")
    first, *others = api.url_patterns
    assert getattr(first.urlconf_module, "__name__", "") == "apps.front.booking.urls_api"
    booking, rest = list(routes([first])), list(routes(others))
    assert len(booking) >= 10 and len(rest) >= 50
    clashes = [(ours, theirs) for ours in booking for theirs in rest if could_both_match(ours, theirs)]
    assert clashes == []
    assert resolve("/api/v1/appointments/").url_name == "api-appointments"
    assert resolve("/api/v1/auth/token/").url_name == "api-token"
