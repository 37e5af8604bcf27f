"""Recordings of the calls' media (issue 14, "Record": media are not stored unless a recording setting is on).
REMOTE_RECORDING off (the default): an upload is refused and nothing is stored. On: a session opens only with the
applicant's consent to the recording, the staff member's page uploads WebM recordings (checked: the format, the
size, whose session), they appear in the session's log and admin, and they go with the session's record. The ICE
settings reach both pages and malformed ones stop the start."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.central.remote.conf import RemoteConf
from apps.central.remote.models import EventAction, RemoteSession, SessionEvent, SessionRecording
from apps.central.remote.services import session_answer
from apps.shared.privacy.services import retention_run

from .conftest import open_payload, relay, staff_post

# A WebM file's EBML header (DocType "webm") and a little of what follows: what the check reads.
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x18\x53\x80\x67" + b"\x00" * 256
)

pytestmark = pytest.mark.django_db


def upload(client, session_id: str, content: bytes = WEBM, name: str = "recording.webm"):
    return client.post(
        f"/remote/{session_id}/recording/",
        {"file": SimpleUploadedFile(name, content, content_type="video/webm")},
        headers={"accept-language": "zh-hans"},
    )


@pytest.fixture
def recording_on(settings):
    settings.REMOTE_RECORDING = True
    return settings


@pytest.fixture
def consented(client, platform, remote_matter, approver, recording_on):
    """A session whose applicant agreed to the recording, answered by ``approver`` (the client's page)."""
    opened = relay(client, open_payload(remote_matter, consent_recording=True)).json()
    session_answer(staff=approver, session_id=opened["session"])
    client.force_login(approver)
    return opened


def test_with_recording_off_an_upload_is_refused_and_nothing_is_stored(client, answered):
    refused = upload(client, answered["session"])
    assert refused.status_code == 403
    assert refused.json()["code"] == "recording_off"
    assert "未开启通话录像" in refused.json()["detail"]
    english = client.post(
        f"/remote/{answered['session']}/recording/",
        {"file": SimpleUploadedFile("r.webm", WEBM)},
        headers={"accept-language": "en"},
    )
    assert english.status_code == 403 and "record" in english.json()["detail"].lower()
    assert not SessionRecording.objects.exists()
    # The pages are told: no recording (the hall's page says nothing about one, central's records nothing).
    page = client.get(f"/remote/{answered['session']}/")
    assert b'"recording": false' in page.content and b"recording-state" not in page.content


def test_with_recording_on_a_session_needs_the_consent_to_the_recording(client, platform, remote_matter, recording_on):
    refused = relay(client, open_payload(remote_matter))  # consent to the record only, not to the recording
    assert refused.status_code == 400 and refused.json()["code"] == "consent_required"
    assert "录像" in refused.json()["detail"]
    assert not RemoteSession.objects.exists()
    opened = relay(client, open_payload(remote_matter, consent_recording=True))
    assert opened.status_code == 200 and opened.json()["recording"] is True
    assert RemoteSession.objects.get().recording_consent is True


def test_with_recording_on_the_call_is_stored_logged_and_shown(client, consented, central_supervisor):
    page = client.get(f"/remote/{consented['session']}/")
    assert b'"recording": true' in page.content and b'id="recording-state"' in page.content
    stored = upload(client, consented["session"])
    assert stored.status_code == 200, stored.content
    recording = SessionRecording.objects.get()
    assert recording.size == len(WEBM) and stored.json()["sha256"] == recording.sha256
    with recording.file.open("rb") as handle:
        assert handle.read() == WEBM
    assert recording.file.name.startswith("remote/recordings/") and recording.file.name.endswith(".webm")
    event = SessionEvent.objects.get(action=EventAction.RECORDED)
    assert event.data["sha256"] == recording.sha256 and "录像" in event.note
    # The last part arrives after the call ended.
    assert staff_post(client, consented, "hangup", {}).status_code == 200
    assert upload(client, consented["session"]).status_code == 200
    assert SessionRecording.objects.count() == 2
    # The session's log lists them and hands them out to its staff and supervisors.
    log = client.get(f"/remote/{consented['session']}/log/").content.decode()
    assert 'id="log-recordings"' in log and log.count("下载录像") == 2
    downloaded = client.get(f"/remote/{consented['session']}/recordings/{recording.id}/")
    assert downloaded.status_code == 200 and downloaded["Content-Type"] == "video/webm"
    assert b"".join(downloaded.streaming_content) == WEBM
    client.force_login(central_supervisor)
    assert client.get(f"/remote/{consented['session']}/recordings/{recording.id}/").status_code == 200


def test_central_page_is_given_the_limit_on_a_part(client, consented, recording_on):
    """The page cuts its recording into parts below the server's limit (tests/central/remote/test_recording_parts.py
    shows it in a browser): it is handed the setting's value."""
    recording_on.REMOTE_RECORDING_MAX_BYTES = 3 * 1024 * 1024 + 7
    html = client.get(f"/remote/{consented['session']}/").content.decode()
    settings = json.loads(re.search(r'<script id="remote-page" type="application/json">(.*?)</script>', html, re.S)[1])
    assert settings["recording"] is True and settings["recording_max_bytes"] == 3 * 1024 * 1024 + 7


def test_a_recording_is_checked(client, consented, recording_on, other_approver):
    not_webm = upload(client, consented["session"], content=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, name="x.webm")
    assert not_webm.status_code == 422 and not_webm.json()["code"] == "not_a_recording"
    recording_on.REMOTE_RECORDING_MAX_BYTES = len(WEBM) - 1
    too_large = upload(client, consented["session"])
    assert too_large.status_code == 422 and too_large.json()["code"] == "file_too_large"
    recording_on.REMOTE_RECORDING_MAX_BYTES = 1024 * 1024
    empty = client.post(f"/remote/{consented['session']}/recording/", {})
    assert empty.status_code == 400 and empty.json()["code"] == "invalid"
    # Only the staff member who answered uploads to the session.
    client.force_login(other_approver)
    assert upload(client, consented["session"]).status_code == 404
    assert not SessionRecording.objects.exists()


def test_a_session_consented_before_recording_was_turned_on_stores_none(client, answered, recording_on):
    page = client.get(f"/remote/{answered['session']}/")
    assert b'"recording": false' in page.content  # its page records nothing
    refused = upload(client, answered["session"])
    assert refused.status_code == 403 and refused.json()["code"] == "recording_off"


def test_recordings_go_with_the_sessions_record(client, platform, remote_matter, approver, recording_on, time_machine):
    start = dt.datetime.now(tz=dt.UTC)
    time_machine.move_to(start, tick=False)
    opened = relay(client, open_payload(remote_matter, consent_recording=True)).json()
    session_answer(staff=approver, session_id=opened["session"])
    client.force_login(approver)
    assert upload(client, opened["session"]).status_code == 200
    staff_post(client, opened, "hangup", {})
    recording = SessionRecording.objects.get()
    storage, name = recording.file.storage, recording.file.name
    assert storage.exists(name)
    time_machine.move_to(start + dt.timedelta(days=3 * 365 - 1), tick=False)
    assert retention_run().counts["remote.sessions"] == 0 and storage.exists(name)
    time_machine.move_to(start + dt.timedelta(days=3 * 365 + 1), tick=False)
    assert retention_run().counts["remote.sessions"] == 1
    assert not SessionRecording.objects.exists() and not storage.exists(name)


# --- ICE settings -------------------------------------------------------------------------------------------

TURN = [{"urls": "turn:127.0.0.1:3478?transport=udp", "username": "u", "credential": "p"}]


def test_the_ice_settings_reach_both_pages(client, answered, settings):
    settings.REMOTE_ICE_SERVERS = TURN
    settings.REMOTE_ICE_TRANSPORT_POLICY = "relay"
    page = client.get(f"/remote/{answered['session']}/").content.decode()
    assert '"ice_transport_policy": "relay"' in page and '"username": "u"' in page and "turn:127.0.0.1:3478" in page


def test_the_hall_is_handed_the_ice_settings_when_it_opens(client, platform, remote_matter, settings):
    settings.REMOTE_ICE_SERVERS = TURN
    settings.REMOTE_ICE_TRANSPORT_POLICY = "relay"
    answer = relay(client, open_payload(remote_matter)).json()
    assert answer["ice_servers"] == TURN and answer["ice_transport_policy"] == "relay"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("REMOTE_ICE_SERVERS", "turn:127.0.0.1", "must be a JSON list of ICE servers"),
        ("REMOTE_ICE_SERVERS", '{"urls": "stun:x"}', "JSON list of objects with 'urls'"),
        ("REMOTE_ICE_SERVERS", '[{"url": "stun:x"}]', "JSON list of objects with 'urls'"),
        ("REMOTE_ICE_SERVERS", '[{"urls": [1]}]', "JSON list of objects with 'urls'"),
        ("REMOTE_ICE_SERVERS", '[{"urls": "turn:127.0.0.1:3478"}]', "needs a 'username' and a 'credential'"),
        ("REMOTE_ICE_TRANSPORT_POLICY", "relayed", "must be one of: all, relay"),
        ("REMOTE_RECORDING", "maybe", "is not a boolean"),
    ],
)
def test_malformed_settings_stop_the_start_with_a_clear_message(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message) as refused:
        vars(RemoteConf)[name].load()
    assert name in str(refused.value)


