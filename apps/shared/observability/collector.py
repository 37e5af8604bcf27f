"""The scrape: every registered gauge read from the database, every counter read from Redis, as the
Prometheus text format (prometheus-client). A gauge that fails is left out of that scrape and counted in
``cloudwindow_scrape_errors``, so one broken query never blanks the whole page."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from govservice.lib import metrics

from .registry import registry

logger = logging.getLogger(__name__)

PREFIX = "cloudwindow_"


class BusinessCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        errors = GaugeMetricFamily(
            PREFIX + "scrape_errors", "Gauges that could not be read in this scrape.", labels=["gauge"]
        )
        started = time.monotonic()
        for gauge in registry.gauges.values():
            family = GaugeMetricFamily(PREFIX + gauge.name, gauge.help, labels=list(gauge.labels))
            try:
                for labels, value in gauge.read():
                    family.add_metric([str(v) for v in labels], float(value))
            except Exception as exc:
                logger.warning("metrics gauge %s not read: %s", gauge.name, type(exc).__name__)
                errors.add_metric([gauge.name], 1)
                continue
            yield family
        for counter in registry.counters.values():
            # CounterMetricFamily adds the _total suffix itself.
            counted = CounterMetricFamily(PREFIX + counter.name, counter.help, labels=list(counter.labels))
            for names, count in metrics.read(counter.name):
                counted.add_metric([str(names.get(name, "")) for name in counter.labels], count)
            yield counted
        yield errors
        duration = GaugeMetricFamily(PREFIX + "scrape_seconds", "Time this node took to read the business metrics.")
        duration.add_metric([], time.monotonic() - started)
        yield duration


def scrape() -> bytes:
    """The metrics page. A registry per scrape: nothing is kept between them in this process."""
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(BusinessCollector())
    return generate_latest(scraped)
