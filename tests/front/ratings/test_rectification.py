"""差评 → rectification → call-back → fix → the citizen rates the fix → appeal → supervisor (DOMAIN.md §7),
with frozen time: reply within 7 days, reminders and escalation before the limit, appeal within 3 working days."""

import datetime as dt
import re

import pytest
from django.test import Client

from apps.front.notifications.models import Notification
from apps.front.ratings.models import (
    AppealStatus,
    CallbackOutcome,
    EvaluationChannel,
    FixRating,
    Rectification,
    RectificationStatus,
)
from apps.front.ratings.selectors import overview
from apps.front.ratings.services import evaluation_submit_for_ticket, rectifications_remind
from apps.shared.accounts.models import PersonalDataAccess

from .conftest import MONDAY, at, make_ticket, travel

pytestmark = pytest.mark.django_db

TUESDAY, THURSDAY, FRIDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=3), MONDAY + dt.timedelta(days=4)
SATURDAY, SUNDAY, NEXT_MONDAY = (
    MONDAY + dt.timedelta(days=5),
    MONDAY + dt.timedelta(days=6),
    MONDAY + dt.timedelta(days=7),
)


def _rate_badly(api, citizen, case, score=5):
    response = api(citizen).post(
        f"/api/v1/cases/{case.number}/evaluation/",
        {"score": score, "tags": ["rude"], "comment": "窗口态度差"},
        format="json",
    )
    assert response.status_code == 201
    return Rectification.objects.get(evaluation__case=case)


def _events(user, event):
    return Notification.objects.filter(recipient=user, event=event, channel="inbox")