def test_well_formed_ice_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("REMOTE_ICE_SERVERS", '[{"urls": ["stun:a", "turn:b"], "username": "u", "credential": "p"}]')
    monkeypatch.setenv("REMOTE_ICE_TRANSPORT_POLICY", "relay")
    servers, policy = vars(RemoteConf)["REMOTE_ICE_SERVERS"], vars(RemoteConf)["REMOTE_ICE_TRANSPORT_POLICY"]
    servers.load()
    policy.load()
    try:
        assert servers.from_environment[0]["username"] == "u" and policy.from_environment == "relay"
    finally:
        monkeypatch.delenv("REMOTE_ICE_SERVERS")
        monkeypatch.delenv("REMOTE_ICE_TRANSPORT_POLICY")
        servers.load()
        policy.load()


def test_a_part_refused_under_the_sessions_lock_leaves_no_file(client, consented, monkeypatch):
    """The file is stored before the session is locked (a hangup does not wait for a large write); a refusal made
    under the lock (here: the session's parts are full) deletes it again."""
    import hashlib
    import os

    from apps.central.remote.services import recordings

    first = upload(client, consented["session"])
    assert first.status_code == 200, first.content
    kept = SessionRecording.objects.get()
    storage, folder = kept.file.storage, os.path.dirname(kept.file.name)
    monkeypatch.setattr(recordings, "MAX_PARTS", 1)
    second = WEBM + b"\x01"
    stored_as = f"{consented['session']}-{hashlib.sha256(second).hexdigest()[:12]}"
    refused = upload(client, consented["session"], content=second)
    assert refused.status_code == 409 and refused.json()["code"] == "invalid_state", refused.content
    assert SessionRecording.objects.count() == 1 and storage.exists(kept.file.name)
    assert kept.file.name.startswith(f"{folder}/{consented['session']}-")
    assert not [name for name in storage.listdir(folder)[1] if name.startswith(stored_as)]
