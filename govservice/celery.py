import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govservice.settings")

app = Celery("govservice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
