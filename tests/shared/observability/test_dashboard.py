"""The Grafana dashboard in the repository reads only metrics some app registers, so a renamed gauge cannot
leave a panel silently empty."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
REGISTERED = re.compile(r'(?:gauge|counter)\(\s*"([a-z_]+)"')


def test_every_panel_reads_a_registered_metric():
    dashboard = json.loads((ROOT / "deploy" / "grafana" / "cloud-window.json").read_text(encoding="utf-8"))
    registered = {
        name
        for path in ROOT.glob("apps/*/*/metrics.py")
        for name in REGISTERED.findall(path.read_text(encoding="utf-8"))
    }
    registered |= {"scrape_errors", "scrape_seconds"}  # the collector's own
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    used = {m.group(1) for expr in exprs for m in re.finditer(r"cloudwindow_([a-z_]+?)(?:_total)?\{", expr)}
    assert len(used) >= 12
    assert used <= registered, used - registered
    # The business gauges the operators watch all have a panel.
    assert {
        "hall_queue_length",
        "booking_refusals",
        "remote_sessions_open",
        "outbox_backlog",
        "outbox_oldest_age_seconds",
        "outbox_dead_letters",
        "notification_failures",
        "review_cases",
    } <= used
