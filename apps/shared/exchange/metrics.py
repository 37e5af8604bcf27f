"""The wire as the operators see it (apps/shared/observability): the outbox's backlog and the age of its
oldest message per peer, dead letters per peer, and whether each peer answers (readiness, not critical:
the outbox waits for a peer that is away)."""

from __future__ import annotations

from typing import Any

import requests
from django.db.models import Count, Min
from django.utils import timezone

from apps.shared.observability.registry import gauge, readiness

from .models import OutboxMessage, OutboxStatus, Peer


def _unsent_by_peer() -> list[Any]:
    # One grouped query over the unsent rows only (pending and dead; the partial indexes hold them).
    return list(
        OutboxMessage.objects.filter(status__in=(OutboxStatus.PENDING, OutboxStatus.DEAD))
        .values("peer__code", "status")
        .annotate(n=Count("id"), oldest=Min("created_at"))
    )


@gauge("outbox_backlog", "Outbox messages not yet delivered (pending), per peer.", ["peer"])
def outbox_backlog():
    codes = Peer.objects.filter(active=True).values_list("code", flat=True)
    rows = {row["peer__code"]: row["n"] for row in _unsent_by_peer() if row["status"] == OutboxStatus.PENDING}
    return [((code,), rows.get(code, 0)) for code in sorted(set(codes) | set(rows))]


@gauge("outbox_oldest_age_seconds", "Age of the oldest pending outbox message, per peer (0: none pending).", ["peer"])
def outbox_oldest_age():
    now = timezone.now()
    codes = Peer.objects.filter(active=True).values_list("code", flat=True)
    oldest = {row["peer__code"]: row["oldest"] for row in _unsent_by_peer() if row["status"] == OutboxStatus.PENDING}
    return [
        ((code,), max((now - oldest[code]).total_seconds(), 0.0) if code in oldest else 0.0)
        for code in sorted(set(codes) | set(oldest))
    ]


@gauge("outbox_dead_letters", "Outbox messages dead-lettered and waiting for an operator, per peer.", ["peer"])
def outbox_dead_letters():
    codes = Peer.objects.filter(active=True).values_list("code", flat=True)
    rows = {row["peer__code"]: row["n"] for row in _unsent_by_peer() if row["status"] == OutboxStatus.DEAD}
    return [((code,), rows.get(code, 0)) for code in sorted(set(codes) | set(rows))]


@readiness("peers", critical=False)
def peers() -> dict:
    """Each active peer's liveness, asked with a short timeout; its code and the answer, never its address."""
    answers = {}
    for peer in Peer.objects.filter(active=True).order_by("code"):
        try:
            status = requests.get(peer.base_url.rstrip("/") + "/healthz", timeout=2).status_code
            answers[peer.code] = "ok" if status == 200 else f"HTTP {status}"
        except requests.RequestException as exc:
            answers[peer.code] = type(exc).__name__
    return {"ok": all(answer == "ok" for answer in answers.values()), "peers": answers}
