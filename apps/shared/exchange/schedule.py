"""This app's periodic work (Celery beat). settings/queues.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

PERIODIC = {
    # The relay's guarantee: on-commit kicks are the fast path, this sweep is what makes delivery sure.
    "exchange-sweep-outbox": {"task": "apps.exchange.tasks.outbox_sweep", "schedule": 5.0},
}
