"""Schemathesis against a site's own OpenAPI schema, in process (WSGI) on the test database.

Each site's tests/<role>/test_fuzz_api.py runs two tests over every operation of the schema the site serves
at /api/schema/; every generated request goes through the whole middleware stack of the real Django
application, in the test's transaction on the real PostgreSQL:

- fuzzing: random valid and invalid requests, FUZZ_MAX_EXAMPLES per operation, once per persona
  (unauthenticated, and a token of each kind of user), so the authentication boundary is fuzzed too;
- coverage: schemathesis' systematic cases (each field missing, at and past its limits, of the wrong type,
  an undeclared media type …), once per operation, as the first persona that may call it.

Bounded and reproducible: a fixed seed, derandomized generation, no example database, no deadline, frozen
time. The checks: all of schemathesis' (POSITIVE_DATA_ACCEPTANCE below says what valid data may answer).

The signed wire (/api/v1/exchange/messages/) and central's registry question are plain Django views outside
the schema: their callers are the other site, authenticated by a signature over the body, not a token
(tests/shared/test_signed_headers.py, tests/shared/exchange/, tests/faults/ test their refusals).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from collections.abc import Iterator

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis.config import SchemathesisConfig
from werkzeug.test import Client

from govservice.lib import idcard
from govservice.schema import ID_NUMBER_FORMAT

# Small enough for `make test` on two cores, large enough to reach the parsers and the serializers.
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))
SEED = int(os.environ.get("FUZZ_SEED", "20260612"))

# Every check of schemathesis: no server error; only documented statuses; bodies (their error codes too: each
# operation's enum, govservice/errorcodes.py), headers and media types as documented; schema-violating requests
# refused; a missing required header refused; authentication not ignored; unsupported methods answered 405
# with Allow; and positive data acceptance (issue 17): a request that fits the schema is never 400. What the
# schema cannot know — a credential, a code sent by SMS, an identifier that names nothing, a rule between valid
# values — is 401, 404, 409 or 422 (the service's rule refused it: govservice/schema.py ERROR_DESCRIPTIONS), so
# 422 joins the statuses that check accepts. FUZZ_POSITIVE=0 leaves it out (to see the others alone).
POSITIVE_DATA_ACCEPTANCE = os.environ.get("FUZZ_POSITIVE", "1") != "0"
ACCEPTED_FOR_VALID_DATA = ["2xx", "401", "403", "404", "409", "422", "429"]


def fuzz_config(phase: str) -> SchemathesisConfig:
    """``phase``: "fuzzing" or "coverage" (the other phases are off)."""
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            # No NUL in generated text: every one answers 400 at the edge before the operation (govservice/middleware.py,
            # parsers.py; tests/shared/test_api_edge.py), which would hide the operation from the fuzz.
            "generation": {
                "max-examples": MAX_EXAMPLES,
                "deterministic": True,
                "database": "none",
                "mode": "all",
                "allow-x00": False,
            },
            "phases": {
                "examples": {"enabled": False},
                "fuzzing": {"enabled": phase == "fuzzing"},
                "coverage": {"enabled": phase == "coverage"},
                "stateful": {"enabled": False},
            },
            "checks": {
                "enabled": True,
                "positive_data_acceptance": {
                    "enabled": POSITIVE_DATA_ACCEPTANCE,
                    "expected-statuses": ACCEPTED_FOR_VALID_DATA,
                },
            },
        }
    )


def resident_id_numbers() -> st.SearchStrategy[str]:
    """Valid ``cn-resident-id`` values (govservice/schema.py IdNumberField): an area, a real birth date, a
    sequence and the check digit of GB 11643, computed as a client would."""
    first17 = st.builds(
        lambda area, born, seq: f"{area:06d}{born:%Y%m%d}{seq:03d}",
        st.integers(110000, 659999),
        st.dates(dt.date(1930, 1, 1), dt.date(2008, 12, 31)),
        st.integers(0, 999),
    )
    return first17.map(lambda digits: digits + idcard.check_char(digits))


schemathesis.openapi.format(ID_NUMBER_FORMAT, resident_id_numbers())


def served_schema() -> dict:
    """The OpenAPI document exactly as /api/schema/ renders it (generated here: no request at collection)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


def site_schema(phase: str):
    schema = schemathesis.openapi.from_dict(served_schema(), config=fuzz_config(phase))
    schema.app = get_wsgi_application()
    schema.location = "/api/schema/"
    known_path_values(schema)
    return schema


# --- The test's data --------------------------------------------------------------------------------------

# Path parameter name -> values that name something in the running test's data (its fixture fills them).
KNOWN: dict[str, list] = {}


def known_path_values(schema) -> None:
    """Half of the generated path parameters are replaced by real identifiers of the test's data, read when
    each example is drawn: random ones would stop at 404 before any body is read."""

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        names = [name for name in path_parameters or {} if KNOWN.get(name)]
        if not names:
            return st.just(path_parameters)
        real = st.fixed_dictionaries({name: st.sampled_from(KNOWN[name]) for name in names})
        return st.one_of(st.just(path_parameters), real.map(lambda values: {**path_parameters, **values}))


def token_headers(user) -> dict[str, str]:
    """An API token of ``user``, as the token endpoint gives one (its id is a known ``token_id``)."""
    row, token = AuthToken.objects.create(user=user)
    KNOWN.setdefault("token_id", []).append(row.token_key)
    return {"Authorization": f"Token {token}"}


@contextlib.contextmanager
def in_test_transaction() -> Iterator[None]:
    """The real WSGI handler closes the database connection at the end of each request, which would end the
    test's transaction; Django's test client leaves it open the same way, for the duration of a test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# --- Who calls an operation in the coverage test ----------------------------------------------------------


def first_allowed(label: str, personas: dict[str, dict[str, str]]) -> str:
    """The first persona (in the dict's order) that ``label`` ("POST /api/v1/…") lets in: DRF answers OPTIONS
    after authentication and permissions, without running the operation. Else the last one."""
    _method, template = label.split(" ", 1)
    path = re.sub(r"\{([^}]+)\}", lambda m: str((KNOWN.get(m.group(1)) or ["0"])[0]), template)
    # The same WSGI application as the cases (Django's test client would connect close_old_connections again).
    client = Client(get_wsgi_application())
    for name, headers in personas.items():
        response = client.options(path, headers=headers)
        if response.status_code not in (401, 403):
            return name
    return list(personas)[-1]
