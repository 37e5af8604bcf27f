"""A live session at central (issue 14, "Talk" and "Work together"): signalling both ways through the
mailbox, a hall page that reloads and renegotiates without losing the session, the shared form, central's
pointer, scans asked for and received, the remote identity check, the outcome, and what never reaches the
hall."""

from __future__ import annotations

import base64
import re

import pytest

from apps.central.remote.models import (
    EventAction,
    RemoteSession,
    SessionOutcome,
    SessionScan,
    SessionSignal,
    SessionStatus,
)
from apps.shared.exchange import contract
from apps.shared.exchange.models import OutboxMessage

from .conftest import hall, staff_post

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = (  # one blank page that a PDF reader opens (an upload that does not open is refused)
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
    b"3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 243 153]>>\nendobj\nxref\n0 4\n0000000000 65535 f \n0000000015 00000 n \n"
    b"0000000060 00000 n \n0000000111 00000 n \ntrailer\n<</Size 4/Root 1 0 R>>\nstartxref\n176\n%%EOF\n"
)


def central_poll(client, opened, after=0, **params):
    return client.get(f"/remote/{opened['session']}/poll/", {"after": after, **params}).json()


def test_signalling_goes_both_ways_after_each_sides_cursor(client, answered):
    ready = staff_post(client, answered, "signal", {"kind": "ready", "body": {}})
    assert ready.status_code == 200
    polled = hall(client, answered, "poll", after=0).json()
    assert [(s["kind"], s["body"]) for s in polled["signals"]] == [("ready", {})]
    offer = {"gen": "g1", "sdp": "v=0 offer"}
    assert hall(client, answered, "signal", kind="offer", body=offer).status_code == 200
    assert (
        hall(
            client, answered, "signal", kind="candidate", body={"gen": "g1", "candidate": {"candidate": "c1"}}
        ).status_code
        == 200
    )
    seen = central_poll(client, answered)
    assert [s["kind"] for s in seen["signals"]] == ["offer", "candidate"] and seen["signals"][0]["body"] == offer
    # After the cursor nothing is sent twice; each side sees only the other's messages.
    assert central_poll(client, answered, after=seen["cursor"])["signals"] == []
    assert hall(client, answered, "poll", after=polled["cursor"]).json()["signals"] == []


def test_the_session_survives_the_hall_page_reloading_and_renegotiating(client, answered):
    staff_post(client, answered, "signal", {"kind": "ready", "body": {}})
    hall(client, answered, "signal", kind="offer", body={"gen": "g1", "sdp": "first"})
    cursor = central_poll(client, answered)["cursor"]
    staff_post(client, answered, "signal", {"kind": "answer", "body": {"gen": "g1", "sdp": "answer-1"}})
    # The hall's page reloads: a new page, a new connection. It starts from the mailbox's end (its old
    # messages are not replayed to it) and says hello; central's page answers ready; the hall offers anew.
    reloaded = hall(client, answered, "poll", after=0, start=True).json()
    assert reloaded["status"] == SessionStatus.ACTIVE and reloaded["signals"] == []
    assert reloaded["cursor"] == SessionSignal.objects.filter(sender="central").latest("id").id
    hall(client, answered, "signal", kind="hello", body={"gen": "g2"})
    assert [s["kind"] for s in central_poll(client, answered, after=cursor)["signals"]] == ["hello"]
    staff_post(client, answered, "signal", {"kind": "ready", "body": {}})
    hall(client, answered, "signal", kind="offer", body={"gen": "g2", "sdp": "second"})
    # And the network drops later: the hall restarts ICE with a new offer.
    hall(client, answered, "signal", kind="offer", body={"gen": "g3", "sdp": "third", "restart": True})
    offers = [s["body"]["sdp"] for s in central_poll(client, answered, after=cursor)["signals"] if s["kind"] == "offer"]
    assert offers == ["second", "third"]
    session = RemoteSession.objects.get(id=answered["session"])
    assert session.status == SessionStatus.ACTIVE and session.answered_by.username == "approver"
    assert list(session.events.filter(action=EventAction.RECONNECTED).values_list("note", flat=True)) == [
        "大厅页面重新加入会话",
        "连接中断后重新协商",
    ]


