"""The whole journey across both sites, as real HTTP servers with real Celery workers and Redis:
register → book → check in → call → accept → hand off → choose pickup (told to central) → approve →
decision back → notify → rate → result issued → picked up at the window (told to central). And the fully
online journey (issue 15): apply online → pre-review at the hall → central decides → the e-licence downloaded."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import requests

from apps.front.booking.management.commands.seed_demo import DEMO_PASSWORD
from apps.front.floor.demo import TERMINALS
from tests.journey_helpers import PDF, PNG

from .journey import (
    ONLINE_ANSWERS,
    ONLINE_MATTER,
    SLOW,
    central_case,
    central_decides,
    central_decides_and_issues,
    choose_delivery,
    eventually,
    move_slot_to_now,
    online_application_submitted,
    page_session,
    register,
    sign_up,
    token,
)

pytestmark = pytest.mark.e2e

PASSWORD = "Tongzhou-2026!"


def test_it_walks_the_whole_journey(sites):
    front, central = sites

    # 1. A citizen registers with a real name, a valid ID number and a phone: the SMS code proves the
    # phone, central's registry the name and number.
    sign_up(
        front,
        central,
        username="e2e_citizen",
        real_name="周晓燕",
        id_number="11010519491231002X",
        phone="13911112222",
        email="zhou@example.com",
    )
    assert ("BJ-TZ", True) in central.sql(
        "SELECT p.code, q.matched FROM registry_registryquery q JOIN exchange_peer p ON p.id = q.peer_id"
    )
    citizen = token(front, "e2e_citizen", PASSWORD)

    # 2. Finds a matter the approver's department decides, and a hall and a slot for it.
    department = central.sql(
        "SELECT d.code FROM review_approverpost p JOIN accounts_user u ON u.id = p.user_id "
        "JOIN catalog_department d ON d.id = p.department_id WHERE u.username = 'approver'"
    )[0][0]
    matters = requests.get(
        f"{front.url}/api/v1/matters/", params={"department": department, "limit": 200}, timeout=10
    ).json()["results"]
    matter = next(m for m in matters if m["bookable"])
    halls = requests.get(f"{front.url}/api/v1/matters/{matter['code']}/halls/", timeout=10).json()
    hall = next(h for h in halls if h["code"] == "TZ")
    slots = requests.get(
        f"{front.url}/api/v1/slots/", params={"hall": hall["id"], "matter": matter["code"]}, timeout=10
    ).json()
    assert slots, "the demo has open slots for the next working days"
    response = requests.post(
        f"{front.url}/api/v1/appointments/",
        json={"slot": slots[0]["id"], "matter": matter["code"]},
        headers={**citizen, "Idempotency-Key": "e2e-1"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    appointment = response.json()
    assert front.sql("SELECT status FROM booking_appointment WHERE code = %s", (appointment["code"],)) == [("booked",)]

    # 3. "The next day": the booked slot starts in ten minutes, and the citizen checks in at a terminal.
    move_slot_to_now(front, slots[0]["id"])
    response = requests.post(
        f"{front.url}/api/v1/terminal/checkin/",
        json={"code": appointment["code"]},
        headers={"Authorization": f"Terminal {TERMINALS['TZ'][1]}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    ticket = response.json()
    assert ticket["display_name"] == "周**"

    # 4. A clerk calls the number, sees the checklist, uploads the materials and accepts.
    clerk = token(front, "clerk", DEMO_PASSWORD)
    called = requests.post(f"{front.url}/api/v1/workbench/call-next/", headers=clerk, timeout=10)
    assert called.status_code == 200, called.text
    assert called.json()["id"] == ticket["id"]
    detail = requests.get(f"{front.url}/api/v1/matters/{matter['code']}/", timeout=10).json()
    files = {}
    for i, material in enumerate(m for m in detail["materials"] if m["required"]):
        files[f"material_{material['id']}"] = (f"scan{i}.pdf", PDF if i % 2 == 0 else PNG)
    response = requests.post(
        f"{front.url}/api/v1/workbench/tickets/{ticket['id']}/accept/", files=files, headers=clerk, timeout=20
    )
    assert response.status_code == 201, response.text
    accepted = response.json()
    number = accepted["number"]
    assert number.startswith("TZ") and len(accepted["query_password"]) == 6
    assert front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("accepted",)]

    # 5. The case travels to central through the outbox; an approver sees it with its materials.
    approver = token(central, "approver", DEMO_PASSWORD)

    def at_central():
        listing = requests.get(f"{central.url}/api/v1/cases/", headers=approver, timeout=10).json()
        return next((c for c in listing if c["front_number"] == number), None)

    received = eventually(at_central)
    assert received["applicant_id_masked"] == "110105********002X"
    assert received["matter"] == matter["name"]
    review = requests.get(f"{central.url}/api/v1/cases/{received['id']}/", headers=approver, timeout=10).json()
    front_digests = {
        row[0]
        for row in front.sql(
            "SELECT m.sha256 FROM intake_casematerial m JOIN intake_case c ON c.id = m.case_id WHERE c.number = %s",
            (number,),
        )
    }
    assert {m["sha256"] for m in review["materials"]} == front_digests and len(front_digests) == len(files)
    # ... and central's acknowledgement moves the front's case into review.
    eventually(lambda: front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("in_review",)])

    # 5b. The citizen chooses to collect the result at the hall; central hears of it before it issues
    # anything, and never the citizen's address or phone.
    assert choose_delivery(front, citizen, number, method="pickup")["method"] == "pickup"
    eventually(lambda: (central_case(central, approver, number) or {}).get("delivery_method") == "pickup")
    chosen_note = central.sql(
        "SELECT e.note FROM review_reviewevent e JOIN review_reviewcase c ON c.id = e.case_id WHERE c.front_number = %s AND e.note LIKE %s",
        (number, "申请人选择领取方式%"),
    )
    assert chosen_note == [("申请人选择领取方式：窗口领取",)]

    # 6. The approver claims the case, passes its review steps in order, and approves; the decision travels
    # back. Deciding before the steps are passed is refused.
    case_url = f"{central.url}/api/v1/cases/{received['id']}"
    assert requests.post(f"{case_url}/claim/", headers=approver, timeout=10).status_code == 200
    early = requests.post(f"{case_url}/decide/", json={"decision": "approved"}, headers=approver, timeout=10)
    assert early.status_code == 409 and early.json()["code"] == "steps_incomplete", early.text
    for _ in range(2):  # 初审, 复审
        assert requests.post(f"{case_url}/pass/", json={}, headers=approver, timeout=10).status_code == 200
    response = requests.post(
        f"{case_url}/decide/",
        json={"decision": "approved", "reason": "材料齐全，符合条件。"},
        headers=approver,
        timeout=10,
    )
    assert response.status_code == 200, response.text

    def decided_at_front():
        case = requests.get(f"{front.url}/api/v1/cases/{number}/", headers=citizen, timeout=10).json()
        return case if case["status"] == "decided" else None

    case = eventually(decided_at_front)
    assert case["decision"] == "approved"
    assert case["decision_reason"] == "材料齐全，符合条件。"
    assert [e["to_status"] for e in case["events"]] == ["received", "accepted", "in_review", "decided"]

    # 7. The citizen is notified: SMS through the recording backend, email, and the in-app inbox.
    sms_path = Path(front.env["SMS_FILE_PATH"])

    def sms_for_decision():
        if not sms_path.exists():
            return None
        lines = [json.loads(line) for line in sms_path.read_text().splitlines()]
        return [m for m in lines if m["to"] == "13911112222" and number in m["text"] and "审批结果" in m["text"]]

    sms = eventually(sms_for_decision)
    assert len(sms) == 1
    assert "11010519491231002X" not in sms[0]["text"] and "13911112222" not in sms[0]["reference"]
    mail_dir = Path(front.env["EMAIL_FILE_PATH"])
    eventually(lambda: mail_dir.exists() and any(number in p.read_text(errors="ignore") for p in mail_dir.iterdir()))
    inbox = requests.get(f"{front.url}/api/v1/inbox/", headers=citizen, timeout=10).json()
    assert {n["event"] for n in inbox} >= {"case.accepted", "case.decided"}

    # 8. The citizen rates the service, once.
    response = requests.post(
        f"{front.url}/api/v1/cases/{number}/evaluation/",
        json={"score": 1, "comment": "很方便"},
        headers=citizen,
        timeout=10,
    )
    assert response.status_code == 201, response.text
    again = requests.post(
        f"{front.url}/api/v1/cases/{number}/evaluation/", json={"score": 5}, headers=citizen, timeout=10
    )
    assert again.status_code == 409

    # 9. The approver issues the certificate, sent for pickup; it reaches the hall.
    response = requests.post(
        f"{central.url}/api/v1/cases/{received['id']}/result/", json={}, headers=approver, timeout=SLOW
    )
    assert response.status_code == 200, response.text
    issued_note = central.sql(
        "SELECT e.note FROM review_reviewevent e JOIN review_reviewcase c ON c.id = e.case_id WHERE c.front_number = %s AND e.note LIKE %s",
        (number, "出具%"),
    )
    assert len(issued_note) == 1 and issued_note[0][0].endswith("按申请人选择窗口领取")

    def ready_at_front():
        case = requests.get(f"{front.url}/api/v1/cases/{number}/", headers=citizen, timeout=10).json()
        return case if case["status"] == "result_ready" else None

    eventually(ready_at_front)
    assert front.sql(
        "SELECT d.method, d.status FROM delivery_delivery d JOIN intake_case c ON c.id = d.case_id WHERE c.number = %s",
        (number,),
    ) == [("pickup", "ready")]

    # 10. The citizen collects it at the window: the clerk checks the ID card, the case is delivered, and
    # central records the delivery.
    response = requests.post(
        f"{front.url}/api/v1/workbench/cases/{number}/pickup/",
        json={"id_number": "11010519491231002X"},
        headers=clerk,
        timeout=SLOW,
    )
    assert response.status_code == 200, response.text
    assert front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("delivered",)]
    at_central_delivered = eventually(
        lambda: (lambda c: c if c and c["delivered_at"] else None)(central_case(central, approver, number))
    )
    assert (
        at_central_delivered["delivered_method"] == "pickup" and at_central_delivered["delivery_tracking_number"] == ""
    )
    front_delivered_at = front.sql(
        "SELECT d.delivered_at FROM delivery_delivery d JOIN intake_case c ON c.id = d.case_id WHERE c.number = %s",
        (number,),
    )[0][0]
    assert dt.datetime.fromisoformat(at_central_delivered["delivered_at"]) == front_delivered_at
    # One message each way about the delivery, each applied once at central.
    wire = front.sql(
        "SELECT kind FROM exchange_outboxmessage WHERE kind IN ('case.delivery_chosen', 'case.delivered') ORDER BY created_at"
    )
    assert wire == [("case.delivery_chosen",), ("case.delivered",)]
    assert central.sql(
        "SELECT e.note FROM review_reviewevent e JOIN review_reviewcase c ON c.id = e.case_id WHERE c.front_number = %s AND e.note LIKE %s",
        (number, "结果已送达%"),
    ) == [("结果已送达申请人：窗口领取",)]

    # Exactly once on both sides, and both outboxes drained.
    assert central.sql("SELECT count(*) FROM review_reviewcase WHERE front_number = %s", (number,)) == [(1,)]
    assert front.sql(
        "SELECT count(*) FROM intake_caseevent e JOIN intake_case c ON c.id = e.case_id WHERE c.number = %s AND e.to_status = 'decided'",
        (number,),
    ) == [(1,)]
    eventually(lambda: front.sql("SELECT count(*) FROM exchange_outboxmessage WHERE status <> 'delivered'") == [(0,)])
    eventually(lambda: central.sql("SELECT count(*) FROM exchange_outboxmessage WHERE status <> 'delivered'") == [(0,)])
    assert dt.date.fromisoformat(case["promised_date"]) > dt.date.today() - dt.timedelta(days=1)


def test_an_online_application_crosses_both_sites_without_a_visit(sites):
    """全程网办 (issue 15): applied for online, pre-reviewed and accepted online by a hall clerk, decided at central,
    the e-licence downloaded; the citizen never books, checks in or takes a ticket."""
    front, central = sites
    username, citizen = register(front, central, real_name="吴敏")
    application = online_application_submitted(front, citizen)
    number = application["case"]["number"]
    assert application["case"]["status"] == "received" and len(application["query_password"]) == 6

    # The hall's clerk finds it in the online pre-review queue and accepts it: the receipt goes online.
    clerk = token(front, "clerk", DEMO_PASSWORD)
    queue = requests.get(f"{front.url}/api/v1/workbench/prereview/", headers=clerk, timeout=10).json()
    assert [row["colour"] for row in queue if row["number"] == number] == ["green"]
    detail = requests.get(f"{front.url}/api/v1/workbench/prereview/{number}/", headers=clerk, timeout=10).json()
    assert {"label": "原工作单位名称", "answer": "北京通州某科技有限公司"} in detail["answers"]
    accepted = requests.post(f"{front.url}/api/v1/workbench/prereview/{number}/accept/", headers=clerk, timeout=SLOW)
    assert accepted.status_code == 200, accepted.text

    # Central receives it with its materials (the ID card scan and the generated application form) and decides.
    central_decides_and_issues(central, number)
    assert central.sql(
        "SELECT count(*) FROM review_reviewmaterial m JOIN review_reviewcase c ON c.id = m.case_id WHERE c.front_number = %s",
        (number,),
    ) == [(2,)]

    # The e-licence comes back to the front: ready, electronically, and the citizen's download is the handover.
    def ready():
        state = requests.get(
            f"{front.url}/api/v1/online/applications/{application['code']}/", headers=citizen, timeout=10
        ).json()["case"]
        return state if state["status"] == "result_ready" else None

    state = eventually(ready)
    assert front.sql(
        "SELECT d.method, d.status FROM delivery_delivery d JOIN intake_case c ON c.id = d.case_id WHERE c.number = %s",
        (number,),
    ) == [("electronic", "ready")]
    certificate = next(d for d in state["documents"] if d["kind"] == "certificate")
    pdf = page_session(front, username, PASSWORD).get(f"{front.url}{certificate['url']}", timeout=SLOW)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert front.sql("SELECT status FROM intake_case WHERE number = %s", (number,)) == [("delivered",)]
    # No visit: no appointment, no ticket for this citizen; the certificate is in their vault for next time.
    assert front.sql(
        "SELECT count(*) FROM booking_appointment a JOIN accounts_user u ON u.id = a.citizen_id WHERE u.username = %s",
        (username,),
    ) == [(0,)]
    assert front.sql(
        "SELECT count(*) FROM hall_ticket t JOIN accounts_user u ON u.id = t.citizen_id WHERE u.username = %s",
        (username,),
    ) == [(0,)]
    assert front.sql(
        "SELECT e.trust_level FROM intake_evidenceitem e JOIN accounts_user u ON u.id = e.citizen_id WHERE u.username = %s",
        (username,),
    ) == [("A",)]
    eventually(
        lambda: (
            central.sql(
                "SELECT count(*) FROM review_reviewcase WHERE front_number = %s AND delivered_at IS NOT NULL", (number,)
            )
            == [(1,)]
        )
    )


def test_a_bundle_crosses_both_sites_its_dependent_step_sent_after_its_prerequisite(sites):
    """一件事一次办 (issue 15): one submission for 失业人员一件事; 失业登记 is received, accepted and approved at central,
    which sends 失业保险金申领 (it waited for that approval) to the hall; once it is approved too, one combined
    notice."""
    front, central = sites
    _username, citizen = register(front, central, real_name="郑强")
    hall = next(
        h
        for h in requests.get(f"{front.url}/api/v1/matters/{ONLINE_MATTER}/halls/", timeout=10).json()
        if h["code"] == "TZ"
    )
    started = requests.post(
        f"{front.url}/api/v1/online/bundle-applications/",
        json={"bundle": "unemployment", "hall": hall["id"]},
        headers=citizen,
        timeout=SLOW,
    )
    assert started.status_code == 201, started.text
    code = started.json()["code"]
    base = f"{front.url}/api/v1/online/bundle-applications/{code}/"
    assert requests.patch(base, json={"form_values": ONLINE_ANSWERS}, headers=citizen, timeout=SLOW).status_code == 200
    for key in ("id-card", "bank-account"):
        sent = requests.post(
            f"{base}files/",
            data={"material": key},
            files={"file": (f"{key}.pdf", PDF, "application/pdf")},
            headers=citizen,
            timeout=SLOW,
        )
        assert sent.status_code == 201, sent.text
    done = requests.post(f"{base}submit/", json={"declaration": True}, headers=citizen, timeout=SLOW)
    assert done.status_code == 201, done.text
    parts = {p["matter"]: p for p in done.json()["status"]["parts"]}
    assert parts["失业保险金申领"]["state"] == "waiting"

    clerk = token(front, "clerk", DEMO_PASSWORD)
    first = parts["失业登记"]["case"]["number"]
    assert (
        requests.post(
            f"{front.url}/api/v1/workbench/prereview/{first}/accept/", headers=clerk, timeout=SLOW
        ).status_code
        == 200
    )
    central_decides(central, first)

    def sent_after():
        status = requests.get(base, headers=citizen, timeout=10).json()["status"]
        part = next(p for p in status["parts"] if p["matter"] == "失业保险金申领")
        return part["case"]["number"] if part["case"] else None

    second = eventually(sent_after)
    assert (
        requests.post(
            f"{front.url}/api/v1/workbench/prereview/{second}/accept/", headers=clerk, timeout=SLOW
        ).status_code
        == 200
    )
    central_decides(central, second)
    # The page reads the bundle, then its parts, each in its own snapshot: it may show every part decided a moment
    # before the bundle's completion (written in the same transaction as the last decision) is visible to it.
    finished = eventually(
        lambda: (lambda b: b if b["completed_at"] else None)(requests.get(base, headers=citizen, timeout=10).json())
    )
    assert finished["status"]["overall"] == "completed"
    inbox = requests.get(f"{front.url}/api/v1/inbox/", headers=citizen, timeout=10).json()
    assert [n["event"] for n in inbox].count("bundle.completed") == 1
