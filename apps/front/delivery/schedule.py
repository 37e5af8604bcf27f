"""This app's periodic work (Celery beat). settings.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

PERIODIC = {
    # Results to be posted whose courier order was not placed at once (broker down, courier refused).
    "delivery-dispatch-due": {"task": "apps.delivery.tasks.deliveries_dispatch_due", "schedule": 300.0},
}
