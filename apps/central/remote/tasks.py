from celery import shared_task

from . import services


@shared_task(name="apps.central.remote.tasks.sessions_expire", ignore_result=True)
def sessions_expire() -> int:
    """Rings nobody answered, and calls whose hall is gone for good."""
    return services.sessions_expire() + services.sessions_end_abandoned()
