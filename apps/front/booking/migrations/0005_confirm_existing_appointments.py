"""Appointments made before confirmations were sent by the periodic job were confirmed on the page at the
time: mark them sent, so the job does not send a late confirmation for each of them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("booking", "0004_closure_moved_count")]

    operations = [
        migrations.RunSQL(
            "UPDATE booking_appointment SET confirmed_sent_at = created_at WHERE confirmed_sent_at IS NULL",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
