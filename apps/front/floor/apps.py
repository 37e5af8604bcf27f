from django.apps import AppConfig


class FloorConfig(AppConfig):
    """The hall floor: terminals and tablets, check-in, walk-ins, queues, calling, boards."""

    name = "apps.front.floor"
    # The label stays "hall": it names the tables (hall_ticket, …) and the migrations; renaming it would
    # move them for nothing.
    label = "hall"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The floor sits above booking (ARCHITECTURE.md): booking's seed_demo seeds the halls, the floor
        # its own terminals in them.
        from apps.front.booking.demo import demo_logins, demo_seeders

        from . import conf  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
        from .demo import terminal_logins, terminals_seed_demo

        demo_seeders.connect(terminals_seed_demo)
        demo_logins.connect(terminal_logins)

        from apps.shared.accounts.hooks import register_citizen_mover

        from .citizen_moves import move_citizen

        # A takeover at the window moves this app's rows of a frozen account (accounts cannot import us).
        register_citizen_mover(self.label, move_citizen)
