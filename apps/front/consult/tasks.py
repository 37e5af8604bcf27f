from celery import shared_task

from . import services


@shared_task(name="apps.consult.tasks.tickets_remind_and_escalate", ignore_result=True)
def tickets_remind_and_escalate() -> dict[str, int]:
    return services.tickets_remind_and_escalate()
