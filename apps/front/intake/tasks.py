from celery import shared_task

from . import services


@shared_task(name="apps.intake.tasks.intake_deadline_warn", ignore_result=True)
def intake_deadline_warn() -> int:
    return services.cases_intake_deadline_warn()


@shared_task(name="apps.intake.tasks.cases_reconcile", ignore_result=True)
def cases_reconcile() -> int:
    return services.cases_reconcile()
