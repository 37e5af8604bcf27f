import time

from celery import shared_task
from django.conf import settings

from . import services
from .conf import exchange_conf


@shared_task(name="apps.exchange.tasks.outbox_relay", ignore_result=True)
def outbox_relay(message_id: str) -> int:
    """Fast path: send one message right after its transaction committed (and its case's messages that
    were waiting for it, while the budget lasts)."""
    return services.outbox_relay_due(message_id=message_id, limit=1, deadline=time.monotonic() + _budget_seconds())


@shared_task(name="apps.exchange.tasks.outbox_sweep", ignore_result=True)
def outbox_sweep() -> int:
    """What guarantees delivery: every due message, including those whose kick or worker was lost."""
    return services.outbox_sweep(budget_seconds=_budget_seconds())


def _budget_seconds() -> float:
    # One HTTP timeout (and a little) to spare inside Celery's soft time limit.
    return max(settings.CELERY_TASK_SOFT_TIME_LIMIT - exchange_conf.EXCHANGE_HTTP_TIMEOUT - 5, 5)