def test_the_whole_path_from_a_bad_rating_to_the_supervisors_decision(
    api, citizen, decided_case, clerk, colleague, supervisor, other_unit_clerk, other_hall_clerk
):
    # Monday 10:00: the citizen gives a 差评; it goes to the unit at once.
    rectification = _rate_badly(api, citizen, decided_case)
    assert rectification.status == RectificationStatus.OPEN and rectification.unit == decided_case.hall.groups.get(
        letter="A"
    )
    assert rectification.due_date == NEXT_MONDAY  # 7 natural days (Beijing)
    assert rectification.appeal_due == THURSDAY  # 3 working days
    for member in (clerk, colleague, supervisor):
        assert _events(member, "rating.bad_received").count() == 1
    assert not _events(other_unit_clerk, "rating.bad_received").exists()
    url = f"/api/v1/rectifications/{rectification.id}"

    # The unit sees it; another unit and another hall do not (404).
    assert api(colleague).get(f"{url}/").status_code == 200
    assert api(other_unit_clerk).get(f"{url}/").status_code == 404
    assert api(other_hall_clerk).get(f"{url}/").status_code == 404
    assert api(citizen).get(f"{url}/").status_code == 403

    # Nobody has been assigned: nobody sees the rater in clear.
    assert api(clerk).post(f"{url}/rater/").status_code == 403
    # The clerk takes it; the colleague then cannot take it over (only a supervisor reassigns).
    assert api(clerk).post(f"{url}/assign/", {}, format="json").json()["assignee"] == clerk.display_name
    assert api(colleague).post(f"{url}/assign/", {}, format="json").status_code == 403

    # Everyone sees the rater masked; only the assignee may reveal, and each reveal is logged.
    listed = api(supervisor).get("/api/v1/rectifications/").json()
    assert listed[0]["rater"] == {"name": "王**", "phone": "138****1111", "anonymous": ""}
    assert citizen.phone not in str(listed) and "王小明" not in str(listed)
    for outsider in (supervisor, colleague):
        refused = api(outsider).post(f"{url}/rater/")
        assert refused.status_code == 403 and "只有负责回访的工作人员" in refused.json()["detail"]
    assert not PersonalDataAccess.objects.exists()
    clear = api(clerk).post(f"{url}/rater/").json()
    assert clear == {"name": "王小明", "phone": "13800001111"}
    access = PersonalDataAccess.objects.get()
    assert access.viewer == clerk and access.subject == citizen and access.case_reference == rectification.reference

    # Reminders before the limit (reply due Monday 9 March): none on Thursday, the unit's assignee on
    # Saturday (2 days before), supervisors on Sunday (1 day before); each once.
    with travel(THURSDAY):
        assert rectifications_remind() == {"reminded": 0, "escalated": 0, "overdue": 0, "closed": 0}
    with travel(SATURDAY, 8):
        assert rectifications_remind()["reminded"] == 1
        assert rectifications_remind()["reminded"] == 0
    assert _events(clerk, "rating.rectification_reminder").count() == 1
    assert not _events(colleague, "rating.rectification_reminder").exists()
    with travel(SUNDAY, 8):
        assert rectifications_remind() == {"reminded": 0, "escalated": 1, "overdue": 0, "closed": 0}
        assert rectifications_remind()["escalated"] == 0
    assert _events(supervisor, "rating.rectification_escalated").count() == 1

    # Sunday 15:00: the call-back. Bad input first: nothing is saved.
    with travel(SUNDAY, 15):
        future = api(clerk).post(
            f"{url}/callbacks/",
            {"called_at": at(SUNDAY, 18).isoformat(), "outcome": "reached", "summary": "x"},
            format="json",
        )
        assert future.status_code == 400 and "不能晚于当前时间" in future.json()["detail"]
        anonymous = api(clerk).post(
            f"{url}/callbacks/",
            {"called_at": at(SUNDAY, 14).isoformat(), "outcome": "anonymous", "summary": "x"},
            format="json",
        )
        assert anonymous.status_code == 400 and anonymous.json()["code"] == "invalid_outcome"
        too_early = api(clerk).post(f"{url}/reply/", {"fix": "培训", "reply": "已整改"}, format="json")
        assert too_early.status_code == 409 and "请先回访" in too_early.json()["detail"]
        assert (
            api(colleague)
            .post(
                f"{url}/callbacks/",
                {"called_at": at(SUNDAY, 14).isoformat(), "outcome": "reached", "summary": "x"},
                format="json",
            )
            .status_code
            == 403
        )
        called = api(clerk).post(
            f"{url}/callbacks/",
            {
                "called_at": at(SUNDAY, 14, 30).isoformat(),
                "outcome": "reached",
                "summary": "市民反映窗口人员语气生硬，已致歉。",
            },
            format="json",
        )
        assert called.status_code == 201 and called.json()["status"] == RectificationStatus.CALLED_BACK
        assert called.json()["callbacks"][0]["called_by"] == clerk.display_name
        replied = api(clerk).post(
            f"{url}/reply/",
            {"fix": "对窗口人员进行服务规范培训。", "reply": "感谢您的监督，我们已对相关人员批评教育并培训。"},
            format="json",
        )
        assert replied.status_code == 200 and replied.json()["status"] == RectificationStatus.REPLIED
        # The rater's identity is not needed any more: no further reveal.
        assert api(clerk).post(f"{url}/rater/").status_code == 409
        # A second reply is a move the lifecycle refuses: the one code of every refused status change.
        again = api(clerk).post(f"{url}/reply/", {"fix": "再次整改", "reply": "再次答复"}, format="json")
        assert again.status_code == 409 and again.json()["code"] == "invalid_state"
    rectification.refresh_from_db()
    assert rectification.replied_by == clerk and rectification.fix_rating_due == dt.date(
        2026, 3, 6 + 7
    )  # 5 working days
    # Replied before the limit: no overdue notice on Tuesday.
    with travel(NEXT_MONDAY + dt.timedelta(days=1)):
        assert rectifications_remind()["overdue"] == 0

    # The citizen gets the answer with a link and rates the fix (the link works once).
    done = Notification.objects.get(recipient=citizen, event="rating.rectification_done", channel="sms")
    token = re.search(r"/rate/fix/([^/\s]+)/", done.body).group(1)
    assert citizen.phone not in done.body
    with travel(NEXT_MONDAY + dt.timedelta(days=1), 9):
        bad = api(None).post(f"/api/v1/ratings/fix/{token}/", {"rating": 7}, format="json")
        assert bad.status_code == 400
        rated = api(None).post(
            f"/api/v1/ratings/fix/{token}/", {"rating": FixRating.DISSATISFIED, "comment": "仍不满意"}, format="json"
        )
        assert rated.status_code == 200 and rated.json()["status"] == RectificationStatus.CLOSED
        again = api(None).post(f"/api/v1/ratings/fix/{token}/", {"rating": FixRating.SATISFIED}, format="json")
        assert again.status_code == 409 and "已评价过整改结果" in again.json()["detail"]
    rectification.refresh_from_db()
    # Rated Tuesday 10 March: the unit may appeal that rating until Friday 13 March (3 working days).
    assert rectification.appeal_due == dt.date(2026, 3, 13)

    # The unit appeals on Friday; the appellant cannot decide their own appeal; the supervisor decides.
    with travel(dt.date(2026, 3, 13), 16):
        empty = api(clerk).post(f"{url}/appeal/", {"reason": " "}, format="json")
        assert empty.status_code == 400
        appealed = api(clerk).post(
            f"{url}/appeal/", {"reason": "评价内容与本窗口服务无关：市民不满的是审批结果。"}, format="json"
        )
        assert appealed.status_code == 200 and appealed.json()["appeal_status"] == AppealStatus.PENDING
        twice = api(colleague).post(f"{url}/appeal/", {"reason": "再次申诉"}, format="json")
        assert twice.status_code == 409 and twice.json()["code"] == "already_appealed"
    # The next Monday the supervisor decides.
    with travel(dt.date(2026, 3, 16), 9):
        assert _events(supervisor, "rating.appeal_filed").count() == 1
        assert (
            api(clerk).post(f"{url}/appeal/decision/", {"upheld": True, "note": "x"}, format="json").status_code == 403
        )
        no_note = api(supervisor).post(f"{url}/appeal/decision/", {"upheld": True, "note": ""}, format="json")
        assert no_note.status_code == 400
        before = overview(user=supervisor)["departments"][0]
        assert (before.total, before.bad, before.rectified, before.called_back) == (1, 1, 1, 1)
        decided = api(supervisor).post(
            f"{url}/appeal/decision/",
            {"upheld": True, "note": "经核实，差评针对审批结果而非窗口服务，申诉成立。"},
            format="json",
        )
        assert decided.status_code == 200 and decided.json()["status"] == RectificationStatus.VOIDED
        assert decided.json()["appeal_status"] == AppealStatus.UPHELD
        assert _events(clerk, "rating.appeal_decided").count() == 1
    # An upheld appeal takes the 差评 out of the statistics.
    assert overview(user=supervisor)["departments"] == []
    actions = list(Rectification.objects.get().events.values_list("action", flat=True))
    assert actions == [
        "open",
        "assign",
        "reveal_rater",
        "reminded",
        "escalated",
        "callback",
        "reply",
        "rate_fix",
        "appeal",
        "appeal_upheld",
    ]


