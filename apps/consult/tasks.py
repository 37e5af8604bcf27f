from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def tickets_remind_and_escalate() -> dict[str, int]:
    return services.tickets_remind_and_escalate()
