from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "apps.front.booking"
    label = "booking"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.shared.catalog import registry

        from . import (
            conf,  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
            selectors,
        )

        # The catalog's "at my hall" filter and its admin's hall check read the halls from here.
        registry.provides_halls(choices=selectors.hall_choices_for_catalog, unknown_codes=selectors.hall_codes_unknown)

        from apps.shared.accounts.hooks import register_citizen_mover, register_staff_hall

        from .citizen_moves import move_citizen

        # A takeover at the window moves this app's rows of a frozen account (accounts cannot import us), and
        # its record names the clerk's hall, which this app knows from the staff posts.
        register_citizen_mover(self.label, move_citizen)
        register_staff_hall(selectors.staff_hall_name)
