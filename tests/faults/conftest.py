import pytest

from tests.e2e.servers import RedisServer, clean, drop_database, make_sites, prepare_sites

from .proxy import FaultProxy
from .wire import Wire


@pytest.fixture(scope="module")
def wire(tmp_path_factory, django_db_blocker):
    """Front and central as real servers with a Celery worker and beat each, on a private redis-server
    (one test restarts it), with a fault proxy on each direction of the wire. One pair per module: each
    test leaves the proxies passing and the outboxes drained."""
    tmp = tmp_path_factory.mktemp("faults")
    logs = tmp / "logs"
    logs.mkdir()
    redis = RedisServer(tmp / "redis")
    redis.start()
    front, central = make_sites(
        tmp,
        extra_env={
            "REDIS_URL": redis.url,
            "CELERY_BROKER_URL": redis.url,
            # Backoff ceilings 1, 2, 4, 4… seconds: growth a test can see, recovery a test can wait for.
            "EXCHANGE_BACKOFF_BASE_SECONDS": "1",
            "EXCHANGE_BACKOFF_CAP_SECONDS": "4",
        },
    )
    to_central = FaultProxy(("127.0.0.1", central.port)).start()
    to_front = FaultProxy(("127.0.0.1", front.port)).start()
    with django_db_blocker.unblock():
        try:
            prepare_sites(front, central)
            front.sql("UPDATE exchange_peer SET base_url = %s WHERE code = 'central'", (to_central.url,))
            central.sql("UPDATE exchange_peer SET base_url = %s WHERE code = 'BJ-TZ'", (to_front.url,))
            for site in (front, central):
                site.start(logs)
            for site in (front, central):
                site.wait_ready()
            yield Wire(front=front, central=central, to_central=to_central, to_front=to_front, redis=redis, logs=logs)
        finally:
            for site in (front, central):
                site.stop()
            for proxy in (to_central, to_front):
                proxy.stop()
            redis.stop()
            for site in (front, central):
                drop_database(site)
            clean(tmp)


@pytest.fixture
def sites(wire):
    """The shared pair, put back in order after the test: proxies passing, Redis up, a plain front worker."""
    yield wire
    wire.reset_proxies()
    if not wire.redis.pings():
        wire.redis.start()
    if wire.front_worker_env or not wire.front.workers:
        wire.replace_front_worker()
