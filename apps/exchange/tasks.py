from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def outbox_relay(message_id: str) -> int:
    """Fast path: send one message right after its transaction committed."""
    return services.outbox_relay_due(message_id=message_id, limit=1)


@shared_task(ignore_result=True)
def outbox_sweep() -> int:
    """What guarantees delivery: every due message, including those whose kick or worker was lost."""
    total = 0
    while True:
        sent = services.outbox_relay_due(limit=50)
        total += sent
        if sent < 50:
            return total
