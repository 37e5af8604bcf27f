"""The wire under faults (DESIGN.md §5, issue 5): with central down, a worker SIGKILLed mid-send, Redis
restarted, a reply lost after the receiver committed, a message delivered twice, or a sender's clock
skewed, every case reaches central exactly once and every decision reaches the front exactly once, and
both outboxes drain.

Real processes throughout: both sites under gunicorn, a Celery worker with beat each, a private
redis-server, and a fault proxy (tests/faults/proxy.py) on each direction of the wire."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import redis as redis_client

from .wire import (
    LIBFAKETIME,
    Approver,
    assert_exactly_once,
    at_central,
    create_cases,
    eventually,
    outbox_rows,
    skewed_env,
    wait_drained,
    wait_until_at_central,
    wait_until_decided,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def settle(sites, numbers: list[str]) -> None:
    """The approver decides every case; then the exactly-once checks and the drained outboxes."""
    wait_until_at_central(sites.central, numbers)
    Approver(sites.central).decide_all(numbers)
    wait_until_decided(sites.front, numbers)
    wait_drained(sites)
    assert_exactly_once(sites, numbers)


def test_it_queues_cases_while_central_is_down_and_delivers_them_all_when_it_is_back(sites):
    sites.to_central.refuse()
    batch = create_cases(sites.front, 4)

    # Retried with backoff while central refuses connections, never given up on, nothing arrives.
    def retried():
        rows = outbox_rows(sites.front, ids=batch.message_ids)
        return all(r["attempts"] >= 3 for r in rows) and rows

    rows = eventually(retried, timeout=45, what="three attempts each while central is down")
    assert {r["status"] for r in rows} == {"pending"}
    assert all("refused" in r["last_error"] for r in rows), [r["last_error"] for r in rows]
    assert at_central(sites.central, batch.numbers) == {}

    # The backoff: the n-th failure schedules the next try within min(cap, base * 2^(n-1)) seconds (full
    # jitter), and no relay claims the message before that time.
    history = sites.front.sql(
        "SELECT pgh_obj_id::text, pgh_created_at, attempts, next_attempt_at FROM exchange_outboxmessageaudit "
        "WHERE pgh_obj_id::text = ANY(%s) AND pgh_label = 'update' ORDER BY pgh_obj_id, pgh_id",
        (batch.message_ids,),
    )
    ceilings = []
    for message_id in batch.message_ids:
        scheduled, previous_attempts = None, 0
        for _id, at, attempts, next_attempt_at in (e for e in history if e[0] == message_id):
            if attempts > previous_attempts:  # an outcome: the failure counted, the next try scheduled
                ceiling = min(4, 1 * 2 ** (attempts - 1))
                ceilings.append(ceiling)
                assert (next_attempt_at - at).total_seconds() <= ceiling + 0.5
                scheduled = next_attempt_at
            else:  # a claim (the lease pushed the next try out): never before the scheduled time
                if scheduled is not None:
                    assert at >= scheduled - dt.timedelta(milliseconds=50), "claimed before its backoff ran out"
                scheduled = None
            previous_attempts = attempts
    assert sorted(set(ceilings))[:3] == [1, 2, 4], "the backoff ceiling grows with each failure"

    sites.to_central.pass_through()
    wait_until_at_central(sites.central, batch.numbers, timeout=30)
    settle(sites, batch.numbers)
    rows = outbox_rows(sites.front, ids=batch.message_ids)
    assert {r["status"] for r in rows} == {"delivered"} and all(r["attempts"] >= 4 for r in rows)


def test_it_resends_after_the_lease_when_a_worker_is_killed_mid_send_and_applies_once(sites):
    # A relay that claims a message holds it for the lease; kill it mid-send, and the message waits out the
    # lease, then goes again with the same id. A short lease (and a shorter HTTP timeout) for this test.
    lease = {"EXCHANGE_LEASE_SECONDS": "8", "EXCHANGE_HTTP_TIMEOUT": "5"}
    worker = sites.replace_front_worker(lease)
    # The answer is held back: the request reaches central at once, its reply takes 4 s to come back.
    sites.to_central.slow(4, direction="down")
    batch = create_cases(sites.front, 1)
    [number], [message_id] = batch.numbers, batch.message_ids

    # Central has committed the case; the sending worker is still waiting for the reply: kill it there.
    eventually(lambda: at_central(sites.central, [number]), timeout=30, interval=0.1, what="case at central")
    assert sites.to_central.active >= 1, "the send is in flight"
    sites.front.kill_worker(worker)
    killed_at = time.time()
    sites.to_central.pass_through()

    [row] = outbox_rows(sites.front, ids=[message_id])
    # The dead worker recorded nothing: the message is still claimed, due again only when the lease runs out.
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 0, "")
    lease_expires = row["next_attempt_at"]
    assert lease_expires.timestamp() > killed_at

    sites.front.start_worker(sites.logs, extra_env=lease, own_schedule=True, own_group=True)
    eventually(
        lambda: outbox_rows(sites.front, ids=[message_id])[0]["status"] == "delivered", timeout=45, what="resent"
    )
    [row] = outbox_rows(sites.front, ids=[message_id])
    assert row["delivered_at"] >= lease_expires, "not resent before the lease ran out"
    # Central answered the resend from its inbox: the first attempt had been applied.
    assert row["response"]["duplicate"] is True and row["response"]["number"] == number
    assert row["attempts"] == 1
    settle(sites, [number])


def test_it_delivers_everything_after_redis_restarts(sites):
    redis = sites.redis
    # 1. Redis down while cases are accepted: the relay kicks cannot be queued (the accept still commits).
    redis.stop()
    down = create_cases(sites.front, 3)
    time.sleep(2)
    redis.start()

    # 2. Kicks queued, then Redis restarted before any worker took them: the queue is gone.
    for worker in list(sites.front.workers):
        sites.front.stop_worker(worker)
    queued = create_cases(sites.front, 3)
    queue = sites.front.env["CELERY_QUEUE"]
    broker = redis_client.Redis.from_url(redis.url)
    assert broker.llen(queue) >= 3, "the relay kicks are waiting in Redis"
    broker.close()
    redis.restart(down_for=1)
    broker = redis_client.Redis.from_url(redis.url)
    assert broker.llen(queue) == 0, "the restart lost them"
    broker.close()
    sites.replace_front_worker()

    # The beat's sweep is what delivers: from the database, not from Redis.
    numbers = down.numbers + queued.numbers
    wait_until_at_central(sites.central, numbers, timeout=90)
    settle(sites, numbers)


def test_it_answers_a_resend_from_the_inbox_when_the_reply_was_lost(sites):
    # Front → central: central commits each case, the front never hears back.
    sites.to_central.no_reply()
    batch = create_cases(sites.front, 3)
    wait_until_at_central(sites.central, batch.numbers, timeout=30)
    rows = eventually(
        lambda: (
            all(r["attempts"] >= 1 for r in outbox_rows(sites.front, ids=batch.message_ids))
            and outbox_rows(sites.front, ids=batch.message_ids)
        ),
        timeout=30,
        what="failed attempts recorded",
    )
    assert {r["status"] for r in rows} == {"pending"}, "a lost reply is 'unknown', never 'failed'"
    assert all(r["last_error"].startswith("ConnectionError") for r in rows), [r["last_error"] for r in rows]
    sites.to_central.pass_through()
    eventually(
        lambda: {r["status"] for r in outbox_rows(sites.front, ids=batch.message_ids)} == {"delivered"},
        timeout=30,
        what="resent",
    )
    for row in outbox_rows(sites.front, ids=batch.message_ids):
        assert row["response"]["duplicate"] is True
    assert sites.to_central.stats["replies_dropped"] >= 3
    wait_drained(sites)  # review_started went back to the front normally

    # Central → front: the front applies each decision, central never hears back.
    sites.to_front.no_reply()
    started = sites.central.sql("SELECT now()")[0][0]
    Approver(sites.central).decide_all(batch.numbers)
    wait_until_decided(sites.front, batch.numbers)
    decisions = eventually(
        lambda: (
            all(r["attempts"] >= 1 for r in outbox_rows(sites.central, kind="case.decided", since=started))
            and outbox_rows(sites.central, kind="case.decided", since=started)
        ),
        timeout=30,
        what="failed attempts recorded at central",
    )
    assert len(decisions) == 3 and {r["status"] for r in decisions} == {"pending"}
    sites.to_front.pass_through()
    wait_drained(sites)
    for row in outbox_rows(sites.central, kind="case.decided", since=started):
        assert row["response"]["duplicate"] is True
    assert_exactly_once(sites, batch.numbers)


def test_it_applies_a_message_delivered_twice_once(sites):
    # On the wire: every request arrives twice, both copies at once.
    sites.to_central.duplicate()
    sites.to_front.duplicate()
    batch = create_cases(sites.front, 3)
    settle(sites, batch.numbers)
    assert sites.to_central.stats["copies_sent"] >= 3  # case.submitted
    assert sites.to_front.stats["copies_sent"] >= 6  # review_started and decided
    inbox = sites.central.sql(
        "SELECT count(*) FROM exchange_inboxmessage WHERE id::text = ANY(%s)", (batch.message_ids,)
    )
    assert inbox == [(3,)]
    sites.reset_proxies()

    # From the sender: delivered messages sent again (a relay that never recorded its success).
    decided = sites.central.sql(
        "SELECT id::text FROM exchange_outboxmessage WHERE kind = 'case.decided' ORDER BY created_at DESC LIMIT 3"
    )
    resent = [(sites.front, batch.message_ids), (sites.central, [row[0] for row in decided])]
    for site, ids in resent:
        site.sql(
            "UPDATE exchange_outboxmessage SET status = 'pending', next_attempt_at = now(), delivered_at = NULL, response = NULL "
            "WHERE id::text = ANY(%s) RETURNING id",
            (ids,),
        )
    wait_drained(sites)
    for site, ids in resent:
        for row in outbox_rows(site, ids=ids):
            assert row["status"] == "delivered" and row["response"]["duplicate"] is True
    assert_exactly_once(sites, batch.numbers)


@pytest.mark.skipif(not LIBFAKETIME.exists(), reason="needs Debian's faketime package (make bootstrap installs it)")
def test_it_accepts_a_sender_clock_4_minutes_off_and_refuses_10_minutes_off(sites):
    # 4 minutes ahead: inside the ±5-minute window.
    sites.replace_front_worker(skewed_env("+4m"))
    ahead = create_cases(sites.front, 1)
    wait_until_at_central(sites.central, ahead.numbers, timeout=60)
    eventually(lambda: outbox_rows(sites.front, ids=ahead.message_ids)[0]["status"] == "delivered", what="delivered")
    [row] = outbox_rows(sites.front, ids=ahead.message_ids)
    # The worker's clock really was off: it stamped the delivery four minutes into the future.
    skew = (row["delivered_at"] - sites.front.sql("SELECT now()")[0][0]).total_seconds()
    assert 200 < skew < 260, skew

    # 10 minutes ahead: refused before the body is read, nothing applied.
    sites.replace_front_worker(skewed_env("+10m"))
    refused = create_cases(sites.front, 1)
    [message_id] = refused.message_ids
    [row] = eventually(
        lambda: [r for r in outbox_rows(sites.front, ids=[message_id]) if "stale_signature" in r["last_error"]],
        timeout=60,
        what="refused as stale",
    )
    assert row["status"] in ("pending", "dead")
    assert at_central(sites.central, refused.numbers) == {}
    assert sites.central.sql("SELECT count(*) FROM exchange_inboxmessage WHERE id = %s", (message_id,)) == [(0,)]

    # The clock is fixed; an operator re-drives the dead letter (same id, still idempotent).
    sites.replace_front_worker()
    if row["status"] == "dead":
        sites.front.manage(
            "shell",
            "-c",
            f"from apps.shared.exchange.services import outbox_redrive; outbox_redrive(message_id={message_id!r})",
        )
    else:  # still pending: refusals of the signature are retried with backoff; bring the next one forward
        sites.front.sql("UPDATE exchange_outboxmessage SET next_attempt_at = now() WHERE id = %s", (message_id,))
    settle(sites, ahead.numbers + refused.numbers)


@pytest.mark.skipif(not LIBFAKETIME.exists(), reason="needs Debian's faketime package (make bootstrap installs it)")
def test_it_sends_promptly_when_the_sender_clock_is_4_minutes_behind(sites):
    # 4 minutes slow is inside the ±5-minute window too: central would accept at once, if it is sent.
    # The signing key has been valid for a long time (this module's was made minutes ago, which a slow
    # clock would see as "not yet valid").
    sites.front.sql("UPDATE exchange_peerkey SET not_before = now() - interval '1 day'")
    sites.replace_front_worker(skewed_env("-4m"))
    behind = create_cases(sites.front, 1)
    try:
        wait_until_at_central(sites.central, behind.numbers, timeout=20)
    finally:
        sites.replace_front_worker()
        settle(sites, behind.numbers)
