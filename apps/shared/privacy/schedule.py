"""This app's periodic work (Celery beat). settings/queues.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

from celery.schedules import crontab

PERIODIC = {
    # PIPL: delete or anonymise what is past its retention period (conf.py), on each site, at night; idempotent,
    # batched, and a run stopped by its time budget is finished by the next.
    "privacy-retention": {"task": "apps.privacy.tasks.retention_run", "schedule": crontab(hour=3, minute=30)},
}
