"""Another person's identifiers in the path (the attacker's first try), swept over a site's routes: the tests are
tests/front/test_object_access.py and tests/central/test_object_access.py, which build the owner's things; here is
how each route is filled and asked."""

from __future__ import annotations

import itertools
import re

from django.test import Client
from django.urls import get_resolver

from tests.api_fuzz import served_schema
from tests.shared.test_pages_odd_requests import routes

WRITES = ("post", "put", "patch", "delete")


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def addresses(template: str, known: dict[str, list]) -> list[str]:
    """The route (Django's ``<int:code>`` or OpenAPI's ``{code}``) with every combination of known identifiers."""
    names = [a or b for a, b in PARAMETER.findall(template)]
    found = []
    for values in itertools.product(*[known.get(name) or ["1"] for name in names]):
        chosen = iter(values)
        found.append("/" + PARAMETER.sub(lambda _m, chosen=chosen: str(next(chosen)), template).lstrip("/"))
    return found


def api_leaks(owner, other, anonymous, known: dict[str, list]) -> tuple[int, list[str]]:
    """How many reads reach the owner's things for the owner, and what ``other`` reaches or does that is not public."""
    owners, leaks = 0, []
    for template, operations in served_schema()["paths"].items():
        if "{" not in template:
            continue
        for path in addresses(template, known):
            for method in operations:
                if method == "get":
                    owners += 200 <= owner.get(path).status_code < 300
                    theirs = other.get(path)
                    if 200 <= theirs.status_code < 300:
                        public = anonymous.get(path)
                        if (public.status_code, public.content) != (theirs.status_code, theirs.content):
                            leaks.append(f"GET {path}: {theirs.status_code} {theirs.content[:120]!r}")
                elif method in WRITES:
                    done = getattr(other, method)(path, {}, format="json")
                    if 200 <= done.status_code < 300:
                        leaks.append(f"{method.upper()} {path}: {done.status_code} {done.content[:120]!r}")
    return owners, leaks


def page_leaks(owner: Client, other: Client, known: dict[str, list], marks: list[str]) -> tuple[int, list[str]]:
    """How many pages of the site with the owner's identifiers answer the owner 200, and which of them answer
    ``other`` 200 showing one of ``marks`` (the owner's codes, numbers, name) not already in the address. ``other``
    also posts each address empty (a page's form or action): the caller checks that the owner's things did not
    move."""
    owners, leaks = 0, []
    for route in routes(get_resolver().url_patterns):
        if route.startswith(("^", "api/")) or "(?P" in route or "<" not in route:
            continue
        for path in addresses(route, known):
            owners += owner.get(path).status_code == 200
            other.post(path, {})
            answer = other.get(path)
            if answer.status_code == 200:
                shown = answer.content.decode(errors="replace")
                if found := [mark for mark in marks if mark in shown and mark not in path]:
                    leaks.append(f"GET {path}: shows {found}")
    return owners, leaks
