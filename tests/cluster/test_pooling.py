"""PgBouncer in transaction pooling gives each transaction whichever server session is free, so the code must
keep no state in a session: no session-level advisory lock, LISTEN, PREPARE (but the booking read's, switched
off by DB_TRANSACTION_POOLING), session SET, WITH HOLD cursor or temporary table. The cluster tests run it all
through PgBouncer; this looks for the constructs in the source, so a new one is caught without them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FASTPATH = ROOT / "apps/front/booking/fastpath.py"

SESSION_STATE = {
    "a session-level advisory lock": re.compile(r"pg_(try_)?advisory_lock(_shared)?\s*\(", re.I),
    "LISTEN / UNLISTEN": re.compile(r"[\"'\s](UN)?LISTEN\s+\w", re.I),
    "PREPARE": re.compile(r"[\"'\s]PREPARE\s+\w", re.I),
    "a session SET": re.compile(r"[\"']\s*SET\s+(?!LOCAL\b)(?!CONSTRAINTS\b)\w+\s*(=|TO\b)", re.I),
    "set_config outside the transaction": re.compile(r"set_config\([^)]*,\s*false\s*\)", re.I),
    "a WITH HOLD cursor": re.compile(r"WITH\s+HOLD", re.I),
    "a temporary table": re.compile(r"CREATE\s+TEMP(ORARY)?\s+TABLE", re.I),
}


def sources():
    for folder in ("apps", "govservice"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_session_state_outside_the_booking_fast_path():
    found = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in sources()
        if path != FASTPATH
        for what, pattern in SESSION_STATE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_fast_paths_session_lock_is_given_back_in_the_statement_that_takes_it():
    # The early look at the citizen's booking lock takes it shared and releases it in one expression, so it
    # never outlives the statement (one statement is one transaction, on one server session, under pooling).
    text = FASTPATH.read_text(encoding="utf-8")
    takes = re.findall(r"pg_try_advisory_lock_shared\(\{key\}\) THEN pg_advisory_unlock_shared\(\{key\}\)", text)
    assert len(takes) == 1
    assert len(re.findall(r"pg_(try_)?advisory_lock(_shared)?\(", text)) == 1


def test_transaction_pooling_turns_off_what_needs_a_session():
    code = (
        "import json; from django.conf import settings as s; from apps.front.booking.conf import booking_conf as b; "
        "print(json.dumps([s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False), "
        "b.BOOKING_PREPARED_STATEMENTS, 'options' in s.DATABASES['default']['OPTIONS']]))"
    )
    answers = {}
    for pooling in ("0", "1"):
        env = {**os.environ, "SITE_ROLE": "front", "DB_TRANSACTION_POOLING": pooling}
        out = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "govservice.settings"}, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        answers[pooling] = json.loads(out.strip().splitlines()[-1])
    # Off: PREPARE on, timeouts sent at connection. On: no server-side cursors, no PREPARE, no startup options.
    assert answers == {"0": [False, True, True], "1": [True, False, False]}
