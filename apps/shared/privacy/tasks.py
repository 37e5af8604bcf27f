"""The retention job, one per site (each site's beat schedule): idempotent, batched, its counts logged."""

from celery import shared_task

from . import services


# Above PRIVACY_RUN_MAX_SECONDS (the run stops itself first) and below the broker's visibility timeout.
@shared_task(name="apps.privacy.tasks.retention_run", ignore_result=True, soft_time_limit=240, time_limit=280)
def retention_run() -> dict[str, int]:
    return services.retention_run().counts
