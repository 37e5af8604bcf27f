from django.core.management.base import BaseCommand

from apps.front.guidance.services import guidance_load_demo


class Command(BaseCommand):
    help = "Load the demo guided questions (智能导办) for the demo matters; idempotent."

    def handle(self, *args, **options):
        created = guidance_load_demo()
        self.stdout.write(f"guidance: {created} demo questions created")
