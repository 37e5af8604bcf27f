from celery import shared_task

from . import services
from .couriers import CourierError


@shared_task(
    name="apps.delivery.tasks.delivery_dispatch",
    ignore_result=True,
    autoretry_for=(CourierError,),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=8,
)
def delivery_dispatch(delivery_id: int) -> str:
    return services.delivery_dispatch(delivery_id=delivery_id).status


@shared_task(
    name="apps.delivery.tasks.originals_dispatch",
    ignore_result=True,
    autoretry_for=(CourierError,),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=8,
)
def originals_dispatch(shipment_id: int) -> str:
    return services.originals_dispatch(shipment_id=shipment_id).status


@shared_task(name="apps.delivery.tasks.originals_dispatch_due", ignore_result=True)
def originals_dispatch_due() -> int:
    return services.originals_dispatch_due()


@shared_task(name="apps.delivery.tasks.deliveries_dispatch_due", ignore_result=True)
def deliveries_dispatch_due() -> int:
    return services.deliveries_dispatch_due()
