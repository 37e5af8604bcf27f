import os

from celery import Celery, signals

from govservice.lib import requestid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govservice.settings")

app = Celery("govservice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# The request id crosses into tasks: a task queued during a request runs under that request's id
# (govservice/lib/requestid.py), so its log lines, and the outbox rows it writes, are followed to it.
@signals.before_task_publish.connect
def _request_id_out(headers=None, **kwargs):
    if headers is not None and requestid.current():
        headers["request_id"] = requestid.current()


@signals.task_prerun.connect
def _request_id_in(task=None, **kwargs):
    requestid.bind(requestid.valid(getattr(task.request, "request_id", None)) if task is not None else "")