def test_only_a_reloaded_page_and_a_real_drop_are_logged_not_the_watchdogs_retries(client, answered):
    """While a call is answered but not yet connected, the hall's watchdog says hello again every ten seconds and
    a re-offer that never got through is retried: none of it is a page that re-joined or a new drop, and the log
    (which becomes the case's timeline the citizen reads) gets one line for each real event only."""
    staff_post(client, answered, "signal", {"kind": "ready", "body": {}})
    hall(client, answered, "signal", kind="offer", body={"gen": "g1", "sdp": "first"})
    for _ in range(3):  # the watchdog, thirty seconds of a connection that does not come
        assert hall(client, answered, "signal", kind="hello", body={"again": True}).status_code == 200
    # The connection comes up, then drops: the first re-offer is the drop; its retries are not new drops.
    hall(client, answered, "signal", kind="offer", body={"gen": "g2", "sdp": "x", "restart": True, "retry": False})
    for gen in ("g3", "g4"):
        hall(client, answered, "signal", kind="offer", body={"gen": gen, "sdp": "x", "restart": True, "retry": True})
    # The hall's page reloads (a hello not marked again): one line.
    hall(client, answered, "signal", kind="hello", body={})
    session = RemoteSession.objects.get(id=answered["session"])
    assert list(session.events.filter(action=EventAction.RECONNECTED).values_list("note", flat=True)) == [
        "连接中断后重新协商",
        "大厅页面重新加入会话",
    ]
    # Every message still reaches central, in the order it was posted.
    kinds = [s["kind"] for s in central_poll(client, answered)["signals"]]
    assert kinds == ["offer", "hello", "hello", "hello", "offer", "offer", "offer", "hello"]


def test_the_shared_form_merges_typing_from_both_sides(client, answered):
    assert hall(client, answered, "form", fields={"phone": "13800001111"}).json()["form_seq"] == 1
    seen = central_poll(client, answered, form_seq=0)
    assert seen["form"] == {"phone": "13800001111"} and seen["form_seq"] == 1
    assert "form" not in central_poll(client, answered, form_seq=1)  # only when the poller is behind
    assert staff_post(client, answered, "form", {"fields": {"statement": "申领社会保障卡"}}).json() == {"form_seq": 2}
    hall_view = hall(client, answered, "poll", form_seq=1).json()
    assert hall_view["form"] == {"phone": "13800001111", "statement": "申领社会保障卡"}
    too_long = hall(client, answered, "form", fields={"phone": "1" * 21})
    assert too_long.status_code == 400
    assert staff_post(client, answered, "form", {"fields": {"address": "通州\x00区"}}).status_code == 400


def test_central_points_at_a_field_or_a_material(client, answered, remote_matter):
    material = remote_matter.materials.get(required=True)
    assert staff_post(client, answered, "point", {"target": "field:phone"}).status_code == 200
    assert hall(client, answered, "poll", pointer_seq=0).json()["pointer"]["label"] == "联系电话"
    assert staff_post(client, answered, "point", {"target": f"material:{material.key}"}).status_code == 200
    assert hall(client, answered, "poll", pointer_seq=1).json()["pointer"] == {
        "target": f"material:{material.key}",
        "label": "居民身份证",
        "note": "",
    }
    assert staff_post(client, answered, "point", {"target": "field:salary"}).status_code == 400


def test_a_scan_requested_by_central_is_uploaded_by_the_hall_and_seen_at_once(client, answered, remote_matter):
    material = remote_matter.materials.get(required=True)
    assert staff_post(client, answered, "scan-request", {"material": material.key}).status_code == 200
    asked = hall(client, answered, "poll").json()["scans"]
    assert asked == [
        {"id": asked[0]["id"], "material": material.key, "name": "居民身份证", "requested": True, "uploaded": False}
    ]
    content = base64.b64encode(PNG).decode()
    sent = hall(client, answered, "scan", material=material.key, name="id.png", content_b64=content)
    assert sent.status_code == 200
    seen = central_poll(client, answered)["scans"]
    assert len(seen) == 1 and seen[0]["uploaded"] and seen[0]["url"]
    served = client.get(seen[0]["url"])
    assert (
        served.status_code == 200
        and served["Content-Type"] == "image/png"
        and b"".join(served.streaming_content) == PNG
    )
    # Checked like every upload: a renamed executable is refused; a material of another matter too.
    bad = hall(
        client,
        answered,
        "scan",
        material=material.key,
        name="id.png",
        content_b64=base64.b64encode(b"MZ\x90\x00evil").decode(),
    )
    assert bad.status_code == 422 and bad.json()["code"] == "file_type"
    # A file that starts like a PDF but does not open is no PDF either (the window's own check).
    broken = hall(
        client,
        answered,
        "scan",
        material=material.key,
        name="id.pdf",
        content_b64=base64.b64encode(b"%PDF-1.4 not really a pdf").decode(),
    )
    assert broken.status_code == 422 and broken.json()["code"] == "file_type" and "无法打开" in broken.json()["detail"]
    foreign = hall(
        client, answered, "scan", material="not-a-key", name="x.pdf", content_b64=base64.b64encode(PDF).decode()
    )
    assert foreign.status_code == 422 and foreign.json()["code"] == "wrong_material"
    assert SessionScan.objects.filter(uploaded_at__isnull=False).count() == 1


