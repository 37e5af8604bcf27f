"""This app's periodic work (Celery beat). settings/queues.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

PERIODIC = {
    # Notifications held for the quiet hours, waiting for a retry, or stuck with a dead worker.
    "feedback-send-due": {"task": "apps.feedback.tasks.notifications_send_due", "schedule": 30.0},
}
