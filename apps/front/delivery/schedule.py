"""This app's periodic work (Celery beat). settings/queues.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

PERIODIC = {
    # Results to be posted whose courier order was not placed at once (broker down, courier refused).
    "delivery-dispatch-due": {"task": "apps.delivery.tasks.deliveries_dispatch_due", "schedule": 300.0},
    # Originals to be posted to another region's office whose courier order was not placed at once.
    "delivery-originals-due": {"task": "apps.delivery.tasks.originals_dispatch_due", "schedule": 300.0},
}
