"""This app's periodic work (Celery beat). settings/queues.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

PERIODIC = {
    # A session nobody answered within REMOTE_RING_SECONDS ends; the hall's front opens a consultation ticket
    # for a call-back. (Polls end such a session at once too; this catches a hall that stopped polling.) A call
    # whose hall has not asked for longer than a join ticket lives ends too: it can never be rejoined.
    "remote-expire-unanswered": {"task": "apps.central.remote.tasks.sessions_expire", "schedule": 10.0},
}
