from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def slots_generate() -> int:
    return services.slots_generate()
