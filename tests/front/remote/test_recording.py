"""The hall's side of recording (issue 14, "Record"; REMOTE_RECORDING, set the same on both sites): the consent box
at the kiosk and the window asks for the recording, the hall tells central the consent was given, and the hall's
page says when a call is recorded. Off, the box says media are not recorded and no consent to a recording is sent.
Against a real central (which records nothing: its own REMOTE_RECORDING is off)."""

from __future__ import annotations

from typing import Any

import pytest

from apps.front.booking.models import GroupMatter, StaffPost
from apps.front.floor.models import TicketStatus as FloorTicketStatus
from apps.front.remote.services import sessions
from apps.shared.accounts.models import Role
from tests.factories import make_user
from tests.front.floor.factories import make_ticket

from .conftest import session_id_of, start_at_kiosk

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch) -> list[dict[str, Any]]:
    """What this front relays to central, in order (then relayed for real)."""
    calls: list[dict[str, Any]] = []
    real = sessions.relay

    def spy(op, payload, *args, **kwargs):
        calls.append({"op": op, **payload})
        return real(op, payload, *args, **kwargs)

    monkeypatch.setattr(sessions, "relay", spy)
    return calls


@pytest.mark.parametrize("on", [False, True])
def test_the_consent_asked_at_the_kiosk_covers_the_recording_when_it_is_on(
    kiosk, citizen, remote_matter, registry, settings, sent, on
):
    settings.REMOTE_RECORDING = on
    page = kiosk.get("/terminal/remote/").content.decode()
    assert ("包括通话录像" in page) is on and ("音视频不录制保存" in page) is not on
    session_id = session_id_of(start_at_kiosk(kiosk, remote_matter, citizen))
    opened = next(call for call in sent if call["op"] == "open")
    assert opened["consent"] is True and opened["consent_recording"] is on
    # Central's answer says whether it records (it does not here): the hall's page shows no recording note.
    hall_page = kiosk.get(f"/remote/{session_id}/").content.decode()
    assert '"recording": false' in hall_page and 'id="recording-state"' not in hall_page
    assert '"ice_transport_policy": "all"' in hall_page
    assert '"autoprint": true' in hall_page  # a kiosk prints the voucher by itself
    kiosk.post(f"/remote/{session_id}/hangup/")


def test_the_window_asks_for_the_recording_too_and_offers_the_voucher_without_printing_by_itself(
    client, clerk, citizen, remote_matter, registry, settings, sent
):
    settings.REMOTE_RECORDING = True
    post = StaffPost.objects.get(user=clerk)
    ticket = make_ticket(GroupMatter.objects.get(matter_code=remote_matter.code).group, remote_matter)
    type(ticket).objects.filter(id=ticket.id).update(
        citizen=citizen, status=FloorTicketStatus.SERVING, window=post.window, served_by=clerk
    )
    client.force_login(clerk)
    page = client.get(f"/workbench/tickets/{ticket.id}/remote/").content.decode()
    assert "申请人已同意本次远程服务被记录，包括通话录像" in page
    session_id = session_id_of(client.post(f"/workbench/tickets/{ticket.id}/remote/", {"consent": "1"}))
    assert next(call for call in sent if call["op"] == "open")["consent_recording"] is True
    assert '"autoprint": false' in client.get(f"/remote/{session_id}/").content.decode()
    client.post(f"/remote/{session_id}/hangup/")


@pytest.mark.parametrize("on", [False, True])
def test_the_halls_log_says_where_recordings_are_kept(client, hall, settings, on):
    settings.REMOTE_RECORDING = on
    supervisor = make_user("hallsup_rec", Role.HALL_SUPERVISOR, real_name="陈主管")
    StaffPost.objects.create(user=supervisor, hall=hall)
    client.force_login(supervisor)
    page = client.get("/remote/log/").content.decode()
    assert ("录像保存于审批总后台的会话记录" in page) is on and ("也不录制保存" in page) is not on
