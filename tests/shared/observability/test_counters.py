"""The business counters' batching (govservice/lib/metrics.py): counts wait in the process and go to Redis
together — after FLUSH_SECONDS by a timer, at once before the process reads a counter — so a burst of events
is one round trip, and no count is lost or sent twice."""

from __future__ import annotations

import time

import pytest

from govservice.lib import metrics


def _stored(name: str) -> dict[str, int]:
    client = metrics.redis_client()
    raw = client.hgetall(metrics._key(name))
    return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}


@pytest.fixture
def counter():
    name = f"test_counter_{time.monotonic_ns()}"
    yield name
    metrics.flush()
    metrics.redis_client().delete(metrics._key(name))


def test_a_burst_waits_in_the_process_then_goes_in_one_round_trip(counter, monkeypatch):
    sent = []
    client = metrics.redis_client()
    real_pipeline = client.pipeline

    def pipeline(*args, **kwargs):
        sent.append(1)
        return real_pipeline(*args, **kwargs)

    monkeypatch.setattr(client, "pipeline", pipeline)
    for _ in range(50):
        metrics.count(counter, code="slot_full")
    metrics.count(counter, 2, code="duplicate")
    assert _stored(counter) == {}  # nothing sent yet: no round trip per event
    assert {tuple(labels.items()): n for labels, n in metrics.read(counter)} == {
        (("code", "slot_full"),): 50,
        (("code", "duplicate"),): 2,
    }
    assert sent == [1]
    metrics.flush()  # nothing left: nothing sent again, nothing counted twice
    assert sent == [1] and _stored(counter) == {'{"code": "slot_full"}': 50, '{"code": "duplicate"}': 2}


def test_the_timer_sends_them_without_a_read(counter, monkeypatch):
    monkeypatch.setattr(metrics, "FLUSH_SECONDS", 0.05)
    metrics.count(counter, code="slot_full")
    deadline = time.monotonic() + 5
    while not _stored(counter) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _stored(counter) == {'{"code": "slot_full"}': 1}
    metrics.count(counter, code="slot_full")  # a new timer for the next ones
    deadline = time.monotonic() + 5
    while _stored(counter).get('{"code": "slot_full"}') != 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _stored(counter) == {'{"code": "slot_full"}': 2}


def test_redis_away_loses_the_counts_not_the_caller(counter, monkeypatch, caplog):
    metrics.count(counter, code="slot_full")
    client = metrics.redis_client()

    def broken(*args, **kwargs):
        raise ConnectionError("away")

    monkeypatch.setattr(client, "pipeline", broken)
    metrics.flush()  # no exception
    assert "not counted" in caplog.text
    monkeypatch.undo()
    assert _stored(counter) == {}
