"""Celery beat started twice per site sends each periodic task once (CELERY_BEAT_LOCK: celery-redbeat's lock in
Redis), and the standby takes over when the holder dies.

Two beats on a queue no worker reads: every message they send stays in Redis, and each names the process that
sent it (the ``origin`` header, ``gen<pid>@host``). While both run, every message comes from one of them."""

from __future__ import annotations

import json
import uuid

import pytest
import redis

from tests.e2e.journey import eventually

pytestmark = pytest.mark.cluster

SWEEP = "apps.exchange.tasks.outbox_sweep"  # every 5 s (apps/shared/exchange/schedule.py)


def senders(client: redis.Redis, queue: str) -> list[int]:
    """The pid of the beat that sent each outbox sweep waiting in ``queue``, oldest first."""
    pids = []
    for raw in reversed(client.lrange(queue, 0, -1)):
        message = json.loads(raw)
        headers = message["headers"]
        if headers["task"] == SWEEP:
            pids.append(int(headers["origin"].removeprefix("gen").split("@")[0]))
    return pids


def test_two_beats_send_each_task_once_and_the_standby_takes_over(cluster_sites):
    cluster = cluster_sites.cluster
    queue = f"beat-test-{uuid.uuid4().hex[:8]}"
    env = {**cluster.env["front"], "CELERY_QUEUE": queue}
    client = redis.Redis.from_url(cluster.redis_url)
    beats = []
    try:
        for i in range(2):
            node = bin_cluster_node(cluster, f"beat-test-{i + 1}", env)
            beats.append(node)
        by_pid = {node.proc.pid: node for node in beats}
        # Three sweeps (≥ 10 s): a second unlocked beat would have sent its own by then.
        eventually(lambda: len(senders(client, queue)) >= 3, timeout=60)
        first = senders(client, queue)
        assert len(set(first)) == 1 and first[0] in by_pid, first
        holder = by_pid[first[0]]
        standby = next(node for node in beats if node is not holder)
        assert standby.alive, "the standby waits for the lock; it does not exit"

        # The holder dies without releasing the lock: the standby takes over once the lock runs out (10 s).
        holder.kill()
        eventually(lambda: standby.proc.pid in senders(client, queue), timeout=60)
        assert set(senders(client, queue)) == {holder.proc.pid, standby.proc.pid}
        after = senders(client, queue)
        assert after[: len(first)] == first and set(after[len(first) :]) <= {holder.proc.pid, standby.proc.pid}
    finally:
        for node in beats:
            node.stop()
        client.delete(queue)
        for key in client.scan_iter(f"redbeat:{queue}*"):
            client.delete(key)


def test_the_clusters_own_beats_hold_one_lock_per_site(cluster_sites):
    cluster = cluster_sites.cluster
    for role in ("front", "central"):
        logs = [(cluster.logs / f"{role}-beat-{i}.log").read_text() for i in (1, 2)]
        assert all(node.alive for node in cluster.beat_nodes[role])
        assert sum("Acquired lock" in log for log in logs) == 1, role
    client = redis.Redis.from_url(cluster.redis_url)
    assert all(client.exists(f"redbeat:{cluster.env[role]['CELERY_QUEUE']}::lock") for role in ("front", "central"))


def bin_cluster_node(cluster, name: str, env: dict[str, str]):
    """A beat like the cluster's, on this test's queue (started and stopped by the test)."""
    import bin_cluster

    command = [
        str(bin_cluster.BIN / "celery"),
        "-A",
        "govservice",
        "beat",
        "-l",
        "info",
        "-s",
        str(cluster.workdir / name),
    ]
    return bin_cluster.Node(name, command, env, cluster.logs / f"{name}.log").start()
