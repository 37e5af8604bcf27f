"""The e2e journey (tests/e2e/test_journey.py) through the balancers and PgBouncer: the same test, run against
the cluster's two front and two central nodes instead of one server per site."""

from __future__ import annotations

import pytest

from tests.e2e.test_journey import test_it_walks_the_whole_journey  # noqa: F401 - collected here, on the cluster

pytestmark = pytest.mark.cluster


def test_the_journey_went_through_every_node_and_the_pooler(cluster_sites):
    cluster = cluster_sites.cluster
    served = cluster.served()
    assert all(served[f"{role}-{i}"] > 0 for role in ("front", "central") for i in (1, 2)), served
    stats = cluster.pgbouncer_stats()
    assert all(int(stats[pool]["total_query_count"]) > 0 for pool in ("front", "central")), stats
