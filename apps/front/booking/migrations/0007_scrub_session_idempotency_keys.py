"""Idempotency keys that the booking page built from the citizen's session id (``<session key>-<matter>-<time>``)
are replaced by a digest, in the appointments and in their audit copies: a session id in a business table,
shown to staff, let them act as the citizen. Keys are compared only for immediate retries, so old pages
resubmitted after this migration simply book anew (and are refused as a duplicate if already booked)."""

from django.db import migrations

SESSION_KEY = r"'^[a-z0-9]{32}-'"
DIGEST = "'scrubbed-' || left(encode(sha256(convert_to(idempotency_key, 'UTF8')), 'hex'), 40)"


class Migration(migrations.Migration):
    dependencies = [("booking", "0006_waitlist_unfilled")]

    operations = [
        migrations.RunSQL(
            [
                f"UPDATE booking_appointment SET idempotency_key = {DIGEST} WHERE idempotency_key ~ {SESSION_KEY}",
                f"UPDATE booking_appointmentaudit SET idempotency_key = {DIGEST} WHERE idempotency_key ~ {SESSION_KEY}",
            ],
            migrations.RunSQL.noop,
        ),
    ]
