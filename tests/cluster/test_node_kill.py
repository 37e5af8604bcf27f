"""A front node SIGKILLed while citizens book through the balancer: nothing is lost, nothing is booked twice,
and HAProxy routes around the dead node (its retries take requests that found it dead to the other node; a
request in flight on it when it died may be answered 502, and the client's retry with the same Idempotency-Key
gets the booking's one answer, also when the booking was committed before the node died)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.journey import approver_matter, eventually

pytestmark = pytest.mark.cluster

CITIZENS = 16


def test_a_front_node_killed_mid_request_loses_nothing(cluster_sites):
    front, central, cluster = cluster_sites.front, cluster_sites.central, cluster_sites.cluster
    made = json.loads(
        front.manage("shell", "-c", f"from tests.cluster.citizens import main; main(count={CITIZENS}, tag={uuid.uuid4().hex[:8]!r})")
        .strip().splitlines()[-1]
    )  # fmt: skip
    matter = approver_matter(front, central)
    hall = next(
        h
        for h in requests.get(f"{front.url}/api/v1/matters/{matter['code']}/halls/", timeout=30).json()
        if h["code"] == "TZ"
    )
    slots = requests.get(
        f"{front.url}/api/v1/slots/", params={"hall": hall["id"], "matter": matter["code"]}, timeout=30
    ).json()
    assert len(slots) >= 2

    answers: dict[int, list[int]] = {i: [] for i in range(CITIZENS)}
    errors: list[str] = []
    booked: dict[int, str] = {}
    started = threading.Event()

    def book(i: int) -> None:
        """Like a client: the same Idempotency-Key until a definite answer; a full slot, the next one."""
        headers = {"Authorization": f"Token {made['tokens'][i]}"}
        for attempt, slot in enumerate(slots * 3):
            key = f"kill-{i}-{attempt}"
            for _ in range(10):
                started.set()
                try:
                    response = requests.post(
                        f"{front.url}/api/v1/appointments/", json={"slot": slot["id"], "matter": matter["code"]},
                        headers={**headers, "Idempotency-Key": key}, timeout=60,
                    )  # fmt: skip
                except requests.RequestException as exc:
                    errors.append(f"{i}: {exc!r}")
                    continue
                answers[i].append(response.status_code)
                if response.status_code >= 500:
                    errors.append(f"{i}: {response.status_code}")
                    time.sleep(0.2)
                    continue
                if response.status_code == 201:
                    booked[i] = response.json()["code"]
                    return
                assert response.status_code == 409, response.text  # this slot is full: the next
                break

    counter_sql = "SELECT id, booked FROM booking_slot WHERE id = ANY(%s)"
    counters_before = dict(front.sql(counter_sql, ([s["id"] for s in slots],)))
    before = cluster.served()
    killed = cluster.web["front"][0]
    try:
        with ThreadPoolExecutor(8) as pool:
            futures = [pool.submit(book, i) for i in range(CITIZENS)]
            # Mid-flow: once the first node has started answering this burst.
            eventually(
                lambda: started.is_set() and cluster.served()["front-1"] > before["front-1"], timeout=30, interval=0.05
            )
            killed.kill()
            for future in futures:
                future.result()
        after_kill = cluster.served()
        eventually(lambda: cluster.backend_status()["front-1"] == "DOWN", timeout=15)
        # Routed around: the next requests are all answered (by front-2).
        for _ in range(6):
            assert (
                requests.get(
                    f"{front.url}/api/v1/slots/", params={"hall": hall["id"], "matter": matter["code"]}, timeout=30
                ).status_code
                == 200
            )
        assert cluster.served()["front-2"] > after_kill["front-2"]
    finally:
        cluster.restart_web("front", 0)
        eventually(lambda: cluster.backend_status()["front-1"] == "UP", timeout=30)

    # Nothing lost: every citizen has the one appointment their 201 named, and no more.
    assert sorted(booked) == list(range(CITIZENS)), (booked, answers, errors)
    rows = front.sql(
        "SELECT citizen_id, code FROM booking_appointment WHERE citizen_id = ANY(%s) AND status = 'booked'",
        (made["ids"],),
    )
    assert sorted(code for _citizen, code in rows) == sorted(booked.values())
    assert len({citizen for citizen, _code in rows}) == CITIZENS
    # Nothing counted twice or missed: each slot's counter rose by the appointments made in it.
    made_in = dict(front.sql(
        "SELECT slot_id, count(*) FROM booking_appointment WHERE citizen_id = ANY(%s) GROUP BY slot_id", (made["ids"],)
    ))  # fmt: skip
    counters_after = dict(front.sql(counter_sql, ([s["id"] for s in slots],)))
    assert {k: counters_after[k] - counters_before[k] for k in counters_before} == {
        k: made_in.get(k, 0) for k in counters_before
    }
    # The balancer hid the dead node from the clients, except for requests in flight on it at the moment it died:
    # HAProxy answers those 502 even with retry-on empty-response / junk-response (seen in two of three runs on
    # this machine), and the client's retry with the same Idempotency-Key got the one answer (checked above). No
    # connection error, no other status, and at most one per request in flight (the pool's 8 threads).
    assert all(error.endswith(": 502") for error in errors), errors
    assert len(errors) <= 8, errors
