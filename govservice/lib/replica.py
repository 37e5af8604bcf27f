"""Read-only work on a replica: reports, dashboards and search read there, everything else on the primary.

A site routes reads to its ``replica`` database alias only inside ``replica_reads()`` (a context manager and
a decorator the views of such pages wear), only when the alias is configured and ``REPLICA_READS`` is on
(settings: ``REPLICA_DATABASE_URL`` / ``CENTRAL_REPLICA_DATABASE_URL``), and never inside a transaction on the
primary: a read that belongs to a write (``transaction.atomic``, ``select_for_update``) must see what the
write sees, and a replica may lag. Writes always go to the primary; migrations run there alone (a streaming
replica takes them from the primary's WAL).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)


@contextlib.contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside go to the replica where the router allows it (``with replica_reads():`` or, as a
    decorator, ``@replica_reads()``)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_in_use() -> bool:
    return REPLICA in settings.DATABASES and bool(getattr(settings, "REPLICA_READS", False))


class ReplicaRouter:
    """``settings.DATABASE_ROUTERS``: the replica for reads asked for by ``replica_reads()``, the primary for
    the rest."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not _reading.get() or not replica_in_use():
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None  # a read inside a write transaction stays with the write
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the primary's rows: objects from either relate

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db == DEFAULT_DB_ALIAS
