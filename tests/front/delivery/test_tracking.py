"""Status lookup without an account (查询密码): the plain sentence, the promised date, the next step and a
timeline; one answer for an unknown number and a wrong password; lockout after repeated failures."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from apps.front.booking.models import Appointment
from apps.front.intake.models import CASE_STATUS_SENTENCES, CaseStatus
from tests.personas_front import make_slot

from .conftest import PASSWORD, decide

pytestmark = pytest.mark.django_db


def lookup(api, number, password, ip="203.0.113.7"):
    return api(None).post("/api/v1/track/", {"number": number, "password": password}, format="json", REMOTE_ADDR=ip)


def test_it_shows_the_sentence_promised_date_next_step_and_timeline(api, case, citizen):
    response = lookup(api, case.number.lower(), PASSWORD)
    assert response.status_code == 200, response.content
    body = response.json()
    sentence, next_step = CASE_STATUS_SENTENCES[CaseStatus.IN_REVIEW]
    assert body["status"] == "in_review" and body["status_display"] == "审批中"
    assert body["sentence"] == str(sentence) and body["next_step"] == str(next_step)
    assert body["promised_date"] == case.promised_date.isoformat()
    assert [e["status"] for e in body["events"]] == ["received", "accepted", "in_review"]
    assert body["applicant"] == "王**"
    # No personal data beyond the masked name: no ID number, phone, full name, nor the staff's notes.
    text = response.content.decode()
    for secret in (citizen.id_number, citizen.phone, citizen.real_name, "住址核实", "李窗口"):
        assert secret not in text


def test_it_shows_the_same_on_the_page_without_an_account(case, citizen):
    page = Client().post("/track/", {"number": case.number, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    html = page.content.decode()
    assert page.status_code == 200
    assert str(CASE_STATUS_SENTENCES[CaseStatus.IN_REVIEW][0]) in html and 'id="timeline"' in html
    assert html.count("<li><time>") == 3 and case.promised_date.strftime("%Y年") in html
    assert citizen.id_number not in html and "住址核实" not in html


def test_it_gives_one_answer_for_an_unknown_number_and_a_wrong_password(api, case):
    wrong = lookup(api, case.number, "000000", ip="198.51.100.1")
    unknown = lookup(api, "TZ2026120199999", PASSWORD, ip="198.51.100.2")
    malformed = lookup(api, "../../etc", PASSWORD, ip="198.51.100.3")
    assert wrong.status_code == unknown.status_code == malformed.status_code == 404
    assert (
        wrong.json()
        == unknown.json()
        == malformed.json()
        == {"code": "not_found", "detail": "办件编号或查询密码不正确。"}
    )
    # One language at a time: the English reader gets the English sentence, and only that.
    english = api(None).post(
        "/api/v1/track/",
        {"number": case.number, "password": "000000"},
        format="json",
        REMOTE_ADDR="198.51.100.6",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert english.status_code == 404 and english.json() == {
        "code": "not_found",
        "detail": "Wrong case number or query password.",
    }
    pages = [
        Client().post("/track/", {"number": n, "password": p}, REMOTE_ADDR=ip)
        for n, p, ip in [(case.number, "000000", "198.51.100.4"), ("TZ2026120199999", PASSWORD, "198.51.100.5")]
    ]
    assert pages[0].status_code == pages[1].status_code == 404
    assert (
        "办件编号或查询密码不正确" in pages[0].content.decode()
        and "办件编号或查询密码不正确" in pages[1].content.decode()
    )


def test_it_asks_for_both_fields(api, case):
    response = lookup(api, case.number, " ")
    assert response.status_code == 400 and response.json()["code"] in ("invalid",)


def test_it_locks_a_number_after_five_failures_for_fifteen_minutes(api, case, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        # Each wrong try from a different address: the lock is on the case number itself.
        for attempt in range(4):
            assert lookup(api, case.number, "111111", ip=f"192.0.2.{attempt}").status_code == 404
        fifth = lookup(api, case.number, "111111", ip="192.0.2.9")
        assert fifth.status_code == 429 and fifth.json()["code"] == "locked" and "15分钟" in fifth.json()["detail"]
        # Locked: even the right password is refused, and the lock says nothing about the password.
        assert lookup(api, case.number, PASSWORD, ip="192.0.2.10").status_code == 429
        clock.move_to(start + dt.timedelta(minutes=14, seconds=59))
        still = lookup(api, case.number, PASSWORD, ip="192.0.2.11")
        assert still.status_code == 429 and "1分钟" in still.json()["detail"]
        clock.move_to(start + dt.timedelta(minutes=15, seconds=1))
        assert lookup(api, case.number, PASSWORD, ip="192.0.2.12").status_code == 200
        # Unlocked means a fresh count, not one more try before the next lock.
        for attempt in range(4):
            assert lookup(api, case.number, "111111", ip=f"192.0.2.{20 + attempt}").status_code == 404
        assert lookup(api, case.number, PASSWORD, ip="192.0.2.30").status_code == 200


def test_it_locks_an_unknown_number_just_like_a_real_one(api, case):
    answers = [lookup(api, "TZ2026120199999", "111111", ip=f"192.0.2.{n}").status_code for n in range(6)]
    real = [lookup(api, case.number, "111111", ip=f"192.0.2.{50 + n}").status_code for n in range(6)]
    assert answers == real == [404, 404, 404, 404, 429, 429]


def test_it_locks_an_address_that_tries_many_numbers(api, case, settings):
    settings.TRACK_MAX_FAILURES_PER_IP = 3
    for n in range(2):
        assert lookup(api, f"TZ20261201{n:05d}", "111111", ip="192.0.2.200").status_code == 404
    assert lookup(api, "TZ2026120100333", "111111", ip="192.0.2.200").status_code == 429
    assert lookup(api, case.number, PASSWORD, ip="192.0.2.200").status_code == 429
    # Another address is not affected, and this case number was never tried wrongly.
    assert lookup(api, case.number, PASSWORD, ip="192.0.2.201").status_code == 200


def test_the_address_lockout_counts_the_client_behind_a_trusted_proxy_and_ignores_a_forged_header(api, case, settings):
    settings.TRACK_MAX_FAILURES_PER_IP = 2
    proxy = "10.0.0.5"

    def through(forwarded_for, number="TZ2026120100444", password="111111"):
        return api(None).post(
            "/api/v1/track/",
            {"number": number, "password": password},
            format="json",
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )

    # No trusted proxy: the header is the caller's own claim, so every attempt counts against REMOTE_ADDR.
    assert through("198.51.100.1").status_code == 404
    assert through("198.51.100.2").status_code == 429
    # Behind one trusted proxy, two visitors are two addresses: the first one's failures do not lock the other.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert through("198.51.100.10").status_code == 404
    assert through("198.51.100.10").status_code == 429
    assert through("198.51.100.11", number=case.number, password=PASSWORD).status_code == 200


def test_it_throttles_a_flood_from_one_address(api, case, settings):
    settings.TRACK_RATE_PER_IP = 2
    assert lookup(api, case.number, PASSWORD, ip="192.0.2.77").status_code == 200
    assert lookup(api, case.number, PASSWORD, ip="192.0.2.77").status_code == 200
    third = lookup(api, case.number, PASSWORD, ip="192.0.2.77")
    assert third.status_code == 429 and third.json()["code"] == "throttled"


def test_it_shows_a_citizens_cases_and_appointments_in_one_place(
    case, citizen, other_citizen, hall, matter, django_assert_max_num_queries
):
    # Made directly: this is about the page that lists them, not about booking.
    appointment = Appointment.objects.create(
        code="APPT2345",
        citizen=citizen,
        matter=matter,
        matter_code=matter.code,
        slot=make_slot(hall, capacity=2),
        hall=hall,
    )
    page = Client()
    page.force_login(citizen)
    with django_assert_max_num_queries(12):
        html = page.get("/me/").content.decode()
    assert appointment.code in html and case.number in html
    assert str(CASE_STATUS_SENTENCES[CaseStatus.IN_REVIEW][0]) in html
    other = Client()
    other.force_login(other_citizen)
    html = other.get("/me/").content.decode()
    assert case.number not in html and appointment.code not in html


def test_it_shows_the_decision_and_the_next_step_in_plain_words(client, case):
    """Issue 17: the reader learns what was decided and what to do, not which office of ours holds the file."""
    decide(client, case)
    html = (
        Client()
        .post("/track/", {"number": case.number, "password": PASSWORD}, REMOTE_ADDR="203.0.113.8")
        .content.decode()
    )
    assert '<p class="big" id="case-decision">审批结果：准予许可</p>' in html
    assert str(CASE_STATUS_SENTENCES[CaseStatus.DECIDED][1]) in html and "短信通知您" in html
    assert "审批总后台" not in html and "总后台" not in html

    english = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/track/", {"number": case.number, "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert "Decision: Granted" in english.content.decode()