def test_the_hall_never_sees_centrals_internal_note_or_the_registry_answer(client, answered):
    secret = "内部：申请人疑似代办，注意核实"
    assert staff_post(client, answered, "note", {"text": secret}).status_code == 200
    raw = hall(client, answered, "poll", form_seq=-1, pointer_seq=-1).content.decode()
    assert secret not in raw and "registry" not in raw
    assert RemoteSession.objects.get(id=answered["session"]).internal_note == secret


def _ready_to_accept(client, answered, remote_matter):
    material = remote_matter.materials.get(required=True)
    hall(client, answered, "scan", material=material.key, name="id.pdf", content_b64=base64.b64encode(PDF).decode())
    hall(client, answered, "form", fields={"phone": "13800001111", "statement": "首次申领"})


def test_remote_acceptance_needs_the_identity_confirmed_and_the_required_scans(client, answered, remote_matter):
    early = staff_post(client, answered, "conclude", {"outcome": "accepted"})
    assert early.status_code == 422 and early.json()["code"] == "identity_unconfirmed"
    assert staff_post(client, answered, "identity", {"reason": ""}).status_code == 400
    assert (
        staff_post(client, answered, "identity", {"reason": "人口库比对一致，视频中本人与证件照片一致"}).status_code
        == 200
    )
    missing = staff_post(client, answered, "conclude", {"outcome": "accepted"})
    assert (
        missing.status_code == 422
        and missing.json()["code"] == "materials_missing"
        and "居民身份证" in missing.json()["detail"]
    )
    assert not OutboxMessage.objects.filter(kind=contract.MessageKind.REMOTE_CONCLUDED).exists()
    _ready_to_accept(client, answered, remote_matter)
    done = staff_post(client, answered, "conclude", {"outcome": "accepted"})
    assert done.json() == {"status": "ended", "outcome": "accepted"}
    session = RemoteSession.objects.get(id=answered["session"])
    assert session.outcome == SessionOutcome.ACCEPTED and not SessionSignal.objects.filter(session=session).exists()
    message = OutboxMessage.objects.get(kind=contract.MessageKind.REMOTE_CONCLUDED)
    payload = contract.payload_parse(contract.RemoteConcluded, message.payload)
    assert payload.staff.username == "approver" and payload.staff.name == "钱审批"
    assert payload.form == {"phone": "13800001111", "statement": "首次申领"}
    notes = [entry.note for entry in payload.history]
    assert notes[0].startswith("北京城市副中心政务服务中心 1号自助服务终端 发起远程视频服务")
    assert "收到扫描件：居民身份证" in notes and notes[-1] == "区人力资源和社会保障局 钱审批 远程受理"
    assert not any("内部" in note for note in notes)
    assert payload.identity_note == "远程核验身份：人口库比对一致，视频中本人与证件照片一致"
    # Central's session log shows the identity check's reason, as it was recorded.
    log = client.get(f"/remote/{answered['session']}/log/").content.decode()
    assert re.search(r'id="log-identity">人口库比对一致，视频中本人与证件照片一致（', log), log
    # The session is over for both sides.
    assert hall(client, answered, "poll").json()["status"] == "ended"
    assert hall(client, answered, "signal", kind="hello", body={}).status_code == 409


def test_the_one_time_notice_and_the_refusal_need_their_items_and_reason(client, answered):
    assert (
        staff_post(client, answered, "conclude", {"outcome": "one_time_notice", "items": "  "}).json()["code"]
        == "items_required"
    )
    assert staff_post(client, answered, "conclude", {"outcome": "refused"}).json()["code"] == "reason_required"
    assert staff_post(client, answered, "conclude", {"outcome": "maybe"}).status_code == 400
    notice = staff_post(
        client, answered, "conclude", {"outcome": "one_time_notice", "items": "户口簿首页\n近期免冠照片"}
    )
    assert notice.json()["outcome"] == "one_time_notice"
    payload = OutboxMessage.objects.get(kind=contract.MessageKind.REMOTE_CONCLUDED).payload
    assert payload["items"] == ["户口簿首页", "近期免冠照片"]


def test_either_side_may_hang_up_and_the_front_is_told(client, answered):
    assert staff_post(client, answered, "hangup", {}).json() == {"status": "ended", "outcome": "hung_up"}
    assert OutboxMessage.objects.get(kind=contract.MessageKind.REMOTE_ENDED).payload["ending"] == "hung_up"
    assert staff_post(client, answered, "conclude", {"outcome": "refused", "reason": "x"}).status_code == 409
