from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MandatesConfig(AppConfig):
    """Legal persons and the people acting for others (DOMAIN.md §9): companies and their 经办人, a person's
    代办 and 代领, every act checked against a mandate in force and recorded with both people."""

    name = "apps.front.mandates"
    label = "mandates"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("法人与授权代办")

    def ready(self) -> None:
        # Mandates sit above booking, the floor and intake (ARCHITECTURE.md) and below delivery: intake asks for
        # an agent's authority at the window through its hook; delivery imports the check for the pickup desk.
        from apps.front.booking.demo import demo_logins, demo_seeders
        from apps.front.floor import hooks as floor_hooks
        from apps.front.intake import hooks as intake_hooks
        from apps.shared.accounts.hooks import register_citizen_mover

        from . import conf  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
        from .citizen_moves import move_citizen
        from .demo import mandates_logins, mandates_seed_demo
        from .selectors import agent_check, agent_submission_fields, walk_in_for_others

        intake_hooks.agent_check.connect(agent_check)
        # A case someone acted on goes to central naming them (case.submitted's optional ``agent``, issue 15).
        intake_hooks.submission_fields.connect(agent_submission_fields)
        # The kiosk asks whether a person may take a ticket for a company-only matter (a company's agent).
        floor_hooks.walk_in_for_others.connect(walk_in_for_others)
        demo_seeders.connect(mandates_seed_demo)
        demo_logins.connect(mandates_logins)
        # A takeover at the window ends the frozen account's mandates (they were given by or to someone else).
        register_citizen_mover(self.label, move_citizen)
