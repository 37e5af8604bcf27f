"""The wire's fault tests' key ideas through the cluster (tests/faults/test_wire_faults.py): with every central
node down behind its balancer, the front's cases wait in the outbox and are retried; when central's nodes are
back every case reaches central exactly once and every decision comes back exactly once. With one central node
killed while cases flow, the other takes them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest

from tests.faults.wire import (
    Approver,
    assert_exactly_once,
    at_central,
    create_cases,
    eventually,
    outbox_rows,
    wait_drained,
    wait_until_at_central,
    wait_until_decided,
)

pytestmark = pytest.mark.cluster


def settle(wire, numbers: list[str]) -> None:
    wait_until_at_central(wire.central, numbers, timeout=90)
    Approver(wire.central).decide_all(numbers)
    wait_until_decided(wire.front, numbers, timeout=90)
    wait_drained(wire, timeout=90)
    assert_exactly_once(wire, numbers)


def test_cases_wait_while_every_central_node_is_down_and_arrive_once_when_they_are_back(cluster_sites):
    cluster = cluster_sites.cluster
    wire = SimpleNamespace(front=cluster_sites.front, central=cluster_sites.central)
    try:
        for node in cluster.web["central"]:
            node.stop()
        eventually(lambda: {cluster.backend_status()[f"central-{i}"] for i in (1, 2)} == {"DOWN"}, timeout=15)
        batch = create_cases(wire.front, 3)

        # The balancer answers 503 with no node behind it: retried, never given up on, nothing arrives.
        def retried():
            rows = outbox_rows(wire.front, ids=batch.message_ids)
            return all(r["attempts"] >= 2 for r in rows) and rows

        rows = eventually(retried, timeout=60, what="two attempts each while central is down")
        assert {r["status"] for r in rows} == {"pending"}
        assert at_central(wire.central, batch.numbers) == {}
    finally:
        for index in range(len(cluster.web["central"])):
            cluster.restart_web("central", index)
        eventually(lambda: {cluster.backend_status()[f"central-{i}"] for i in (1, 2)} == {"UP"}, timeout=30)
    settle(wire, batch.numbers)


def test_a_central_node_killed_while_cases_flow_loses_none(cluster_sites):
    cluster = cluster_sites.cluster
    wire = SimpleNamespace(front=cluster_sites.front, central=cluster_sites.central)
    delivered = wire.front.sql("SELECT count(*) FROM exchange_outboxmessage WHERE status = 'delivered'")[0][0]
    try:
        with ThreadPoolExecutor(1) as pool:
            made = pool.submit(create_cases, wire.front, 8, pause=0.3)
            # Once the first cases are on their way: the second central node goes down under them.
            eventually(
                lambda: (
                    wire.front.sql("SELECT count(*) FROM exchange_outboxmessage WHERE status = 'delivered'")[0][0]
                    > delivered
                ),
                timeout=60,
            )
            cluster.web["central"][1].kill()
            batch = made.result()
        settle(wire, batch.numbers)
    finally:
        cluster.restart_web("central", 1)
