"""Every lifecycle of the central site is covered: each status entered and left by a test, or removed (issue 13,
"Done when"; the front's equivalent is tests/front/test_status_reach.py).

Central's lifecycles are the models with a ``TRANSITIONS`` map. The review case and its extension request are
covered by tests/central/test_review_lifecycle.py, which makes every edge itself through the services. The remote
window's session (apps/central/remote, lifecycle in apps/shared/exchange/remote.py) is covered here as the front
covers its own: the table names, for the status a session is created in and for every edge of its map, an existing
test of tests/central/remote that makes the move through the page, the relay or the job a person or the beat uses;
the last test runs those tests with the lifecycle trace (tests/lifecycle_trace.py) and checks that each made its
move. The outbox's lifecycle is the exchange's shared code, covered by the front's table.

The first test fails when central gains a lifecycle nobody covers; the others when the session's map gains an
edge or a status that the table does not name (or loses one), when a status is entered by nothing or never left,
or when a named test does not exist or does not make its move.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps

from tests.status_reach import check_named_tests_exist, check_row
from tests.status_reach import named_tests as reach_named_tests

ROOT = Path(__file__).resolve().parents[2]
REMOTE = "tests/central/remote/"

# Where each lifecycle of central is proved.
COVERED_BY = {
    "review.ReviewCase.status": "tests/central/test_review_lifecycle.py",
    "review.ExtensionRequest.status": "tests/central/test_review_lifecycle.py",
    "remote.RemoteSession.status": "tests/central/test_status_reach.py",  # TABLE below
    "exchange.OutboxMessage.status": "tests/front/test_status_reach.py",  # the same shared code at both sites
}

# lifecycle -> {"entries": {status: test}, "edges": {(from, to): test}}
TABLE: dict[str, dict[str, dict]] = {
    "remote.RemoteSession.status": {
        "entries": {
            # asked for by a hall's kiosk over the signed relay
            "ringing": REMOTE
            + "test_join_tickets.py::test_it_opens_a_ringing_session_in_the_matters_department_with_a_ticket",
        },
        "edges": {
            # answered from the department's queue page (also: the race of two staff, test_answering.py)
            ("ringing", "active"): REMOTE
            + "test_answering.py::test_the_department_sees_the_session_ringing_and_answers_it",
            # nobody answered in time: the beat's job ends it (also: the hall withdraws, test_answering.py
            # ::test_the_hall_may_withdraw_a_ringing_request)
            ("ringing", "ended"): REMOTE + "test_answering.py::test_a_session_nobody_answers_ends_and_tells_the_hall",
            # hung up from the page (also: concluded with an outcome, test_live.py; the hall gone for good, the
            # job in test_answering.py::test_a_call_whose_hall_is_gone_for_good_ends_and_the_front_is_told)
            ("active", "ended"): REMOTE + "test_live.py::test_either_side_may_hang_up_and_the_front_is_told",
        },
    },
}


def lifecycles() -> dict[str, dict[str, frozenset[str]]]:
    return {
        f"{model._meta.label}.status": {str(s): frozenset(map(str, t)) for s, t in model.TRANSITIONS.items()}
        for model in apps.get_models()
        if getattr(model, "TRANSITIONS", None) is not None
    }


def test_every_lifecycle_of_central_is_covered_somewhere():
    assert set(lifecycles()) == set(COVERED_BY)
    for path in COVERED_BY.values():
        assert (ROOT / path).is_file(), path
    assert {name for name, path in COVERED_BY.items() if path.endswith("central/test_status_reach.py")} == set(TABLE)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_every_edge_is_named_and_every_status_entered_and_left(name):
    check_row(name, TABLE[name], lifecycles()[name])


def named_tests() -> set[str]:
    return reach_named_tests(TABLE)


def test_every_named_test_exists():
    check_named_tests_exist(TABLE)


def test_the_named_tests_make_their_moves(tmp_path):
    """Runs the named tests (in a process of their own, their own database) with the lifecycle trace on, and
    checks each made what the table says it makes."""
    trace = tmp_path / "trace.jsonl"
    env = {
        **os.environ,
        "SITE_ROLE": "central",
        "LIFECYCLE_TRACE": str(trace),
        "TEST_DB_SUFFIX": os.environ.get("TEST_DB_SUFFIX", "") + "reach",
    }
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", *sorted(named_tests())],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    made = {
        (row["test"], f"{row['model']}.{row['field']}", row["from"], row["to"])
        for row in map(json.loads, trace.read_text().splitlines())
    }
    missing = []
    for name, row in TABLE.items():
        for status, test in row["entries"].items():
            if (test, name, "", status) not in made:
                missing.append(f"{test} creates no {name} in {status}")
        for (source, target), test in row["edges"].items():
            if (test, name, source, target) not in made:
                missing.append(f"{test} makes no {name} {source} -> {target}")
    assert not missing, "\n".join(missing)
