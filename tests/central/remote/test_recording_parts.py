"""A long call is recorded in parts (REMOTE_RECORDING): central's real session page, in Debian's Chromium with its
fake camera and microphone, cuts the recording below REMOTE_RECORDING_MAX_BYTES (set tiny here, so that a part
lasts a second or two) and uploads each part to the real endpoint. Each part the server keeps is a whole WebM file
of its own (it opens with the EBML header: a recorder started anew, not a later slice of one) and below the limit;
the last part goes up when the connection ends. When the session's parts are full the page stops recording and
says so, instead of uploading parts the server refuses.

No hall joins: the page's own camera and microphone stand for the hall's stream (``remoteStream``), and the test
starts and ends the "connection"'s recording as a connection's state changes do (remote_call.js)."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from playwright.sync_api import expect

from apps.central.remote.models import SessionRecording
from apps.central.remote.services import recordings, session_answer
from tests.browser_setup import login, wait_until
from tests.factories import PASSWORD

from .conftest import open_payload, relay

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIMIT = 128 * 1024
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# The page's own stream stands for the hall's; the recording starts as it does when a connection connects.
CONNECTED = "() => { const call = window.remoteCall; call.remoteStream = call.stream; call.startRecording(); }"

# Ends the recording as a connection's end does, just after the page cut a part and that part went up: the new
# part has next to nothing, perhaps nothing at all, to send.
STOP_AFTER_A_CUT = """async () => {
  const call = window.remoteCall;
  const before = call.recorder;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 2));
  while (call.recorder === before) await pause();
  while (!call.uploads) await pause();
  while (call.uploads) await pause();
  call.stopRecording();
}"""


@pytest.fixture
def session_page(browser, live_server, settings, platform, remote_matter, approver):
    """Central's page of a session whose applicant agreed to the recording, open in the approver's browser (its
    camera and microphone on), with the limit on a part set to LIMIT. Yields (page, session id, upload requests)."""
    settings.REMOTE_RECORDING = True
    settings.REMOTE_RECORDING_MAX_BYTES = LIMIT
    opened = relay(Client(), open_payload(remote_matter, consent_recording=True)).json()
    session_answer(staff=approver, session_id=opened["session"])
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    uploads: list[str] = []
    page.on("request", lambda request: uploads.append(request.url) if request.url.endswith("/recording/") else None)
    login(page, live_server, approver.username, PASSWORD)
    page.goto(f"{live_server.url}/remote/{opened['session']}/")
    wait_until(page, "!!window.remoteCall && !!window.remoteCall.stream", timeout=15)
    yield page, opened["session"], uploads
    context.close()
    assert errors == []


def parts(session_id: str, count: int, *, timeout: float = 30) -> list[SessionRecording]:
    """The session's stored parts, once there are at least ``count``, in the order they arrived."""
    deadline = time.monotonic() + timeout
    while SessionRecording.objects.filter(session_id=session_id).count() < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"fewer than {count} parts within {timeout} s")
        time.sleep(0.2)
    return list(SessionRecording.objects.filter(session_id=session_id).order_by("id"))


def content(recording: SessionRecording) -> bytes:
    with recording.file.open("rb") as handle:
        return handle.read()


# The video's width once the browser has decoded a frame of the stored part (0: it does not play).
PLAYS = """async (url) => {
  const video = document.createElement("video");
  video.muted = true;
  const loaded = new Promise((resolve) => { video.onloadeddata = resolve; video.onerror = resolve; });
  video.src = url;
  await Promise.race([loaded, new Promise((resolve) => setTimeout(resolve, 10000))]);
  return video.videoWidth;
}"""


def test_a_long_connection_is_uploaded_in_parts_each_a_whole_webm_below_the_limit(session_page):
    page, session_id, uploads = session_page
    assert page.evaluate("window.remoteCall.recordMaxBytes") == LIMIT  # from the server's setting
    page.evaluate(CONNECTED)
    state = page.locator("#recording-state")
    expect(state).to_have_text("● 正在录像")
    during = parts(session_id, 3)
    # Parts cut and sent while the connection goes on: still recording, and the state shown is unchanged.
    assert page.evaluate("window.remoteCall.recorder.state") == "recording"
    expect(state).to_have_text("● 正在录像")
    # The connection ends, just after a part was cut (the new part holds next to nothing): its last part goes up as
    # it always did, and the page says the recording is saved.
    page.evaluate(STOP_AFTER_A_CUT)
    expect(state).to_have_text("录像已保存", timeout=10000)
    stored = parts(session_id, len(during) + 1)
    assert len(uploads) == len(stored)  # every part sent was taken: none refused as too large
    sizes = [recording.size for recording in stored]
    # Each part cut while recording was cut near the limit (not at every slice), and each is below it.
    assert all(size > LIMIT // 2 for size in sizes[:-1]) and all(size < LIMIT for size in sizes), sizes
    for recording in stored:
        # A whole WebM file of its own, which the browser plays from its first frame.
        data = content(recording)
        assert data.startswith(EBML_MAGIC) and b"webm" in data[:64], data[:64]
        assert page.evaluate(PLAYS, f"/remote/{session_id}/recordings/{recording.id}/") == 640


def test_when_the_sessions_parts_are_full_the_page_stops_recording_and_says_so(session_page, monkeypatch):
    page, session_id, uploads = session_page
    monkeypatch.setattr(recordings, "MAX_PARTS", 2)
    page.evaluate(CONNECTED)
    expect(page.locator("#recording-state")).to_have_text("录像未能保存 · 本次会话的录像已达上限。", timeout=30000)
    assert page.evaluate("window.remoteCall.recorder") is None
    # Two parts kept, the third refused (a fourth may have been on its way already when the refusal came).
    sent = len(uploads)
    assert sent >= 3 and len(parts(session_id, 2)) == 2
    # Nothing more is recorded or sent, on this connection or a later one.
    page.evaluate(CONNECTED)
    page.wait_for_timeout(3000)
    assert page.evaluate("window.remoteCall.recorder") is None and len(uploads) == sent
    expect(page.locator("#recording-state")).to_contain_text("已达上限")