def test_it_tells_supervisors_once_when_the_reply_is_overdue_and_still_takes_a_late_reply(
    api, citizen, decided_case, clerk, supervisor
):
    rectification = _rate_badly(api, citizen, decided_case)
    url = f"/api/v1/rectifications/{rectification.id}"
    with travel(NEXT_MONDAY, 23, 30):
        # Nobody ran the job before the last day: reminder and escalation go out together; the day is not over.
        assert rectifications_remind() == {"reminded": 1, "escalated": 1, "overdue": 0, "closed": 0}
    with travel(NEXT_MONDAY + dt.timedelta(days=1), 0, 30):
        assert rectifications_remind() == {"reminded": 0, "escalated": 0, "overdue": 1, "closed": 0}
        assert rectifications_remind()["overdue"] == 0
        # Unassigned: the reminder went to the whole unit.
        assert _events(clerk, "rating.rectification_reminder").count() == 1
        assert _events(supervisor, "rating.rectification_overdue").count() == 1
        api(clerk).post(f"{url}/assign/", {}, format="json")
        api(clerk).post(
            f"{url}/callbacks/",
            {"called_at": at(NEXT_MONDAY, 23).isoformat(), "outcome": "unreachable", "summary": "无人接听"},
            format="json",
        )
        late = api(clerk).post(f"{url}/reply/", {"fix": "改进", "reply": "抱歉"}, format="json")
    assert late.status_code == 200
    rectification.refresh_from_db()
    assert "已超过答复期限" in rectification.events.get(action="reply").note
    row = overview(user=supervisor)["departments"][0]
    assert row.overdue == 1 and row.rectified == 1 and row.callback_rate == 0.0  # the call did not reach the rater


