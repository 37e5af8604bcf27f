"""Start a Celery task once the current transaction has committed.

Never ``.delay()`` inside a transaction: the worker may pick the task up before the commit and read the
old rows (or none), and a rollback would leave a task running for a change that never happened. Every
kick of this kind goes through ``enqueue_on_commit``, which queues after the commit, does nothing on a
rollback, and treats a broker that is down as a missed kick, never as the user's error: each such task
has a periodic sweep (CELERY_BEAT_SCHEDULE) that does the work the kick would have started.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

logger = logging.getLogger(__name__)


class TaskKick:
    """The on-commit callback; it keeps the task and its arguments so that tests can see what was queued."""

    def __init__(self, task: Any, args: tuple[Any, ...]) -> None:
        self.task = task
        self.args = args

    def __call__(self) -> None:
        try:
            self.task.delay(*self.args)
        except Exception:  # the broker being down must not fail the request; the periodic sweep catches up
            logger.warning("%s%r not queued; its periodic sweep will do the work", self.task.name, self.args)

    def __repr__(self) -> str:
        return f"TaskKick({self.task.name}, {self.args!r})"


def enqueue_on_commit(task: Any, *args: Any, using: str | None = None) -> TaskKick:
    """Queue ``task.delay(*args)`` after the current transaction commits (at once when none is open)."""
    kick = TaskKick(task, args)
    transaction.on_commit(kick, using=using)
    return kick
