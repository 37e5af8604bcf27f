"""The approver's review: claiming, steps, corrections, special procedures, extension, result."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.utils import timezone
from pypdf import PdfReader

from apps.central.review.models import Certificate, ReviewCase, ReviewStatus
from apps.central.review.selectors import case_sla, overdue_by_department
from apps.shared.exchange.models import OutboxMessage
from tests.central.reviewing import to_decision
from tests.central.test_review import package, send
from tests.factories import make_user


@pytest.fixture
def received(client, platform, matter):
    send(client, *package(matter))
    return ReviewCase.objects.get()


def act(api, user, case, action, **data):
    return api(user).post(f"/api/v1/cases/{case.id}/{action}/", data, format="json")


@pytest.mark.django_db
class TestClaiming:
    def test_it_lets_one_approver_claim_and_keeps_others_out(self, api, approver, received, department):
        from apps.central.review.models import ApproverPost
        from apps.shared.accounts.models import Role

        colleague = make_user("approver3", Role.APPROVER, real_name="周审批")
        ApproverPost.objects.create(user=colleague, department=department)
        assert act(api, approver, received, "claim").json()["assignee"] == "approver"
        assert act(api, colleague, received, "claim").status_code == 409
        assert act(api, colleague, received, "decide", decision="approved").status_code == 409
        assert act(api, approver, received, "release").json()["assignee"] is None
        assert act(api, colleague, received, "claim").status_code == 200

    def test_it_lets_a_supervisor_assign_within_the_department_only(self, api, approver, other_approver, received):
        from apps.shared.accounts.models import Role

        supervisor = make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")
        assert act(api, supervisor, received, "assign", approver=other_approver.id).json()["code"] == "wrong_department"
        assert act(api, supervisor, received, "assign", approver=approver.id).json()["assignee"] == "approver"
        assert act(api, approver, received, "assign", approver=approver.id).status_code == 403

    def test_it_keeps_another_department_out_of_every_action(self, api, other_approver, received):
        for action in ("claim", "pass", "extend", "result"):
            assert act(api, other_approver, received, action, reason="x").status_code == 404
        received.refresh_from_db()
        assert received.assignee is None and received.step == 0


@pytest.mark.django_db
class TestSteps:
    def test_it_passes_and_returns_with_a_reason(self, api, approver, received):
        act(api, approver, received, "claim")
        assert act(api, approver, received, "pass").json()["step_name"] == "复审"
        assert act(api, approver, received, "return").json()["code"] == "reason_required"
        assert act(api, approver, received, "return", reason="身份证复印件不清晰").json()["step"] == 0
        assert act(api, approver, received, "return", reason="x").status_code == 409
        assert "身份证复印件不清晰" in received.events.last().note


@pytest.mark.django_db
class TestClockAndEvents:
    def test_it_pauses_the_clock_for_a_correction_and_tells_the_front(self, api, approver, received):
        with time_machine.travel(timezone.make_aware(dt.datetime(2026, 11, 26, 10)), tick=False):
            ReviewCase.objects.filter(id=received.id).update(
                clock_running_since=dt.date(2026, 11, 23), promised_limit=10
            )
            act(api, approver, received, "claim")
            body = act(
                api, approver, received, "correction", items=["补充户口簿首页", "照片为白底"], deadline="2026-12-10"
            ).json()
        assert body["status"] == ReviewStatus.CORRECTION and body["sla"] == "paused"
        received.refresh_from_db()
        assert received.clock_used == 3 and received.clock_running_since is None
        message = OutboxMessage.objects.get(kind="case.correction_requested")
        assert message.payload == {
            "number": received.front_number,
            "items": ["补充户口簿首页", "照片为白底"],
            "deadline": "2026-12-10",
        }

    def test_it_runs_a_special_procedure_and_resumes(self, api, approver, received):
        act(api, approver, received, "claim")
        body = act(
            api, approver, received, "special", kind="inspection", reason="需现场核查经营场所", expected_days=5
        ).json()
        assert body["status"] == ReviewStatus.SPECIAL_PROCEDURE
        assert OutboxMessage.objects.get(kind="case.special_procedure").payload["kind_label"] == "现场核查"
        body = act(api, approver, received, "special-end", reason="核查通过").json()
        assert body["status"] == ReviewStatus.IN_REVIEW and body["sla"] != "paused"
        assert OutboxMessage.objects.filter(kind="case.review_resumed").count() == 1

    def test_it_extends_once_with_a_reason_and_the_heads_approval(self, api, approver, received):
        from apps.shared.accounts.models import Role

        supervisor = make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")
        act(api, approver, received, "claim")
        assert act(api, approver, received, "extend").json()["code"] == "reason_required"
        body = act(api, approver, received, "extend", reason="需征求相关部门意见").json()
        assert body["extended_days"] == 0 and body["extension_pending"] is True  # asked, not yet granted
        assert not OutboxMessage.objects.filter(kind="case.extended").exists()
        body = act(api, supervisor, received, "extend-approve").json()
        assert body["extended_days"] == 10 and body["extension_pending"] is False
        assert act(api, approver, received, "extend", reason="again").json()["code"] == "already_extended"
        assert OutboxMessage.objects.get(kind="case.extended").payload["days"] == 10

    def test_it_colours_cases_for_the_supervisor_dashboard(self, received, department):
        ReviewCase.objects.filter(id=received.id).update(promised_limit=5, clock_running_since=dt.date(2026, 11, 2))
        received.refresh_from_db()
        assert case_sla(received, today=dt.date(2026, 11, 5))[0] == "yellow"
        assert case_sla(received, today=dt.date(2026, 11, 10))[0] == "red"
        [row] = overdue_by_department(today=dt.date(2026, 11, 10))
        assert row["department"] == department.name and [c["number"] for c in row["red"]] == [received.front_number]


@pytest.mark.django_db
class TestResult:
    def test_it_issues_a_certificate_pdf_and_sends_it_with_the_e_licence(self, api, approver, received):
        to_decision(api, approver, received)
        assert act(api, approver, received, "result").json()["code"] == "invalid_state"
        act(api, approver, received, "decide", decision="approved", reason="")
        assert act(api, approver, received, "result", valid_years=5).status_code == 200
        certificate = Certificate.objects.get(case=received)
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(certificate.file.read())).pages)
        assert (
            received.front_number in text
            and certificate.verification_code in text
            and certificate.licence_number in text
        )
        message = OutboxMessage.objects.get(kind="case.result_issued")
        assert message.payload["verification_code"] == certificate.verification_code
        assert message.files[0]["sha256"] == certificate.sha256
        assert act(api, approver, received, "result").json()["code"] == "already_issued"

    def test_it_gives_a_denial_its_remedies_and_no_certificate(self, api, approver, received):
        to_decision(api, approver, received)
        act(api, approver, received, "decide", decision="denied", reason="不符合申领条件")
        assert "行政复议" in OutboxMessage.objects.get(kind="case.decided").payload["remedies"]
        assert act(api, approver, received, "result").json()["code"] == "invalid_state"


@pytest.mark.django_db
def test_it_resends_the_latest_state_when_the_front_reconciles(api, approver, received, platform):
    from apps.central.review.services import cases_resync

    to_decision(api, approver, received)
    act(api, approver, received, "decide", decision="approved", reason="")
    act(api, approver, received, "result")
    OutboxMessage.objects.all().delete()
    answer = cases_resync(platform=platform, numbers=[received.front_number, "TZ0000"])
    assert answer == {"resent": [received.front_number], "unknown": ["TZ0000"]}
    kinds = sorted(OutboxMessage.objects.values_list("kind", flat=True))
    assert kinds == ["case.decided", "case.result_issued"]
    decided = OutboxMessage.objects.get(kind="case.decided")
    assert decided.payload["decision"] == "approved" and decided.payload["number"] == received.front_number


@pytest.mark.django_db
def test_it_mails_supervisors_a_daily_digest_of_overdue_cases(received, department):
    from django.core import mail

    from apps.central.review.services import overdue_digest_send
    from apps.shared.accounts.models import Role

    make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管", email="sup@example.gov.cn")
    ReviewCase.objects.filter(id=received.id).update(promised_limit=5, clock_running_since=dt.date(2026, 11, 2))
    assert overdue_digest_send(today=dt.date(2026, 11, 3)) == 0  # 4 working days left: nothing to say
    assert overdue_digest_send(today=dt.date(2026, 11, 10)) == 1
    [message] = mail.outbox
    assert message.to == ["sup@example.gov.cn"]
    assert f"[超期] {received.front_number}" in message.body and department.name in message.body


@pytest.mark.django_db
def test_it_withdraws_before_a_decision_and_refuses_after(client, api, approver, platform, matter):
    import uuid as _uuid

    from tests.central.test_review import send as send_signed

    send(client, *package(matter, number="TZ2026112400201"))
    send(client, *package(matter, number="TZ2026112400202"))
    first, second = ReviewCase.objects.order_by("front_number")
    to_decision(api, approver, second)
    act(api, approver, second, "decide", decision="approved", reason="")

    def withdraw(number):
        message_id = str(_uuid.uuid4())
        body = json.dumps(
            {
                "id": message_id,
                "kind": "case.withdraw_requested",
                "payload": {"number": number, "reason": "不办了"},
                "files": [],
            }
        ).encode()
        return send_signed(client, message_id, body)

    assert withdraw(first.front_number).json()["status"] == ReviewStatus.WITHDRAWN
    assert OutboxMessage.objects.filter(kind="case.withdrawn").count() == 1
    assert withdraw(second.front_number).json()["status"] == ReviewStatus.DECIDED
    assert OutboxMessage.objects.get(kind="case.withdraw_refused").payload["number"] == second.front_number
    assert withdraw("TZ0000").status_code == 409  # not arrived yet: the front retries later
