"""Celery finds a task by its name, and a queued message carries only that name. Every task therefore
names itself explicitly (the names are the paths the tasks had before the tree moved to
apps/{shared,front,central}/), so moving a module never strands the tasks already queued, and every
beat entry names a task this site registers."""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

from govservice.celery import app

ROOT = Path(__file__).resolve().parents[2]


def test_it_names_every_task_explicitly():
    decorators = []
    for path in (ROOT / "apps").rglob("tasks.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    func = deco.func if isinstance(deco, ast.Call) else deco
                    if getattr(func, "id", None) == "shared_task":
                        keywords = {k.arg for k in deco.keywords} if isinstance(deco, ast.Call) else set()
                        decorators.append((f"{path.relative_to(ROOT)}:{node.name}", "name" in keywords))
    assert len(decorators) >= 16, decorators
    assert [where for where, named in decorators if not named] == []


def test_every_beat_entry_names_a_task_of_this_site():
    app.loader.import_default_modules()
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule and schedule <= set(app.tasks), schedule - set(app.tasks)
