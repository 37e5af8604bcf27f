"""The node's own readiness: its database and its Redis (both critical)."""

from __future__ import annotations

from django.db import connection

from govservice.lib.metrics import redis_client

from .registry import readiness


@readiness("database", critical=True)
def database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


@readiness("redis", critical=True)
def redis() -> dict:
    client = redis_client()
    if client is None:
        return {"ok": True, "note": "no Redis cache configured"}
    return {"ok": bool(client.ping())}
