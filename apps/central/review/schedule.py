"""This app's periodic work (Celery beat). settings/queues.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

from celery.schedules import crontab

PERIODIC = {
    # Supervisors' daily digest of overdue and nearly overdue cases (DOMAIN.md §5 SLA colours).
    "review-overdue-digest": {"task": "apps.review.tasks.overdue_digest", "schedule": crontab(hour=8, minute=0)},
    # Cases whose correction period passed with no answer are closed (DOMAIN.md §5), each once.
    "review-close-uncorrected": {"task": "apps.review.tasks.close_uncorrected", "schedule": crontab(minute=20)},
    # Suspended cases (容缺 items owed) whose period passed with the items still owed are closed, each once.
    "review-close-suspended": {"task": "apps.review.tasks.close_suspended", "schedule": crontab(minute=25)},
}
