"""A remote session's record at central ends (issue 12's lifecycle, PIPL Art. 56): three years after the session
ended it is deleted with its log and its scans; a session still going, or ended more recently, stays whole."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from apps.central.remote.models import RemoteSession, SessionEvent, SessionScan
from apps.central.remote.services import session_answer
from apps.shared.privacy.services import retention_run

from .conftest import hall, open_payload, relay, staff_post

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.django_db
def test_a_sessions_record_goes_three_years_after_it_ended_with_its_scans(
    client, platform, remote_matter, approver, time_machine
):
    start = dt.datetime.now(tz=dt.UTC)  # not before the platform's key was made
    time_machine.move_to(start, tick=False)
    ended = relay(client, open_payload(remote_matter, device="terminal:1")).json()
    session_answer(staff=approver, session_id=ended["session"])
    key = remote_matter.materials.get(required=True).key
    uploaded = hall(
        client,
        ended,
        "scan",
        device="terminal:1",
        material=key,
        name="id.png",
        content_b64=base64.b64encode(PNG).decode(),
    )
    assert uploaded.status_code == 200
    client.force_login(approver)
    staff_post(client, ended, "hangup", {})
    going = relay(client, open_payload(remote_matter, device="terminal:2")).json()
    scan = SessionScan.objects.get(session_id=ended["session"])
    storage, name = scan.file.storage, scan.file.name
    assert storage.exists(name)

    time_machine.move_to(start + dt.timedelta(days=3 * 365 - 1), tick=False)
    assert retention_run().counts["remote.sessions"] == 0
    time_machine.move_to(start + dt.timedelta(days=3 * 365 + 1), tick=False)
    assert retention_run().counts["remote.sessions"] == 1
    assert not RemoteSession.objects.filter(id=ended["session"]).exists()
    assert not SessionEvent.objects.filter(session_id=ended["session"]).exists() and not storage.exists(name)
    # The session that never ended (it rings, then would expire) is not the job's: only ended ones have a period.
    assert RemoteSession.objects.filter(id=going["session"]).exists()
