"""One evaluation per service event: 一事一评 (case), 一次一评 (ticket at the terminal or the window tablet);
five levels, a fixed tag list per level, bad input refused in Chinese."""

import datetime as dt
import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from apps.front.booking.models import Window
from apps.front.floor.models import Terminal, TicketStatus
from apps.front.intake.models import Case, CaseStatus
from apps.front.ratings.models import Evaluation, EvaluationChannel, Rectification, ServiceKind
from apps.front.ratings.services import evaluation_submit_for_ticket
from apps.front.ratings.services.evaluations import KIOSK_RATING_TRIES
from govservice.api import Conflict, DomainError, status_for
from tests.personas_front import TERMINAL_TOKEN

from .conftest import make_ticket


def wrong_code(code: str) -> str:
    """Another six digits than the ticket's."""
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.fixture
def case(citizen, hall, matter, clerk):
    return Case.objects.create(
        number="TZ2026112400077",
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.ACCEPTED,
        accepted_at=timezone.now(),
        promised_date=timezone.localdate(),
    )


def _url(case):
    return f"/api/v1/cases/{case.number}/evaluation/"


@pytest.mark.django_db
class TestCaseEvaluation:
    def test_it_waits_for_a_decision_before_rating(self, api, citizen, case):
        response = api(citizen).post(_url(case), {"score": 2}, format="json")
        assert response.status_code == 422 and response.json()["code"] == "too_early"
        assert "办结后才能评价" in response.json()["detail"]

    def test_it_takes_one_rating_per_case_in_range(self, api, citizen, case):
        Case.objects.filter(id=case.id).update(status=CaseStatus.DECIDED, decision="approved")
        assert api(citizen).post(_url(case), {"score": 6}, format="json").status_code == 400
        created = api(citizen).post(_url(case), {"score": 4, "comment": "等太久", "tags": ["long_wait"]}, format="json")
        assert created.status_code == 201 and created.json()["tag_labels"] == ["等候久"]
        again = api(citizen).post(_url(case), {"score": 1}, format="json")
        assert (
            again.status_code == 409
            and again.json()["code"] == "already_rated"
            and "只能评价一次" in again.json()["detail"]
        )
        evaluation = Evaluation.objects.get(case=case)
        assert evaluation.score == 4 and evaluation.is_bad and evaluation.kind == ServiceKind.CASE
        # The responsible unit and the statistics' keys are fixed when the rating is given.
        assert evaluation.hall == case.hall and evaluation.unit == case.hall.groups.get()
        assert evaluation.department == case.matter.department

    def test_it_refuses_a_tag_of_another_level(self, api, citizen, case):
        Case.objects.filter(id=case.id).update(status=CaseStatus.DECIDED, decision="approved")
        response = api(citizen).post(_url(case), {"score": 1, "tags": ["rude"]}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_tags"
        assert "标签与所选等级不符" in response.json()["detail"]
        assert not Evaluation.objects.exists()

    def test_it_hides_another_citizens_case(self, api, other_citizen, case):
        Case.objects.filter(id=case.id).update(status=CaseStatus.DECIDED, decision="approved")
        assert api(other_citizen).post(_url(case), {"score": 5}, format="json").status_code == 404
        assert not Evaluation.objects.exists()

    def test_it_opens_a_rectification_for_a_bad_rating_only(self, api, citizen, other_citizen, case, matter, hall):
        Case.objects.filter(id=case.id).update(status=CaseStatus.DECIDED, decision="approved")
        neutral = api(citizen).post(_url(case), {"score": 3}, format="json")
        assert neutral.status_code == 201, neutral.content
        assert Evaluation.objects.get(case=case).is_bad is False and not Rectification.objects.exists()
        # A 差评 (4) on another case opens exactly one.
        other = Case.objects.create(
            number="TZ2026112400088",
            query_password_hash="x",
            citizen=citizen,
            matter=matter,
            hall=hall,
            status=CaseStatus.DECIDED,
            decision="approved",
            accepted_at=timezone.now(),
        )
        assert api(citizen).post(_url(other), {"score": 4}, format="json").status_code == 201
        assert Rectification.objects.get().evaluation.case == other

    def test_it_rates_from_the_case_page_with_tags(self, citizen, case):
        Case.objects.filter(id=case.id).update(status=CaseStatus.DECIDED, decision="approved")
        client = Client()
        client.force_login(citizen)
        page = client.get(f"/cases/{case.number}/")
        assert "态度差" in page.content.decode() and "非常不满意" in page.content.decode()
        client.post(
            f"/cases/{case.number}/evaluate/", {"score": "5", "tags": ["rude", "many_trips"], "comment": "跑了三次"}
        )
        evaluation = Evaluation.objects.get(case=case)
        assert evaluation.tags == ["rude", "many_trips"] and evaluation.channel == EvaluationChannel.WEB
        page = client.get(f"/cases/{case.number}/").content.decode()
        assert "差评整改" in page and "待回访" in page


TABLET_TOKEN = "window-1-tablet-token"


@pytest.fixture
def tablet(hall):
    """Window 1's rating tablet: a device of its own, activated with its token, nobody signed in."""
    Terminal.objects.create(
        hall=hall,
        name="1号窗口评价器",
        window=hall.windows.get(number=1),
        token_sha256=hashlib.sha256(TABLET_TOKEN.encode()).hexdigest(),
    )
    client = Client()
    assert client.post("/rate/window/", {"token": TABLET_TOKEN}).status_code == 302
    return client


@pytest.mark.django_db
class TestTicketEvaluation:
    def test_it_rates_the_ticket_just_finished_at_the_window_tablet(self, served_ticket, tablet):
        client = tablet
        page = client.get("/rate/window/").content.decode()
        assert "A001" in page and served_ticket.matter.name in page
        client.post("/rate/window/", {"ticket": served_ticket.id, "score": "2", "tags": ["fast"]})
        evaluation = Evaluation.objects.get(ticket=served_ticket)
        assert evaluation.kind == ServiceKind.TICKET and evaluation.channel == EvaluationChannel.TABLET
        assert evaluation.citizen == served_ticket.citizen and evaluation.unit == served_ticket.group
        # Rated: the tablet goes back to waiting for the next service.
        assert 'id="tablet-idle"' in client.get("/rate/window/").content.decode()

    def test_the_tablet_rates_only_the_ticket_it_showed(self, served_ticket, tablet):
        for shown in ("", "abc", "-1", str(served_ticket.id + 1), "9" * 30):
            response = tablet.post("/rate/window/", {"ticket": shown, "score": "2"})
            assert response.status_code == 302, shown
        assert not Evaluation.objects.exists()
        assert tablet.post("/rate/window/", {"ticket": served_ticket.id, "score": "2"}).status_code == 302
        assert Evaluation.objects.get().ticket == served_ticket

    def test_a_device_token_of_any_shape_is_refused_plainly(self, hall):
        for token in ("", " ", "x" * 5000, "\u00e9\u00e9"):
            response = Client().post("/rate/window/", {"token": token})
            assert response.status_code == 400 and "设备令牌无效" in response.content.decode(), token
            kiosk = Client().post("/terminal/", {"token": token})
            assert kiosk.status_code == 400 and "终端令牌无效" in kiosk.content.decode(), token

    def test_it_offers_nothing_on_the_tablet_after_the_minutes_have_passed(
        self, served_ticket, tablet, frozen, settings
    ):
        settings.RATING_TABLET_MINUTES = 10
        client = tablet
        frozen.shift(dt.timedelta(minutes=7))  # finished 9 minutes ago
        assert "A001" in client.get("/rate/window/").content.decode()
        frozen.shift(dt.timedelta(minutes=2))
        assert 'id="tablet-idle"' in client.get("/rate/window/").content.decode()

    def test_the_tablet_is_a_device_of_its_window_never_a_staff_session(self, served_ticket, hall, clerk, terminal):
        # Signed in as the clerk is not enough: the tablet asks for its device token.
        staff = Client()
        staff.force_login(clerk)
        assert (
            'name="token"' in staff.get("/rate/window/").content.decode()
            and "A001" not in staff.get("/rate/window/").content.decode()
        )
        assert staff.post("/rate/window/", {"ticket": served_ticket.id, "score": "1"}).status_code == 200
        assert not Evaluation.objects.exists()
        # A wrong token, or a kiosk's token (no window), does not make a tablet.
        device = Client()
        assert device.post("/rate/window/", {"token": "nope"}).status_code == 400
        refused = device.post("/rate/window/", {"token": TERMINAL_TOKEN})
        assert refused.status_code == 400 and "未绑定窗口" in refused.content.decode()
        # Window 2's tablet does not offer what window 1 finished.
        Terminal.objects.create(
            hall=hall,
            name="2号窗口评价器",
            window=Window.objects.create(hall=hall, group=hall.groups.get(), number=2),
            token_sha256=hashlib.sha256(b"window-2").hexdigest(),
        )
        assert device.post("/rate/window/", {"token": "window-2"}).status_code == 302
        page = device.get("/rate/window/").content.decode()
        assert 'id="tablet-idle"' in page and "2号窗口" in page
        assert device.post("/rate/window/", {"ticket": served_ticket.id, "score": "1"}).status_code == 302
        assert not Evaluation.objects.exists()

    def test_it_takes_one_evaluation_per_ticket(self, served_ticket, hall):
        evaluation_submit_for_ticket(
            ticket_id=served_ticket.id, hall_id=hall.id, score=1, channel=EvaluationChannel.TABLET
        )
        with pytest.raises(Conflict) as exc:
            evaluation_submit_for_ticket(
                ticket_id=served_ticket.id, hall_id=hall.id, score=5, channel=EvaluationChannel.TERMINAL
            )
        assert status_for(exc.value) == 409 and exc.value.error_code == "already_rated"
        assert Evaluation.objects.get().score == 1 and not Rectification.objects.exists()

    def test_it_waits_for_the_window_to_finish(self, frozen, hall, matter, citizen):
        ticket = make_ticket(hall, matter, citizen=citizen, status=TicketStatus.SERVING)
        with pytest.raises(DomainError) as exc:
            evaluation_submit_for_ticket(
                ticket_id=ticket.id, hall_id=hall.id, score=2, channel=EvaluationChannel.TABLET
            )
        assert exc.value.error_code == "too_early"

    def test_it_hides_another_halls_ticket(self, served_ticket, other_hall):
        with pytest.raises(DomainError) as exc:
            evaluation_submit_for_ticket(
                ticket_id=served_ticket.id, hall_id=other_hall.id, score=2, channel=EvaluationChannel.TERMINAL
            )
        assert status_for(exc.value) == 404

    def test_it_rates_at_the_terminal_by_the_ticket_number_anonymously_for_a_walk_in(
        self, frozen, hall, matter, terminal
    ):
        walk_in = make_ticket(hall, matter, citizen=None, number=7)
        kiosk = Client()
        kiosk.post("/terminal/", {"token": TERMINAL_TOKEN})
        assert 'href="/terminal/rate/"' in kiosk.get("/terminal/").content.decode()
        code = walk_in.rating_code
        unknown = kiosk.post("/terminal/rate/", {"label": "A999", "code": code})
        assert unknown.status_code == 404 and "未找到今天已办结的该号码" in unknown.content.decode()
        # The number alone (they run A001, A002…) is not enough: the code printed on the ticket is asked for.
        for wrong in ("", wrong_code(code)):
            refused = kiosk.post("/terminal/rate/", {"label": "A007", "code": wrong})
            assert refused.status_code == 404 and "评价码不符" in refused.content.decode()
            assert 'name="score"' not in refused.content.decode()
        form = kiosk.post("/terminal/rate/", {"label": "a007", "code": code})
        assert form.status_code == 200 and "A007" in form.content.decode() and 'name="score"' in form.content.decode()
        bad = kiosk.post("/terminal/rate/", {"label": "A007", "code": code, "score": "9"})
        assert bad.status_code == 400 and "评价等级应为1至5" in bad.content.decode()
        forged = kiosk.post("/terminal/rate/", {"label": "A007", "code": wrong_code(code), "score": "1"})
        assert forged.status_code == 404 and not Evaluation.objects.exists()
        done = kiosk.post("/terminal/rate/", {"label": "A007", "code": code, "score": "4", "tags": ["long_wait"]})
        assert done.status_code == 200 and "责任单位将与您联系" in done.content.decode()
        evaluation = Evaluation.objects.get(ticket=walk_in)
        assert evaluation.citizen is None and evaluation.channel == EvaluationChannel.TERMINAL
        assert evaluation.rectification.unit == walk_in.group

    def test_a_number_s_tries_are_limited_so_the_code_cannot_be_guessed(self, frozen, hall, matter, terminal):
        ticket = make_ticket(hall, matter, citizen=None, number=8)
        kiosk = Client()
        kiosk.post("/terminal/", {"token": TERMINAL_TOKEN})
        for _ in range(KIOSK_RATING_TRIES):
            assert (
                kiosk.post("/terminal/rate/", {"label": "A008", "code": wrong_code(ticket.rating_code)}).status_code
                == 404
            )
        # Past the limit even the right code is refused today, with where else to rate; another number is not held up.
        held = kiosk.post("/terminal/rate/", {"label": "A008", "code": ticket.rating_code})
        assert held.status_code == 429 and "窗口评价器或短信链接" in held.content.decode()
        other = make_ticket(hall, matter, citizen=None, number=9)
        assert kiosk.post("/terminal/rate/", {"label": "A009", "code": other.rating_code}).status_code == 200

    def test_it_sends_an_inactive_kiosk_to_activation(self, db):
        assert Client().get("/terminal/rate/").url == "/terminal/"


@pytest.mark.django_db
class TestTerminalApi:
    def test_it_rates_a_finished_ticket_by_its_number_with_the_device_token(
        self, frozen, hall, matter, terminal, citizen, api
    ):
        ticket = make_ticket(hall, matter, citizen=citizen, number=12)
        kiosk = api(None)
        code = ticket.rating_code
        assert (
            kiosk.post(
                "/api/v1/terminal/evaluations/", {"number": "A012", "code": code, "score": 1}, format="json"
            ).status_code
            == 401
        )
        kiosk.credentials(HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}")
        unknown = kiosk.post(
            "/api/v1/terminal/evaluations/", {"number": "A013", "code": code, "score": 1}, format="json"
        )
        assert unknown.status_code == 404 and "未找到今天已办结的该号码" in unknown.json()["detail"]
        forged = kiosk.post(
            "/api/v1/terminal/evaluations/", {"number": "A012", "code": wrong_code(code), "score": 1}, format="json"
        )
        assert forged.status_code == 404 and "评价码不符" in forged.json()["detail"]
        missing = kiosk.post("/api/v1/terminal/evaluations/", {"number": "A012", "score": 1}, format="json")
        assert missing.status_code == 400
        # A character str.isdigit() takes for a digit but int() does not (superscript two) was a 500.
        odd = kiosk.post(
            "/api/v1/terminal/evaluations/", {"number": "A1\u00b2", "code": code, "score": 1}, format="json"
        )
        assert odd.status_code == 404 and "未找到今天已办结的该号码" in odd.json()["detail"]
        bad = kiosk.post("/api/v1/terminal/evaluations/", {"number": "A012", "code": code, "score": 0}, format="json")
        assert bad.status_code == 400 and bad.json()["detail"].startswith("提交的数据有误")
        created = kiosk.post(
            "/api/v1/terminal/evaluations/",
            {"number": "a012", "code": code, "score": 2, "tags": ["clear"]},
            format="json",
        )
        assert created.status_code == 201 and created.json()["channel"] == EvaluationChannel.TERMINAL
        again = kiosk.post("/api/v1/terminal/evaluations/", {"number": "A012", "code": code, "score": 2}, format="json")
        assert again.status_code == 409
        assert Evaluation.objects.get().ticket == ticket


@pytest.mark.django_db
def test_finishing_at_the_workbench_invites_a_rating_on_the_window_tablet(frozen, hall, matter, citizen, clerk, tablet):
    ticket = make_ticket(hall, matter, citizen=citizen, number=3, status=TicketStatus.SERVING)
    ticket.served_by = clerk
    ticket.save(update_fields=["served_by"])
    window = Client()
    window.force_login(clerk)
    assert 'id="tablet-idle"' in tablet.get("/rate/window/").content.decode()
    page = window.post(f"/workbench/tickets/{ticket.id}/actions/finish/", follow=True).content.decode()
    assert "A003 已办结" in page and "请邀请市民在窗口评价器上对本次服务进行评价" in page
    page = tablet.get("/rate/window/").content.decode()
    assert "A003" in page and "非常不满意" in page
