"""Periodic jobs of 好差评 (front beat schedule): each calls one idempotent service."""

from celery import shared_task

from . import services


@shared_task(name="apps.ratings.tasks.invitations_send_due", ignore_result=True)
def invitations_send_due() -> int:
    return services.invitations_send_due()


@shared_task(name="apps.ratings.tasks.rectifications_remind", ignore_result=True)
def rectifications_remind() -> dict[str, int]:
    return services.rectifications_remind()
