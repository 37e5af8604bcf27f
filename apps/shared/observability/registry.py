"""What each app shows the operators, told to this app by the app that knows it (its ``metrics.py``).

* a **gauge**: a function that reads the current value from the database at scrape time, with cheap
  queries (one grouped query each), returning ``(label values, value)`` rows;
* a **counter**: counted where the event happens through ``govservice.lib.metrics.count`` (kept in Redis,
  that module says why), declared here with its help text and label names so that the scrape shows it;
* a **readiness check**: a part this node needs (``critical``: the node must not get traffic without it)
  or would like (the peers: the wire waits for them, the node still serves its people).

Names are given without the ``cloudwindow_`` prefix, which the collector adds."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Rows = Iterable[tuple[Sequence[str], float]]


@dataclass(frozen=True)
class Gauge:
    name: str
    help: str
    labels: tuple[str, ...]
    read: Callable[[], Rows]


@dataclass(frozen=True)
class Counter:
    name: str
    help: str
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Check:
    name: str
    critical: bool
    run: Callable[[], dict[str, Any]]  # {"ok": bool, ...details safe to show}; may raise: counted as not ok


@dataclass
class Registry:
    gauges: dict[str, Gauge] = field(default_factory=dict)
    counters: dict[str, Counter] = field(default_factory=dict)
    checks: dict[str, Check] = field(default_factory=dict)


registry = Registry()


def gauge(name: str, help: str, labels: Sequence[str] = ()) -> Callable[[Callable[[], Rows]], Callable[[], Rows]]:
    def register(read: Callable[[], Rows]) -> Callable[[], Rows]:
        registry.gauges[name] = Gauge(name, help, tuple(labels), read)
        return read

    return register


def counter(name: str, help: str, labels: Sequence[str] = ()) -> None:
    registry.counters[name] = Counter(name, help, tuple(labels))


def readiness(name: str, *, critical: bool) -> Callable[[Callable[[], dict[str, Any]]], Callable[[], dict[str, Any]]]:
    def register(run: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        registry.checks[name] = Check(name, critical, run)
        return run

    return register
