"""Another citizen reaches nothing of a citizen's through the API (the attacker's first try: someone else's
identifiers in the path). Every operation of the front's OpenAPI schema that takes an identifier is called with the
real identifiers of one citizen's things — appointments, a consultation, a window case, an online application and
its files, its case, a waitlist entry, a mandate, a company — as another verified citizen:

- a read answers no 2xx unless it is public (the same answer an anonymous caller gets: a matter's guide, its FAQ);
- a write sent with an empty body never succeeds (the action endpoints that need no body — cancel, withdraw,
  revoke, confirm … — are the dangerous ones).

The owner reads the same paths first, so the identifiers are shown to reach real things (else the test proves
nothing). Per-feature tests say *which* refusal each one gives; this one sweeps them all, new operations included."""

from __future__ import annotations

import itertools
import re

import pytest

from apps.front.online.models import ApplicationFile
from tests.api_fuzz import served_schema
from tests.front.online.conftest import fill, make_online_matter, start, submit
from tests.front.test_fuzz_api import small_hall

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")


def paths_with(template: str, known: dict[str, list]) -> list[str]:
    names = re.findall(r"\{([^}]+)\}", template)
    combos = itertools.product(*[known.get(name) or ["0"] for name in names])
    paths = []
    for values in combos:
        path = template
        for name, value in zip(names, values, strict=True):
            path = path.replace("{" + name + "}", str(value))
        paths.append(path)
    return paths


def test_another_citizen_reaches_nothing_of_a_citizens(api, hall, matter, citizen, other_citizen, clerk, central_peer):
    known = small_hall(hall, matter, citizen, clerk)
    online = make_online_matter(hall)
    submitted = start(api, citizen, online)["code"]
    fill(api, citizen, submitted)
    number = submit(api, citizen, submitted)["case"]["number"]
    draft = start(api, citizen, online)["code"]  # a new draft beside the submitted one
    files = list(ApplicationFile.objects.values_list("id", flat=True))
    known["code"] += [submitted, draft]
    known["number"].append(number)
    known["file_id"] = known["material_id"] = files
    owner, other, anonymous = api(citizen), api(other_citizen), api(None)

    owners, leaks = 0, []
    for template, operations in served_schema()["paths"].items():
        if "{" not in template:
            continue
        for path in paths_with(template, known):
            for method in operations:
                if method == "get":
                    if 200 <= owner.get(path).status_code < 300:
                        owners += 1
                    theirs = other.get(path)
                    if 200 <= theirs.status_code < 300:
                        public = anonymous.get(path)
                        if (public.status_code, public.content) != (theirs.status_code, theirs.content):
                            leaks.append(f"GET {path}: {theirs.status_code} {theirs.content[:120]!r}")
                elif method in WRITES:
                    done = getattr(other, method)(path, {}, format="json")
                    if 200 <= done.status_code < 300:
                        leaks.append(f"{method.upper()} {path}: {done.status_code} {done.content[:120]!r}")
    assert not leaks, "\n".join(leaks)
    # The owner's own reads reached their things: the identifiers above are real.
    assert owners >= 15, owners
