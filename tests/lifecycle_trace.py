"""Which status moves the tests make (issue 13: "every status in every lifecycle is reachable by a test and leaves
by a test"). With ``LIFECYCLE_TRACE=<file>`` in the environment, every move made through govservice.lib.lifecycle
during a test is recorded as ``{"test": node id, "model": app label.Model, "field", "from", "to"}`` ("from" empty for a row created in its
status), one JSON line
each, appended to the file. tests/front/test_status_reach.py runs the tests its table names with it and checks that
each edge of every lifecycle was made by the test named for it. Without the variable nothing is patched.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

TRACE = os.environ.get("LIFECYCLE_TRACE", "")
_current: list[str] = []
_seen: set[tuple[str, str, str, str, str]] = set()


def _note(model: Any, field: str, source: str | None, target: str) -> None:
    if source is None or not _current:
        return
    _seen.add((_current[0], model._meta.label, field, str(source), str(target)))


def _install() -> None:
    from govservice.lib import lifecycle

    move, move_pk = lifecycle.move, lifecycle.move_pk

    def traced_move(obj, to_status, *args, field: str = "status", **kwargs):
        source = getattr(obj, field)
        moved = move(obj, to_status, *args, field=field, **kwargs)
        _note(type(obj), field, source, to_status)
        return moved

    def traced_move_pk(model, pk, to_status, *args, field: str = "status", **kwargs):
        # Read the row's status first: only the trace pays this query.
        source = model._default_manager.filter(pk=pk).values_list(field, flat=True).first()
        moved = move_pk(model, pk, to_status, *args, field=field, **kwargs)
        _note(model, field, source, to_status)
        return moved

    lifecycle.move = traced_move  # type: ignore[assignment]
    lifecycle.move_pk = traced_move_pk  # type: ignore[assignment]

    # Rows created in a status (a case received at the window, an appointment booked) enter their lifecycle
    # without a move: recorded with "from" empty. And moves written with save() rather than the mover (the
    # notifications' delivery log, appeals): the status before is read in pre_save.
    from django.apps import apps
    from django.db.models.signals import post_save, pre_save

    fields = ("status", "appeal_status")

    def before(sender, instance, **kwargs) -> None:
        if instance.pk is not None:
            names = [f for f in fields if hasattr(instance, f)]
            row = sender._default_manager.filter(pk=instance.pk).values(*names).first()
            instance._trace_before = row or {}

    def saved(sender, instance, created: bool, **kwargs) -> None:
        old = getattr(instance, "_trace_before", {})
        for field in fields:
            if not hasattr(instance, field):
                continue
            value = str(getattr(instance, field))
            if created:
                _note(sender, field, "", value)
            elif field in old and str(old[field]) != value:
                _note(sender, field, str(old[field]), value)
        instance._trace_before = {}

    for model in apps.get_models():
        if getattr(model, "TRANSITIONS", None) is not None:
            pre_save.connect(before, sender=model, weak=False)
            post_save.connect(saved, sender=model, weak=False)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    if TRACE:
        _install()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None):
    _current[:] = [item.nodeid]
    yield
    _current[:] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not TRACE or not _seen:
        return
    with open(TRACE, "a", encoding="utf-8") as out:
        for test, model, field, source, target in sorted(_seen):
            out.write(json.dumps({"test": test, "model": model, "field": field, "from": source, "to": target}) + "\n")
