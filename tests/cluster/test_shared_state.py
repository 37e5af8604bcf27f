"""Nothing in one node's memory or disk: the cluster's uploads are objects in the shared S3 bucket, encrypted
(each one file_encrypt's token), with no media folder on any node; search reads on the replica pool."""

from __future__ import annotations

import boto3
import pytest
import requests

from govservice.lib.fieldcrypto import FILE_HEADER

pytestmark = pytest.mark.cluster


def test_uploads_are_encrypted_objects_in_the_shared_bucket(cluster_sites):
    from tests.faults.wire import create_cases

    cluster = cluster_sites.cluster
    create_cases(cluster_sites.front, 1)  # a material saved by the front, sent to central, stored there
    env = cluster.env["front"]
    s3 = boto3.client(
        "s3", endpoint_url=env["MEDIA_S3_ENDPOINT_URL"], region_name=env["MEDIA_S3_REGION"],
        aws_access_key_id=env["MEDIA_S3_ACCESS_KEY_ID"], aws_secret_access_key=env["MEDIA_S3_SECRET_ACCESS_KEY"],
    )  # fmt: skip

    def objects(prefix: str) -> list[str]:
        listed = s3.list_objects_v2(Bucket=cluster.bucket, Prefix=f"{prefix}/")
        return [o["Key"] for o in listed.get("Contents", [])]

    from tests.faults.wire import eventually

    eventually(lambda: objects("central"), timeout=60, what="central stored the case's material")
    keys = objects("front") + objects("central")
    assert keys
    for key in keys:
        assert s3.get_object(Bucket=cluster.bucket, Key=key)["Body"].read().startswith(FILE_HEADER), key
    assert not any((cluster.workdir / role / "media").exists() for role in ("front", "central"))


def test_search_reads_on_the_replica_pool(cluster_sites):
    cluster = cluster_sites.cluster

    def replica_queries() -> dict[str, int]:
        stats = cluster.pgbouncer_stats()
        return {
            role: int(stats.get(f"{role}_replica", {}).get("total_query_count", 0)) for role in ("front", "central")
        }

    before = replica_queries()
    for site in (cluster_sites.front, cluster_sites.central):
        for _ in range(3):
            response = requests.get(f"{site.url}/api/v1/matters/search/", params={"q": "社保卡"}, timeout=30)
            assert response.status_code == 200, response.text
            assert response.json()["count"] > 0
    after = replica_queries()
    assert all(after[role] > before[role] for role in after), (before, after)


def test_the_poolers_server_sessions_keep_the_sites_timeouts(cluster_sites):
    # PgBouncer passes no startup options: its connect_query sets what settings would have sent.
    import psycopg2

    conn = psycopg2.connect(cluster_sites.cluster.pooled_dsn("front"))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            lock_timeout = cursor.fetchone()[0]
            cursor.execute("SHOW statement_timeout")
            statement_timeout = cursor.fetchone()[0]
    finally:
        conn.close()
    assert (lock_timeout, statement_timeout) == ("2s", "30s")
