from celery import shared_task

from . import services


@shared_task(name="apps.review.tasks.overdue_digest", ignore_result=True)
def overdue_digest() -> int:
    return services.overdue_digest_send()


@shared_task(name="apps.review.tasks.close_uncorrected", ignore_result=True)
def close_uncorrected() -> int:
    return services.cases_close_uncorrected()


@shared_task(name="apps.review.tasks.close_suspended", ignore_result=True)
def close_suspended() -> int:
    return services.cases_close_suspended()
