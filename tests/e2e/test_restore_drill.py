"""Both sites as real servers (tests/e2e/servers.py): the request id followed across the wire in their JSON
logs, which never show the citizens' ID numbers or phones; then the backup and restore drill
(bin/restore_drill.py): the front restored from a backup older than central's latest events, and
reconciliation bringing it back to central's truth with nothing lost and nothing applied twice."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.e2e.journey import accepted_case, central_decides, eventually, sign_up, token
from tests.e2e.servers import ROOT, server_dsn
from tests.factories import valid_id_number

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PEOPLE = [
    {
        "username": "drill_a",
        "real_name": "欧阳明轩",
        "id_number": valid_id_number("19770315", "110101"),
        "phone": "13700001111",
    },
    {
        "username": "drill_c",
        "real_name": "司马婉清",
        "id_number": valid_id_number("19880620", "110102"),
        "phone": "13700002222",
    },
]


def drill(*args: str, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "bin/restore_drill.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def status(site, number: str) -> str:
    return site.sql("SELECT status FROM intake_case WHERE number = %s", (number,))[0][0]


@pytest.fixture(scope="module")
def history(sites, tmp_path_factory):
    """Case A handed over and in review, case C accepted while the front's worker was down (its message
    still in the outbox): the front is backed up then. Afterwards C reaches central, central decides both,
    and the front applies both decisions; central is backed up last."""
    front, central = sites
    logs = Path(front.env["VAR_DIR"]).parent / "logs"
    backups = tmp_path_factory.mktemp("backups")
    env = {**front.env}
    for person in PEOPLE:
        sign_up(front, central, **person)
    case_a = accepted_case(front, central, token(front, PEOPLE[0]["username"], "Tongzhou-2026!"))
    eventually(lambda: status(front, case_a) == "in_review")

    for worker in list(front.workers):
        front.stop_worker(worker)
    case_c = accepted_case(front, central, token(front, PEOPLE[1]["username"], "Tongzhou-2026!"))
    assert front.sql(
        "SELECT count(*) FROM exchange_outboxmessage WHERE status = 'pending' AND ordering_key = %s", (case_c,)
    ) == [(1,)]
    old = drill(
        "backup", "--front-dsn", front.dsn, "--central-dsn", central.dsn, "--out", str(backups / "old"), env=env
    )

    front.start_worker(logs)
    for number in (case_a, case_c):
        central_decides(central, number)
    for number in (case_a, case_c):
        eventually(lambda number=number: status(front, number) == "decided", timeout=90)
    new = drill(
        "backup", "--front-dsn", front.dsn, "--central-dsn", central.dsn, "--out", str(backups / "new"), env=env
    )
    return {
        "a": case_a,
        "c": case_c,
        "front_backup": old["front"],
        "central_backup": new["central"],
        "env": env,
        "logs": logs,
        "backups": backups,
    }


def json_lines(path: Path) -> list[dict]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


def test_one_request_id_follows_a_case_across_both_sites_and_no_person_is_logged(history):
    logs = history["logs"]
    front_lines = json_lines(logs / "front-worker.log")
    central_lines = json_lines(logs / "central-web.log")
    assert front_lines and central_lines
    assert all(line["site"] == "front" for line in front_lines) and all(
        line["site"] == "central" for line in central_lines
    )
    # Case C's hand-over: the front's relay logged its delivery, central's inbox its arrival, under one id.
    sent = [line for line in front_lines if "(case.submitted) delivered" in line["message"]]
    assert len(sent) >= 2
    followed = 0
    for line in sent:
        message_id = line["message"].split()[2]
        [received] = [r for r in central_lines if message_id in r["message"] and "exchange message" in r["message"]]
        assert line["request_id"] and received["request_id"] == line["request_id"]
        followed += 1
    assert followed == len(sent)

    everything = "\n".join(p.read_text(encoding="utf-8") for p in logs.glob("*.log"))
    for person in PEOPLE:
        assert person["id_number"] not in everything
        assert person["phone"] not in everything


def test_the_front_restored_from_an_older_backup_is_brought_back_to_centrals_truth(sites, history):
    front, central = sites
    report = drill(
        "restore",
        "--front-backup",
        history["front_backup"],
        "--central-backup",
        history["central_backup"],
        "--front-media",
        front.env["MEDIA_ROOT"],
        "--central-media",
        central.env["MEDIA_ROOT"],
        "--server-dsn",
        server_dsn("postgres"),
        "--database-prefix",
        f"e2e_{uuid.uuid4().hex[:6]}",
        "--timeout",
        "240",
        "--work",
        str(history["backups"] / "drill"),
        env=history["env"],
    )
    # The restored front was behind: both decisions missing, case C's hand-over still unsent.
    assert {history["a"], history["c"]} <= set(report["before"]["disagree"]), report
    assert report["before"]["unsent"]["front"].get("pending", 0) >= 1, report
    # Reconciled: in agreement with central, nothing lost, nothing applied twice, nothing left unsent.
    assert report["ok"] is True, report
    assert report["disagree"] == [] and report["missing_at_front"] == [] and report["unknown_at_central"] == []
    assert report["decisions_applied_twice_at_front"] == [] and report["cases_twice_at_central"] == []
    assert report["unsent"] == {"front": {}, "central": {}}
    assert report["cases_at_central"] >= 2 and report["agree"] == report["cases_at_central"]
    assert "asked central about" in report["reconcile"]
