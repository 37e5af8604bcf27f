"""Create version 1 of every message template from the code's texts (they are otherwise created on
first use), so editors find them all in the admin; ``--update`` also adds a version where the code's
wording changed and nobody has edited the template since."""

from django.core.management.base import BaseCommand

from apps.front.notifications.services import templates_sync


class Command(BaseCommand):
    help = "Create the message templates from apps/front/notifications/messages.py and locale/en (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="add a version where the code's text changed (edited templates are kept)",
        )

    def handle(self, *args, update: bool = False, **options):
        created = templates_sync(update=update)
        for version in created:
            self.stdout.write(f"{version.template.event} / {version.template.channel}: v{version.version}")
        self.stdout.write(self.style.SUCCESS(f"{len(created)} template version(s) created"))
