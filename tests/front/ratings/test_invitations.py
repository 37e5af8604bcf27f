"""Rating by SMS link (DOMAIN.md §7): one invitation per service event, within 5 working days, no login,
a signed link that works once."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone

from apps.front.notifications.models import Notification
from apps.front.notifications.services import notifications_send_due
from apps.front.ratings.models import Evaluation, EvaluationChannel, Invitation, ServiceKind
from apps.front.ratings.services import evaluation_submit_for_ticket, invitations_send_due
from apps.front.ratings.tokens import INVITATION_SALT, make

from .conftest import MONDAY, make_ticket, travel

pytestmark = pytest.mark.django_db


def _link_token(citizen) -> str:
    body = Notification.objects.get(recipient=citizen, event="rating.invitation", channel="sms").body
    return re.search(r"/rate/([^/\s]+)/", body).group(1)


def test_it_invites_once_after_a_decision_by_sms_without_personal_data(decided_case, citizen, settings):
    assert invitations_send_due() == 1
    assert invitations_send_due() == 0  # the periodic job may run twice: one invitation per event
    invitation = Invitation.objects.get()
    assert invitation.kind == ServiceKind.CASE and invitation.case == decided_case
    # 5 working days after Monday 2 March: Monday 9 March, to the end of the day.
    assert timezone.localtime(invitation.expires_at) == timezone.make_aware(dt.datetime(2026, 3, 9, 23, 59, 59))
    notifications_send_due()
    sms = [json.loads(line) for line in Path(settings.SMS_FILE_PATH).read_text().splitlines()]
    text = sms[0]["text"]
    assert decided_case.matter.name in text and decided_case.hall.name in text and "2026-03-09前有效" in text
    assert citizen.phone not in text and citizen.id_number not in text and citizen.real_name not in text
    assert citizen.phone not in sms[0]["reference"]
    token = _link_token(citizen)
    assert citizen.phone not in token and citizen.id_number not in token


def test_it_takes_a_rating_through_the_link_once_without_login(decided_case, citizen, api):
    invitations_send_due()
    token = _link_token(citizen)
    shown = api(None).get(f"/api/v1/ratings/links/{token}/")
    assert shown.status_code == 200 and shown.json()["matter"] == decided_case.matter.name
    created = api(None).post(f"/api/v1/ratings/links/{token}/", {"score": 5, "tags": ["many_trips"]}, format="json")
    assert created.status_code == 201 and created.json()["channel"] == EvaluationChannel.SMS
    reused = api(None).post(f"/api/v1/ratings/links/{token}/", {"score": 1}, format="json")
    assert reused.status_code == 409 and "已使用" in reused.json()["detail"]
    evaluation = Evaluation.objects.get()
    assert evaluation.citizen == citizen and evaluation.score == 5 and evaluation.rectification.status == "open"


def test_it_refuses_the_link_after_five_working_days(decided_case, citizen, api):
    invitations_send_due()
    token = _link_token(citizen)
    with travel(dt.date(2026, 3, 9), 23, 50):
        assert api(None).get(f"/api/v1/ratings/links/{token}/").status_code == 200
    with travel(dt.date(2026, 3, 10), 0, 5):
        expired = api(None).post(f"/api/v1/ratings/links/{token}/", {"score": 2}, format="json")
        page = api(None).get(f"/rate/{token}/")
    assert (
        expired.status_code == 410 and expired.json()["code"] == "link_expired" and "已过期" in expired.json()["detail"]
    )
    assert page.status_code == 410 and "已过期" in page.content.decode()
    assert not Evaluation.objects.exists() and Invitation.objects.get().used_at is None


def test_it_refuses_a_forged_or_damaged_link(decided_case, citizen, api):
    invitations_send_due()
    token = _link_token(citizen)
    forged = make(Invitation.objects.get().id + 1, salt=INVITATION_SALT)[:-2] + "xx"
    for bad in (forged, token[:-1] + ("A" if token[-1] != "A" else "B"), "1", "abc.def"):
        response = api(None).post(f"/api/v1/ratings/links/{bad}/", {"score": 2}, format="json")
        assert response.status_code == 404 and response.json()["code"] == "link_invalid"
    assert not Evaluation.objects.exists()


def test_it_rejects_bad_input_on_the_link_page_and_keeps_the_link(decided_case, citizen, client):
    invitations_send_due()
    token = _link_token(citizen)
    page = client.post(f"/rate/{token}/", {"score": "1", "tags": ["rude"], "comment": "好"})
    assert page.status_code == 400 and "评价标签与所选等级不符" in page.content.decode()
    assert Invitation.objects.get().used_at is None
    done = client.post(f"/rate/{token}/", {"score": "1", "tags": ["fast"]})
    assert done.status_code == 200 and "感谢您的评价" in done.content.decode()
    assert client.get(f"/rate/{token}/").status_code == 409


def test_it_does_not_invite_for_a_case_already_rated_or_long_ago(decided_case, citizen, api):
    api(citizen).post(f"/api/v1/cases/{decided_case.number}/evaluation/", {"score": 2}, format="json")
    assert invitations_send_due() == 0
    with travel(MONDAY + dt.timedelta(days=30)):
        assert invitations_send_due() == 0


def test_it_invites_for_a_ticket_only_if_not_rated_on_the_spot(frozen, hall, matter, citizen, other_citizen, settings):
    settings.RATING_INVITE_DELAY_MINUTES = 15
    rated = make_ticket(hall, matter, citizen=citizen, number=1)
    unrated = make_ticket(hall, matter, citizen=other_citizen, number=2)
    make_ticket(hall, matter, citizen=None, number=3)  # a walk-in without an account has no phone to text
    evaluation_submit_for_ticket(ticket_id=rated.id, hall_id=hall.id, score=1, channel=EvaluationChannel.TABLET)
    assert invitations_send_due() == 0  # time to rate on the spot first
    frozen.shift(dt.timedelta(minutes=16))
    assert invitations_send_due() == 1
    invitation = Invitation.objects.get()
    assert invitation.ticket == unrated and invitation.citizen == other_citizen
    body = Notification.objects.get(recipient=other_citizen, event="rating.invitation", channel="inbox").body
    assert hall.name in body and matter.name in body
