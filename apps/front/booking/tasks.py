"""Periodic booking jobs (beat schedule in settings): each takes no arguments, re-reads the state and is
safe to run twice at once."""

from celery import shared_task

from . import services


@shared_task(name="apps.booking.tasks.slots_generate", ignore_result=True)
def slots_generate() -> int:
    return services.slots_generate()


@shared_task(name="apps.booking.tasks.no_shows_mark", ignore_result=True)
def no_shows_mark() -> int:
    return services.no_shows_mark()


@shared_task(name="apps.booking.tasks.appointment_messages_send", ignore_result=True)
def appointment_messages_send() -> dict[str, int]:
    return services.appointment_messages_send()


@shared_task(name="apps.booking.tasks.waitlist_sweep", ignore_result=True)
def waitlist_sweep() -> dict[str, int]:
    return services.waitlist_sweep()
