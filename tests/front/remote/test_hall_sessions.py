"""The hall's side of a remote session against a real central: started at a kiosk or from a window, relayed with
a join ticket the page never sees, bound to the device that started it, followed through answer, scans, reload
and the end; a conclusion at central becomes the case at the hall, a ring nobody answered a call-back ticket."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from apps.front.booking.models import GroupMatter, StaffPost
from apps.front.consult.models import ConsultTicket, TicketChannel, TicketStatus
from apps.front.floor.models import Terminal
from apps.front.floor.models import TicketStatus as FloorTicketStatus
from apps.front.intake.models import Case, CaseStatus, DocumentKind, EvidenceItem, TrustLevel
from apps.front.remote.models import HallScan, HallSession, SessionStatus
from apps.shared.accounts.models import Role, User
from apps.shared.exchange import contract
from apps.shared.exchange.models import OutboxMessage, Peer
from tests.factories import make_user
from tests.front.floor.factories import make_ticket

from .conftest import PDF, PNG, deliver, new_id, session_id_of, start_at_kiosk

pytestmark = pytest.mark.django_db


def poll(client, session_id, **params):
    return client.get(f"/remote/{session_id}/poll/", params)


def test_a_kiosk_starts_a_session_that_rings_at_central_and_the_page_never_sees_the_ticket(
    kiosk, citizen, remote_matter, approver
):
    session_id = session_id_of(start_at_kiosk(kiosk, remote_matter, citizen))
    session = HallSession.objects.get(id=session_id)
    assert session.status == SessionStatus.RINGING and session.citizen == citizen and session.terminal is not None
    assert session.device == f"terminal:{session.terminal_id}" and session.consent_at is not None
    join_ticket = kiosk.session["remote_sessions"][session_id]["ticket"]
    page = kiosk.get(f"/remote/{session_id}/")
    assert page.status_code == 200 and join_ticket not in page.content.decode()
    polled = poll(kiosk, session_id, after=0).json()
    assert polled["status"] == "ringing" and polled["ring_left"] > 0 and "ticket" not in polled
    # One session at a time per device: asking again offers the way back to the one going on.
    again = start_at_kiosk(kiosk, remote_matter, citizen)
    assert again.status_code == 409 and f'href="/remote/{session_id}/" id="open-session"' in again.content.decode()
    # Central rings it in the department's queue.
    queue = approver.http.get(f"{approver.url}/remote/queue/", timeout=10).json()["queue"]
    assert session_id in [row["id"] for row in queue]
    assert kiosk.post(f"/remote/{session_id}/hangup/").json() == {"status": "ended"}
    session.refresh_from_db()
    assert session.status == SessionStatus.ENDED and session.outcome == "cancelled"


def test_the_kiosk_refuses_without_consent_an_unknown_person_or_a_matter_not_served_remotely(
    kiosk, citizen, remote_matter, matter, registry
):
    no_consent = start_at_kiosk(kiosk, remote_matter, citizen, consent="")
    assert no_consent.status_code == 400 and "同意" in no_consent.content.decode()
    stranger = start_at_kiosk(kiosk, remote_matter, citizen, id_number="11010519491231002X")
    assert stranger.status_code == 422 and "实名账户" in stranger.content.decode()  # no_account (issue 17: was 400)
    not_remote = start_at_kiosk(kiosk, matter, citizen)
    assert not_remote.status_code == 422
    assert not HallSession.objects.exists()


def test_only_the_device_that_started_it_reaches_the_session(kiosk, citizen, clerk, remote_matter, hall, registry):
    session_id = session_id_of(start_at_kiosk(kiosk, remote_matter, citizen))
    other_kiosk = Client()
    Terminal.objects.create(hall=hall, name="2号终端", token_sha256=hashlib.sha256(b"second-kiosk").hexdigest())
    other_kiosk.post("/terminal/", {"token": "second-kiosk"})
    for path in ("", "poll/"):
        assert other_kiosk.get(f"/remote/{session_id}/{path}").status_code == 404
    assert other_kiosk.post(f"/remote/{session_id}/hangup/").status_code == 404
    assert Client().get(f"/remote/{session_id}/poll/").status_code == 404  # nobody's browser
    staff = Client()
    staff.force_login(clerk)  # a clerk of the same hall: not the device that asked
    assert staff.get(f"/remote/{session_id}/poll/").status_code == 404
    kiosk.post(f"/remote/{session_id}/hangup/")


def test_the_session_survives_the_hall_page_reloading(kiosk, citizen, remote_matter, approver):
    session_id = session_id_of(start_at_kiosk(kiosk, remote_matter, citizen))
    assert approver.answer(session_id).status_code == 302
    assert poll(kiosk, session_id).json()["status"] == "active"
    assert HallSession.objects.get(id=session_id).status == SessionStatus.ACTIVE
    approver.post(session_id, "signal", {"kind": "ready", "body": {}})
    # The page reloads: the same browser session holds the ticket; the page starts from the mailbox's end.
    assert kiosk.get(f"/remote/{session_id}/").status_code == 200
    assert [s["kind"] for s in poll(kiosk, session_id, after=0).json()["signals"]] == ["ready"]
    reloaded = poll(kiosk, session_id, after=0, start="1").json()
    assert reloaded["signals"] == [] and reloaded["cursor"] > 0
    hello = kiosk.post(
        f"/remote/{session_id}/signal/", {"kind": "hello", "body": {"gen": "g2"}}, content_type="application/json"
    )
    assert hello.status_code == 200
    nul = kiosk.post(f"/remote/{session_id}/form/", {"fields": {"phone": "1\x00"}}, content_type="application/json")
    assert nul.status_code == 400 and nul.json()["code"] == "invalid"
    assert [s["kind"] for s in approver.poll(session_id, after=0)["signals"]] == ["hello"]
    assert approver.post(session_id, "hangup", {}).json()["outcome"] == "hung_up"
    assert poll(kiosk, session_id).json()["status"] == "ended"


def test_a_scan_is_checked_at_the_hall_and_seen_at_central(kiosk, citizen, remote_matter, approver):
    session_id = session_id_of(start_at_kiosk(kiosk, remote_matter, citizen))
    approver.answer(session_id)
    assert approver.post(session_id, "scan-request", {"material": "id-card"}).status_code == 200
    asked = poll(kiosk, session_id).json()["scans"]
    assert [(s["material"], s["requested"], s["uploaded"]) for s in asked] == [("id-card", True, False)]
    bad = kiosk.post(
        f"/remote/{session_id}/scan/", {"material": "id-card", "file": SimpleUploadedFile("id.png", b"MZ\x90\x00")}
    )
    assert bad.status_code == 422 and bad.json()["code"] == "file_type"
    good = kiosk.post(f"/remote/{session_id}/scan/", {"material": "id-card", "file": SimpleUploadedFile("id.png", PNG)})
    assert good.status_code == 200, good.content
    assert HallScan.objects.filter(session_id=session_id).count() == 1
    seen = approver.poll(session_id)["scans"]
    assert seen[0]["uploaded"] and approver.http.get(approver.url + seen[0]["url"], timeout=10).content == PNG
    approver.post(session_id, "hangup", {})


def test_central_accepts_remotely_and_the_case_is_made_at_the_hall(
    kiosk, client, citizen, remote_matter, approver, registry
):
    session_id = session_id_of(start_at_kiosk(kiosk, remote_matter, citizen))
    approver.answer(session_id)
    for key in ("id-card", "photo"):
        kiosk.post(f"/remote/{session_id}/scan/", {"material": key, "file": SimpleUploadedFile(f"{key}.pdf", PDF)})
    kiosk.post(
        f"/remote/{session_id}/form/",
        {"fields": {"phone": "13800001111", "bank": "北京银行"}},
        content_type="application/json",
    )
    assert approver.post(session_id, "identity", {"reason": "视频中本人与证件照片一致"}).status_code == 200
    assert approver.post(session_id, "conclude", {"outcome": "accepted"}).json() == {
        "status": "ended",
        "outcome": "accepted",
    }
    # The hall sees the end at once; the case comes with central's message (delivered here by hand).
    ended = poll(kiosk, session_id).json()
    assert ended["status"] == "ended" and ended["outcome"] == "accepted" and "case" not in ended
    delivered = deliver(client, registry, "remote.concluded", session_id)
    assert delivered.status_code == 200, delivered.content
    session = HallSession.objects.get(id=session_id)
    case = session.case
    assert (
        case is not None
        and case.status == CaseStatus.ACCEPTED
        and case.citizen == citizen
        and case.hall == session.hall
    )
    # The acceptor is the remote staff member: a stand-in account that can never sign in.
    acceptor = User.objects.get(id=case.clerk_id)
    assert acceptor.username == "central.approver"  # the platform (its peer code here) and the account there
    assert acceptor.real_name == "刘洋" and not acceptor.is_active and not acceptor.has_usable_password()
    assert acceptor.role == Role.APPROVER
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    assert receipt.content["clerk"] == "刘洋" and receipt.issued_by == acceptor
    assert sorted(k or "" for k in case.materials.values_list("material__key", flat=True)) == ["", "id-card", "photo"]
    assert case.materials.get(material=None).name == "远程申请表"  # the form, with the phone typed at the hall
    # Every remote action is in the case's timeline.
    notes = list(case.events.values_list("note", flat=True))
    assert any("远程虚拟窗口收件" in n for n in notes) and any("收到扫描件：申请人居民身份证" in n for n in notes)
    assert any("远程核验申请人身份" in n for n in notes) and any(n.endswith("远程受理") for n in notes)
    # With the reason central gave for the identity check (its remote.concluded message's identity_note).
    assert "远程核验身份：视频中本人与证件照片一致" in notes
    # At a kiosk nobody held the originals: the scans are accepted but stay level C, and nothing is kept in the
    # citizen's vault as checked against the original.
    assert set(case.materials.values_list("trust_level", flat=True)) == {TrustLevel.C}
    assert not EvidenceItem.objects.filter(citizen=citizen).exists()
    # The case leaves for central as any accepted case; central's session log learns its number.
    assert [m.payload["number"] for m in OutboxMessage.objects.filter(kind=contract.MessageKind.CASE_SUBMITTED)] == [
        case.number
    ]
    opened = OutboxMessage.objects.get(kind=contract.MessageKind.REMOTE_CASE_OPENED)
    assert opened.payload["number"] == case.number and opened.payload["documents"][0]["kind"] == "receipt"
    # The hall's page shows the case, its voucher, and the query password once.
    first = poll(kiosk, session_id).json()
    assert first["case"]["number"] == case.number and len(first["case"]["password"]) == 6
    assert poll(kiosk, session_id).json()["case"]["password"] == ""
    voucher = kiosk.get(f"/remote/{session_id}/documents/{receipt.verification_code}.pdf")
    assert voucher.status_code == 200 and voucher.content.startswith(b"%PDF")
    # Delivered twice, applied once.
    assert deliver(client, registry, "remote.concluded", session_id).json()["duplicate"] is True
    assert Case.objects.count() == 1


def test_a_window_session_finishes_the_ticket_when_central_gives_the_one_time_notice(
    client, clerk, citizen, remote_matter, approver, registry
):
    post = StaffPost.objects.get(user=clerk)
    ticket = make_ticket(GroupMatter.objects.get(matter_code=remote_matter.code).group, remote_matter)
    type(ticket).objects.filter(id=ticket.id).update(
        citizen=citizen, status=FloorTicketStatus.SERVING, window=post.window, served_by=clerk
    )
    client.force_login(clerk)
    assert client.get(f"/workbench/tickets/{ticket.id}/remote/").status_code == 200
    session_id = session_id_of(client.post(f"/workbench/tickets/{ticket.id}/remote/", {"consent": "1"}))
    session = HallSession.objects.get(id=session_id)
    assert session.clerk == clerk and session.device == f"clerk:{clerk.id}" and session.ticket_id == ticket.id
    # The clerk's other browser (no ticket there) reaches the page but cannot act for the session.
    elsewhere = Client()
    elsewhere.force_login(clerk)
    assert elsewhere.get(f"/remote/{session_id}/poll/").status_code == 403
    approver.answer(session_id)
    approver.post(session_id, "conclude", {"outcome": "one_time_notice", "items": "户口簿首页复印件"})
    assert deliver(client, registry, "remote.concluded", session_id).status_code == 200
    case = HallSession.objects.get(id=session_id).case
    assert case.status == CaseStatus.RECEIVED and case.notice_items == ["户口簿首页复印件"]
    assert case.documents.filter(kind=DocumentKind.ONE_TIME_NOTICE).exists()
    ticket.refresh_from_db()
    assert ticket.status == FloorTicketStatus.DONE


def test_a_ring_nobody_answers_leaves_a_call_back_ticket_at_the_hall(kiosk, client, citizen, remote_matter, registry):
    session_id = session_id_of(start_at_kiosk(kiosk, remote_matter, citizen))
    # Central's ring time passes (its database's clock: the test's central is a real server).
    registry.site.sql(
        "UPDATE remote_remotesession SET ring_deadline = now() - interval '1 second' WHERE id = %s", (session_id,)
    )
    ended = poll(kiosk, session_id).json()
    assert ended["status"] == "ended" and ended["outcome"] == "unanswered" and "咨询工单" in ended["end_note"]
    assert deliver(client, registry, "remote.ended", session_id).status_code == 200
    callback = ConsultTicket.objects.get()
    assert (
        callback.channel == TicketChannel.REMOTE and callback.status == TicketStatus.NEW and callback.citizen == citizen
    )
    assert callback.hall == HallSession.objects.get(id=session_id).hall and remote_matter.name in callback.title
    assert poll(kiosk, session_id).json()["callback"] == {"code": callback.code}


def test_central_away_is_a_clear_try_again(kiosk, citizen, remote_matter, registry):
    Peer.objects.filter(code="central").update(base_url="http://127.0.0.1:9")
    away = start_at_kiosk(kiosk, remote_matter, citizen)
    assert away.status_code == 503 and "审批总后台" in away.content.decode()
    assert not HallSession.objects.exists()


def test_a_remote_refusal_issues_the_notice_of_refusal_at_the_hall(
    kiosk, client, citizen, remote_matter, approver, registry
):
    session_id = session_id_of(start_at_kiosk(kiosk, remote_matter, citizen))
    approver.answer(session_id)
    refused = approver.post(
        session_id, "conclude", {"outcome": "refused", "reason": "不属于本部门职权范围", "refer_to": "区民政局"}
    )
    assert refused.json()["outcome"] == "refused"
    assert deliver(client, registry, "remote.concluded", session_id).status_code == 200
    case = HallSession.objects.get(id=session_id).case
    assert (
        case.status == CaseStatus.REJECTED_AT_INTAKE
        and case.refusal_reason == "不属于本部门职权范围"
        and case.refer_to == "区民政局"
    )
    notice = case.documents.get(kind=DocumentKind.REFUSAL)
    assert notice.content["reason"] == "不属于本部门职权范围" and notice.content["remedies"]
    assert not OutboxMessage.objects.filter(kind=contract.MessageKind.CASE_SUBMITTED).exists()  # nothing to hand over


def test_the_halls_session_log_is_for_its_supervisors(
    kiosk, client, citizen, remote_matter, registry, hall, other_hall
):
    session_id = session_id_of(start_at_kiosk(kiosk, remote_matter, citizen))
    kiosk.post(f"/remote/{session_id}/hangup/")
    supervisor = make_user("hallsup_tz", Role.HALL_SUPERVISOR, real_name="陈主管")
    StaffPost.objects.create(user=supervisor, hall=hall)
    elsewhere = make_user("hallsup_ys", Role.HALL_SUPERVISOR, real_name="王主管")
    StaffPost.objects.create(user=elsewhere, hall=other_hall)
    client.force_login(supervisor)
    page = client.get("/remote/log/")
    assert page.status_code == 200 and [str(s.id) for s in page.context["sessions"]] == [session_id]
    assert "发起远程视频服务" in page.content.decode() and "大厅结束会话" in page.content.decode()
    client.force_login(elsewhere)
    assert list(client.get("/remote/log/").context["sessions"]) == []
    client.force_login(citizen)
    assert client.get("/remote/log/").status_code == 403


def test_the_halls_session_log_shows_when_consent_was_given_and_how_long_the_call_lasted(
    client, citizen, remote_matter, hall, terminal
):
    """As central's log does: the time of the applicant's consent to the record, and the call's length (from the
    answer to the end; none for a ring nobody answered)."""
    start = timezone.make_aware(dt.datetime(2026, 11, 24, 9, 30, 5))
    common = {"hall": hall, "matter": remote_matter, "citizen": citizen, "terminal": terminal}
    HallSession.objects.create(
        id=new_id(),
        device=f"terminal:{terminal.id}",
        device_label="1号自助服务终端",
        **common,
        consent_at=start,
        started_at=start + dt.timedelta(seconds=2),
        answered_at=start + dt.timedelta(seconds=20),
        ended_at=start + dt.timedelta(minutes=4, seconds=20),
        status=SessionStatus.ENDED,
        outcome="accepted",
    )
    HallSession.objects.create(
        id=new_id(),
        device=f"terminal:{terminal.id}",
        device_label="1号自助服务终端",
        **common,
        consent_at=start - dt.timedelta(hours=1),
        started_at=start - dt.timedelta(hours=1),
        ended_at=start - dt.timedelta(minutes=58),
        status=SessionStatus.ENDED,
        outcome="unanswered",
    )
    supervisor = make_user("hallsup_tz", Role.HALL_SUPERVISOR, real_name="陈主管")
    StaffPost.objects.create(user=supervisor, hall=hall)
    client.force_login(supervisor)
    page = client.get("/remote/log/").content.decode()
    assert "同意记录" in page and "通话时长" in page
    assert re.findall(r'data-cell="consent">([^<]*)<', page) == ["11-24 09:30:05", "11-24 08:30:05"]
    assert re.findall(r'data-cell="duration">([^<]*)<', page) == ["240 秒", "—"]
