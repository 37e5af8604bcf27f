from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def notification_deliver(notification_id: int) -> str:
    return services.notification_deliver(notification_id=notification_id)


@shared_task(ignore_result=True)
def notifications_send_due() -> int:
    return services.notifications_send_due()
