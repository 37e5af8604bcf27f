"""What both sites' status-reach tests check of their tables (tests/front/test_status_reach.py,
tests/central/test_status_reach.py): every edge of a lifecycle named by a test, every status entered and left, and
every named test there to run. TABLE rows are {"entries": {status: test}, "edges": {(source, target): test}}."""

from __future__ import annotations

import importlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def check_row(name: str, row: dict, transitions: dict) -> None:
    """The lifecycle ``name`` (status → the statuses it may go to) against its row of the table."""
    edges = {(source, target) for source, targets in transitions.items() for target in targets}
    named = row["edges"]
    assert set(named) == edges, (
        f"{name}: edges without a test {sorted(edges - set(named))}, gone {sorted(set(named) - edges)}"
    )
    statuses = set(transitions)
    entries = set(row["entries"])
    assert entries <= statuses, f"{name}: entries that are no status {sorted(entries - statuses)}"
    reached = entries | {target for _, target in edges}
    assert reached == statuses, f"{name}: nothing enters {sorted(statuses - reached)}"
    final = {status for status, targets in transitions.items() if not targets}
    left = {source for source, _ in edges}
    assert left == statuses - final, f"{name}: never left {sorted(statuses - final - left)}"


def named_tests(table: dict) -> set[str]:
    return {test for row in table.values() for part in ("entries", "edges") for test in row[part].values()}


def check_named_tests_exist(table: dict) -> None:
    for node in sorted(named_tests(table)):
        path, *names = node.split("::")
        assert (ROOT / path).is_file(), node
        target = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        for attribute in names:
            target = getattr(target, attribute.split("[")[0], None)
            assert target is not None, f"no test {node}"
