from celery import shared_task
from django.conf import settings

from . import services


@shared_task(ignore_result=True)
def outbox_relay(message_id: str) -> int:
    """Fast path: send one message right after its transaction committed."""
    return services.outbox_relay_due(message_id=message_id, limit=1)


@shared_task(ignore_result=True)
def outbox_sweep() -> int:
    """What guarantees delivery: every due message, including those whose kick or worker was lost."""
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT - settings.EXCHANGE_HTTP_TIMEOUT - 5
    return services.outbox_sweep(budget_seconds=max(budget, 5))
