from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "apps.front.delivery"
    label = "delivery"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("结果送达")

    def ready(self) -> None:
        # Delivery sits above intake (ARCHITECTURE.md): intake tells what happened to a case through its
        # hooks, and delivery acts on it; intake never imports delivery.
        from apps.front.intake import hooks

        from . import conf  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
        from .selectors import delivery_submission_fields
        from .services import delivery_downloaded, delivery_result_arrived, originals_shipment_open

        hooks.result_ready.connect(delivery_result_arrived)
        hooks.document_downloaded.connect(delivery_downloaded)
        hooks.submission_fields.connect(delivery_submission_fields)
        hooks.handed_over.connect(originals_shipment_open)
