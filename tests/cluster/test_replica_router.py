"""The replica router (govservice/lib/replica.py), in process: the replica only inside replica_reads(), only
when configured and on, and never inside a transaction on the primary."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction

from apps.shared.catalog.models import Matter
from govservice.lib import replica
from govservice.lib.replica import ReplicaRouter, replica_reads


@pytest.fixture
def configured(monkeypatch, settings):
    settings.REPLICA_READS = True
    monkeypatch.setattr(replica, "replica_in_use", lambda: True)


def test_reads_go_to_the_replica_only_inside_replica_reads(configured):
    router = ReplicaRouter()
    assert router.db_for_read(Matter) is None
    with replica_reads():
        assert router.db_for_read(Matter) == "replica"
    assert router.db_for_read(Matter) is None
    assert router.db_for_write(Matter) == "default"


def test_the_decorator_routes_a_view_and_nothing_after_it(configured):
    router = ReplicaRouter()

    @replica_reads()
    def view():
        return router.db_for_read(Matter)

    assert view() == "replica"
    assert router.db_for_read(Matter) is None


@pytest.mark.django_db(transaction=True)
def test_a_read_inside_a_write_transaction_stays_on_the_primary(configured):
    router = ReplicaRouter()
    with replica_reads():
        with transaction.atomic():
            assert router.db_for_read(Matter) is None
        assert router.db_for_read(Matter) == "replica"


def test_off_without_a_replica_or_with_replica_reads_off(settings, monkeypatch):
    router = ReplicaRouter()
    assert "replica" not in settings.DATABASES  # the suite runs on the primary alone
    with replica_reads():
        assert router.db_for_read(Matter) is None
    for reads, expected in ((False, None), (True, "replica")):
        fake = SimpleNamespace(DATABASES={"default": {}, "replica": {}}, REPLICA_READS=reads)
        monkeypatch.setattr(replica, "settings", fake)
        with replica_reads():
            assert router.db_for_read(Matter) == expected


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "catalog") is True
    assert router.allow_migrate("replica", "catalog") is False
