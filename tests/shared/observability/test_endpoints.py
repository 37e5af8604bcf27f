"""The operator's endpoints on either site: /metrics only for the configured networks or the bearer token
(404 for anyone else), /healthz and /readyz as JSON, and never a 500 — a broken gauge is left out of the
scrape, a failed critical check is a 503 with the reason."""

from __future__ import annotations

import pytest

from apps.shared.observability import registry as observability
from tests.observability_helpers import scraped, value

pytestmark = pytest.mark.django_db


def test_metrics_answer_loopback_by_default_and_nobody_outside(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    outside = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
    assert outside.status_code == 404
    assert b"cloudwindow_" not in outside.content


def test_metrics_answer_a_configured_network_and_the_bearer_token(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    settings.METRICS_TOKEN = "scrape-secret-0123456789"
    assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404  # loopback no longer listed
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789"
        ).status_code
        == 200
    )
    assert client.get("/metrics", REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="198.51.100.7", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_a_spoofed_forwarded_address_is_not_believed_without_a_proxy(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.20.3.4").status_code == 404


def test_a_broken_gauge_is_left_out_not_a_500(client, monkeypatch):
    def broken():
        raise RuntimeError("no such table")

    monkeypatch.setitem(observability.registry.gauges, "broken", observability.Gauge("broken", "test", (), broken))
    families = scraped(client)
    assert value(families, "cloudwindow_scrape_errors", gauge="broken") == 1
    assert "cloudwindow_broken" not in families


def test_liveness_is_json_and_touches_nothing(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["X-Request-Id"]


def test_readiness_checks_the_database_and_redis(client, monkeypatch):
    # No peer answers on this machine's port 9: the node is still ready (the wire waits), only degraded.
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ok"] is True


def test_readiness_is_503_with_the_reason_when_redis_is_away(client, monkeypatch):
    class Away:
        def ping(self):
            raise ConnectionError("refused")

    monkeypatch.setattr("apps.shared.observability.metrics.redis_client", lambda: Away())
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"] == {
        "ok": False,
        "error": "ConnectionError",
        "critical": True,
        "ms": body["checks"]["redis"]["ms"],
    }


def test_readiness_reports_a_peer_away_as_degraded_not_unavailable(client):
    from apps.shared.exchange.models import Peer

    Peer.objects.create(code="away", name="away", base_url="http://127.0.0.1:9")
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["checks"]["peers"]["ok"] is False
    assert body["checks"]["peers"]["peers"]["away"] == "ConnectionError"
    assert "127.0.0.1:9" not in response.content.decode()
