"""This app's periodic work (Celery beat). settings/queues.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

PERIODIC = {
    # 好差评: SMS rating links for services not rated on the spot (once per event).
    "ratings-invite": {"task": "apps.ratings.tasks.invitations_send_due", "schedule": 120.0},
    # 差评 rectification: reminders and escalation before the reply limit, overdue notices; idempotent.
    "ratings-remind": {"task": "apps.ratings.tasks.rectifications_remind", "schedule": 900.0},
}
