from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "apps.front.intake"
    label = "intake"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.front.floor.hooks import supervisor_panels

        # handlers registers the exchange handlers; conf reads the knobs' environment now (a malformed value
        # stops start-up).
        from . import conf, handlers  # noqa: F401
        from .selectors import supervisor_near_limit

        # The floor sits below intake (ARCHITECTURE.md): its supervisor view shows intake's panel without
        # importing intake.
        supervisor_panels.connect(supervisor_near_limit)

        from apps.shared.accounts.hooks import register_citizen_mover

        from .citizen_moves import move_citizen

        # A takeover at the window moves this app's rows of a frozen account (accounts cannot import us).
        register_citizen_mover(self.label, move_citizen)

        from apps.front.booking.demo import demo_seeders

        from .demo import vault_seed_demo

        # Booking's seed_demo (below intake) seeds the halls and users; the demo citizen's vault is intake's.
        demo_seeders.connect(vault_seed_demo)
