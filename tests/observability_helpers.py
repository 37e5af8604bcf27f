"""Reading a /metrics page in tests: the samples of one metric family as {labels: value}."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def scraped(client, **extra) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/plain")
    families: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            families.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return families


def value(families, name: str, **labels: str) -> float | None:
    return families.get(name, {}).get(tuple(sorted(labels.items())))
