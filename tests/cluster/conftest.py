"""The cluster of bin/cluster.py on fresh databases and free ports, once for the whole group: two gunicorn
nodes per site behind HAProxy, PgBouncer in transaction pooling, moto's S3 at the edge, a worker and two
locked beats per site. Tests that take a node down bring it back before they end."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass

import pytest
from django.conf import settings

from tests.e2e.servers import ROOT, Site, clean, drop_database, make_sites, prepare_sites

_spec = importlib.util.spec_from_file_location("bin_cluster", ROOT / "bin" / "cluster.py")
bin_cluster = importlib.util.module_from_spec(_spec)
sys.modules["bin_cluster"] = bin_cluster
_spec.loader.exec_module(bin_cluster)


@dataclass
class ClusterSites:
    """What the e2e journey and the wire's helpers expect (``front``, ``central``: Site), and the cluster."""

    front: Site
    central: Site
    cluster: bin_cluster.Cluster

    def __iter__(self):
        return iter((self.front, self.central))


@pytest.fixture(scope="session")
def cluster_sites(tmp_path_factory, django_db_blocker):
    tmp = tmp_path_factory.mktemp("cluster")
    front, central = make_sites(tmp / "prepare")
    db = settings.DATABASES["default"]
    postgres = bin_cluster.Postgres(
        db.get("HOST") or "127.0.0.1",
        int(db.get("PORT") or 5432),
        db.get("USER") or "postgres",
        db.get("PASSWORD") or "",
    )
    cluster = bin_cluster.Cluster(
        workdir=tmp / "run",
        postgres=postgres,
        redis_url=settings.REDIS_URL,
        databases={"front": front.database, "central": central.database},
        # One worker per node keeps the group light on a small machine; two nodes per site are the point.
        gunicorn_workers=1,
        extra_env={
            "DEBUG": "0",
            "STATIC_MANIFEST": "0",
            "EXCHANGE_BACKOFF_BASE_SECONDS": "1",
            "EXCHANGE_BACKOFF_CAP_SECONDS": "3",
            # The journey expects its SMS at once, whatever the hour the suite runs.
            "NOTIFY_QUIET_HOURS": "",
            # A standby beat takes over within seconds of its holder's death (tests/cluster/test_beat.py).
            "CELERY_BEAT_LOCK_SECONDS": "10",
        },
    )
    with django_db_blocker.unblock():
        try:
            prepare_sites(front, central)
            cluster.start()
            yield ClusterSites(
                front=Site("front", cluster.ports["front"], front.database, cluster.env["front"]),
                central=Site("central", cluster.ports["central"], central.database, cluster.env["central"]),
                cluster=cluster,
            )
        finally:
            cluster.stop()
            for site in (front, central):
                drop_database(site)
            clean(tmp)


@pytest.fixture
def sites(cluster_sites):
    """The journey's and the wire's name for the pair."""
    return cluster_sites