def test_it_refuses_an_appeal_after_three_working_days(api, citizen, decided_case, clerk):
    rectification = _rate_badly(api, citizen, decided_case)
    url = f"/api/v1/rectifications/{rectification.id}/appeal/"
    with travel(FRIDAY, 9):
        late = api(clerk).post(url, {"reason": "恶意差评"}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "appeal_too_late" and "申诉期限" in late.json()["detail"]
    with travel(THURSDAY, 17):
        assert api(clerk).post(url, {"reason": "恶意差评"}, format="json").status_code == 200


def test_a_rejected_appeal_leaves_the_bad_rating_counted(api, citizen, decided_case, clerk, supervisor):
    rectification = _rate_badly(api, citizen, decided_case, score=4)
    url = f"/api/v1/rectifications/{rectification.id}"
    api(clerk).post(f"{url}/appeal/", {"reason": "不属实"}, format="json")
    rejected = api(supervisor).post(
        f"{url}/appeal/decision/", {"upheld": False, "note": "回访录音证实差评属实。"}, format="json"
    )
    assert (
        rejected.json()["appeal_status"] == AppealStatus.REJECTED
        and rejected.json()["status"] == RectificationStatus.OPEN
    )
    again = api(supervisor).post(f"{url}/appeal/decision/", {"upheld": True, "note": "改判"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "no_pending_appeal"
    assert overview(user=supervisor)["departments"][0].bad == 1


def test_it_closes_a_replied_rectification_when_the_citizen_does_not_rate_the_fix(api, citizen, decided_case, clerk):
    rectification = _rate_badly(api, citizen, decided_case)
    url = f"/api/v1/rectifications/{rectification.id}"
    api(clerk).post(f"{url}/assign/", {}, format="json")
    api(clerk).post(
        f"{url}/callbacks/",
        {"called_at": at(MONDAY, 9).isoformat(), "outcome": "reached", "summary": "已沟通"},
        format="json",
    )
    # The call cannot precede the rating (given at 10:00).
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.OPEN
    api(clerk).post(
        f"{url}/callbacks/",
        {"called_at": at(MONDAY, 10, 1).isoformat(), "outcome": "reached", "summary": "已沟通"},
        format="json",
    )
    api(clerk).post(f"{url}/reply/", {"fix": "改进", "reply": "已改进"}, format="json")
    rectification.refresh_from_db()
    assert rectification.fix_rating_due == dt.date(2026, 3, 9)
    with travel(dt.date(2026, 3, 9), 20):
        assert rectifications_remind()["closed"] == 0
    with travel(dt.date(2026, 3, 10), 1):
        assert rectifications_remind()["closed"] == 1
        assert rectifications_remind()["closed"] == 0
    rectification.refresh_from_db()
    assert rectification.status == RectificationStatus.CLOSED and rectification.fix_rating is None
    token = re.search(
        r"/rate/fix/([^/\s]+)/",
        Notification.objects.get(recipient=citizen, event="rating.rectification_done", channel="inbox").body,
    ).group(1)
    assert api(None).post(f"/api/v1/ratings/fix/{token}/", {"rating": 1}, format="json").status_code == 409


def test_an_anonymous_bad_rating_is_recorded_as_such_and_closes_with_the_reply(
    frozen, api, hall, matter, clerk, supervisor
):
    ticket = make_ticket(hall, matter, citizen=None, number=5)
    evaluation = evaluation_submit_for_ticket(
        ticket_id=ticket.id, hall_id=hall.id, score=4, channel=EvaluationChannel.TERMINAL
    )
    url = f"/api/v1/rectifications/{evaluation.rectification.id}"
    api(supervisor).post(f"{url}/assign/", {"assignee": clerk.id}, format="json")
    assert _events(clerk, "rating.rectification_assigned").count() == 1
    assert api(clerk).post(f"{url}/rater/").status_code == 409
    wrong = api(clerk).post(
        f"{url}/callbacks/",
        {"called_at": at(MONDAY, 10).isoformat(), "outcome": "reached", "summary": "x"},
        format="json",
    )
    assert wrong.status_code == 400
    api(clerk).post(
        f"{url}/callbacks/",
        {
            "called_at": at(MONDAY, 10).isoformat(),
            "outcome": CallbackOutcome.ANONYMOUS,
            "summary": "匿名评价，调取监控核实",
        },
        format="json",
    )
    closed = api(clerk).post(f"{url}/reply/", {"fix": "增开窗口", "reply": "已增开窗口"}, format="json").json()
    assert closed["status"] == RectificationStatus.CLOSED
    # The fix and the reply are kept; nobody is asked to rate the fix; replied and closed are both logged.
    rectification = evaluation.rectification
    rectification.refresh_from_db()
    assert (rectification.fix, rectification.reply, rectification.replied_by, rectification.fix_rating_due) == (
        "增开窗口",
        "已增开窗口",
        clerk,
        None,
    )
    assert rectification.closed_at is not None and rectification.closed_at == rectification.replied_at
    assert list(rectification.events.order_by("id").values_list("action", "to_status"))[-2:] == [
        ("reply", RectificationStatus.REPLIED),
        ("close", RectificationStatus.CLOSED),
    ]
    row = overview(user=supervisor)["departments"][0]
    assert (row.bad, row.named_bad, row.rectified) == (1, 0, 1) and row.callback_rate is None


def test_the_assignee_alone_sees_the_rater_on_the_page_and_the_view_is_logged(
    api, citizen, decided_case, clerk, supervisor
):
    rectification = _rate_badly(api, citizen, decided_case)
    api(supervisor).post(f"/api/v1/rectifications/{rectification.id}/assign/", {"assignee": clerk.id}, format="json")
    page_url = f"/rectifications/{rectification.id}/"
    boss = Client()
    boss.force_login(supervisor)
    seen = boss.get(page_url).content.decode()
    assert "王**" in seen and "138****1111" in seen and "13800001111" not in seen and "王小明" not in seen
    assert boss.post(f"{page_url}reveal/").status_code == 403
    window = Client()
    window.force_login(clerk)
    masked = window.get(page_url).content.decode()
    assert "13800001111" not in masked and "查看联系方式" in masked
    clear = window.post(f"{page_url}reveal/").content.decode()
    assert "13800001111" in clear and "王小明" in clear and "本次查看已记录" in clear
    assert PersonalDataAccess.objects.filter(viewer=clerk, subject=citizen).count() == 1
    # The citizen sees who looked, and why, among the views of their data.
    mine = Client()
    mine.force_login(citizen)
    assert "差评回访" in mine.get("/me/").content.decode()
    # A reload shows it masked again: the clear values are never kept.
    assert "13800001111" not in window.get(page_url).content.decode()


def test_the_reply_limit_may_count_working_days(api, citizen, decided_case, settings, frozen):
    # Other places: 5 or 15 working days (DOMAIN.md §7, setting). Rated Thursday 5 March: 5 working days
    # end Thursday 12 March, where 5 natural days would end Tuesday 10 March.
    settings.RECTIFICATION_LIMIT_DAYS, settings.RECTIFICATION_LIMIT_WORKING_DAYS = 5, True
    frozen.move_to(at(THURSDAY))
    assert _rate_badly(api, citizen, decided_case).due_date == dt.date(2026, 3, 12)


def test_the_periodic_jobs_are_in_the_front_beat_schedule(settings):
    from apps.front.ratings import tasks
    from govservice.celery import app

    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"apps.ratings.tasks.invitations_send_due", "apps.ratings.tasks.rectifications_remind"} <= schedule
    assert tasks.rectifications_remind.name in app.tasks and tasks.invitations_send_due.name in app.tasks
    # The task bodies call the services (run here as functions, not through a broker).
    assert tasks.rectifications_remind() == {"reminded": 0, "escalated": 0, "overdue": 0, "closed": 0}
    assert tasks.invitations_send_due() == 0


@pytest.mark.parametrize(
    "reached", [RectificationStatus.OPEN, RectificationStatus.CALLED_BACK, RectificationStatus.REPLIED]
)
def test_an_appeal_upheld_voids_the_rectification_wherever_it_is(
    api, citizen, decided_case, clerk, supervisor, reached
):
    """Every edge of the rectification's lifecycle made by a test (issue 13): an upheld appeal voids it whether
    still open, called back (twice: each call-back is recorded) or replied."""
    from django.utils import timezone

    rectification = _rate_badly(api, citizen, decided_case, score=4)
    url = f"/api/v1/rectifications/{rectification.id}"
    assert api(clerk).post(f"{url}/assign/", {}, format="json").status_code == 200
    if reached != RectificationStatus.OPEN:
        for summary in ("未接通后再次联系", "已致歉"):
            call = {"called_at": timezone.now().isoformat(), "outcome": "reached", "summary": summary}
            assert api(clerk).post(f"{url}/callbacks/", call, format="json").status_code == 201
        assert Rectification.objects.get(id=rectification.id).callbacks.count() == 2
    if reached == RectificationStatus.REPLIED:
        reply = {"fix": "培训", "reply": "已整改"}
        assert api(clerk).post(f"{url}/reply/", reply, format="json").status_code == 200
    assert Rectification.objects.get(id=rectification.id).status == reached
    assert api(clerk).post(f"{url}/appeal/", {"reason": "评价的不是本次服务"}, format="json").status_code in (200, 201)
    upheld = api(supervisor).post(f"{url}/appeal/decision/", {"upheld": True, "note": "核实属实"}, format="json")
    assert upheld.status_code == 200, upheld.content
    assert (upheld.json()["status"], upheld.json()["appeal_status"]) == (
        RectificationStatus.VOIDED,
        AppealStatus.UPHELD,
    )
