from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnlineConfig(AppConfig):
    """Fully online applications (全程网办, issue 15): the citizen's application filled in online, saved as a draft
    and submitted, and the hall's online pre-review of it. Sits above intake (which receives the application as
    a case and gives the pre-review's outcomes their legal effect) and delivery (the result's way home)."""

    name = "apps.front.online"
    label = "online"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = _("网上申报")

    def ready(self) -> None:
        from apps.front.intake import hooks

        from . import conf  # noqa: F401 - reads the knobs' environment now: a malformed value stops start-up
        from .selectors import bundle_materials_covered, bundle_submission_fields
        from .services import bundle_part_settled
        from .services.bundle_visits import bundle_ticket_elsewhere

        # Intake sits below (ARCHITECTURE.md): it tells when a case got its answer, and a bundle (一件事) sends
        # or drops the parts that waited for it; a part goes to central with its bundle.
        hooks.case_settled.connect(bundle_part_settled)
        hooks.submission_fields.connect(bundle_submission_fields)
        # What an earlier step of a bundle issues (the 出生医学证明 for 落户) is not a material missing from a later one.
        hooks.materials_covered.connect(bundle_materials_covered)
        # A bundle's booked visit (一次预约) is accepted on its own window page, never as one matter.
        hooks.ticket_elsewhere.connect(bundle_ticket_elsewhere)
