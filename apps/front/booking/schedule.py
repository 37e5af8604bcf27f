"""This app's periodic work (Celery beat). settings/queues.py gathers every installed app's ``PERIODIC``;
no Django import here, settings read it before apps load."""

PERIODIC = {
    # Keep slots materialised for the rolling booking horizon; idempotent.
    "booking-generate-slots": {"task": "apps.booking.tasks.slots_generate", "schedule": 3600.0},
    # No-shows after start + grace; confirmations and reminders (day before, hour before), each sent
    # once; waitlist offers and their expiry.
    "booking-no-shows": {"task": "apps.booking.tasks.no_shows_mark", "schedule": 120.0},
    "booking-messages": {"task": "apps.booking.tasks.appointment_messages_send", "schedule": 30.0},
    "booking-waitlist": {"task": "apps.booking.tasks.waitlist_sweep", "schedule": 30.0},
}
