from celery import shared_task

from . import services


@shared_task(name="apps.feedback.tasks.notification_deliver", ignore_result=True)
def notification_deliver(notification_id: int) -> str:
    """The fast path, queued after the commit that created the message. Retries are not Celery's:
    their horizon is ``next_attempt_at`` in the database, and the periodic sender picks them up."""
    return services.notification_deliver(notification_id=notification_id)


@shared_task(name="apps.feedback.tasks.notifications_send_due", ignore_result=True)
def notifications_send_due() -> int:
    """Messages held for the quiet hours, due for a retry, never queued, or stuck with a dead worker."""
    return services.notifications_send_due()
