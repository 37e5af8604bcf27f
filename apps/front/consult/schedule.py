"""This app's periodic work (Celery beat). settings/queues.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

PERIODIC = {
    # Consultation tickets (DOMAIN.md §6): remind the owner a working day before the limit, escalate to
    # the hall's supervisors on the last day or when nobody took a ticket on its day; idempotent.
    "consult-remind": {"task": "apps.consult.tasks.tickets_remind_and_escalate", "schedule": 900.0},
}
