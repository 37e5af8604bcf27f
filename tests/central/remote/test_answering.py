"""Answering a ringing session (issue 14, "Answer"): the first of the department's staff wins (one conditional
UPDATE, real threads on real PostgreSQL), another department's staff cannot, and a session nobody answers in
time ends with a message to the hall, whose front opens a consultation ticket for a call-back."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from apps.central.registry.models import RegistryPerson, RegistryQuery
from apps.central.registry.services import registry_load
from apps.central.remote.conf import remote_conf
from apps.central.remote.models import EventAction, RemoteSession, SessionOutcome, SessionStatus
from apps.central.remote.services import REGISTRY_PURPOSE, session_answer, sessions_expire
from apps.shared.exchange import contract
from apps.shared.exchange.models import OutboxMessage
from govservice.api import DomainError
from govservice.lib.lifecycle import TransitionRefused

from .conftest import APPLICANT, hall, open_payload, relay


@pytest.mark.django_db
def test_the_department_sees_the_session_ringing_and_answers_it(client, opened, approver):
    client.force_login(approver)
    queue = client.get("/remote/queue/").json()["queue"]
    assert [row["id"] for row in queue] == [opened["session"]]
    assert queue[0]["hall"] == "北京城市副中心政务服务中心" and queue[0]["waited"] >= 0 and queue[0]["ring_left"] > 0
    answered = client.post(f"/remote/{opened['session']}/answer/")
    assert answered.status_code == 302 and answered["Location"] == f"/remote/{opened['session']}/"
    session = RemoteSession.objects.get(id=opened["session"])
    assert session.status == SessionStatus.ACTIVE and session.answered_by == approver
    assert client.get("/remote/queue/").json()["queue"] == []
    assert client.get(f"/remote/{opened['session']}/").status_code == 200
    # The hall learns who answered, by department and name, never the account.
    polled = hall(client, opened, "poll").json()
    assert polled["status"] == SessionStatus.ACTIVE and polled["staff"] == "区人力资源和社会保障局 钱审批"


@pytest.mark.django_db
def test_it_shows_the_registrys_answer_asked_once_with_its_purpose(client, opened, approver):
    registry_load([APPLICANT])
    session = session_answer(staff=approver, session_id=opened["session"])
    assert session.registry_match is True
    query = RegistryQuery.objects.get()
    assert query.purpose == REGISTRY_PURPOSE and query.reference == opened["session"] and query.matched
    assert RegistryPerson.objects.count() == 1


@pytest.mark.django_db
def test_staff_of_another_department_neither_see_nor_answer_it(client, opened, other_approver):
    client.force_login(other_approver)
    assert client.get("/remote/queue/").json()["queue"] == []
    refused = client.post(f"/remote/{opened['session']}/answer/")
    assert refused.status_code == 404
    assert RemoteSession.objects.get(id=opened["session"]).status == SessionStatus.RINGING
    with pytest.raises(DomainError) as exc:
        session_answer(staff=other_approver, session_id=opened["session"])
    assert exc.value.code == "not_found"
    # Nor open its page, poll it, or act on it.
    assert client.get(f"/remote/{opened['session']}/").status_code == 404
    assert client.get(f"/remote/{opened['session']}/poll/").status_code == 404


def _answer_together(session_id: str, staff: list) -> tuple[list[str], list[str]]:
    """Each staff member answers in their own thread and connection, released together by a barrier."""
    barrier = threading.Barrier(len(staff))
    won: list[str] = []
    lost: list[str] = []
    errors: list[BaseException] = []

    def answer(user) -> None:
        try:
            barrier.wait(timeout=10)
            session_answer(staff=user, session_id=session_id)
            won.append(user.username)
        except TransitionRefused as exc:
            assert exc.code == "invalid_state"
            lost.append(user.username)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(user,)) for user in staff]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    return won, lost


@pytest.mark.django_db(transaction=True)
def test_two_staff_answering_at_once_one_wins(client, platform, remote_matter, approver, colleague):
    """Five times over, two staff of the department answer the same ringing session at the same instant."""
    for round_ in range(5):
        session_id = relay(client, open_payload(remote_matter, device=f"terminal:{round_}")).json()["session"]
        won, lost = _answer_together(session_id, [approver, colleague])
        assert len(won) == 1 and len(lost) == 1, (won, lost)
        session = RemoteSession.objects.get(id=session_id)
        assert session.answered_by.username == won[0]
        assert session.events.filter(action=EventAction.ANSWERED).count() == 1


@pytest.mark.django_db
def test_the_loser_of_the_race_is_told_on_the_desk(client, opened, approver, colleague):
    session_answer(staff=colleague, session_id=opened["session"])
    client.force_login(approver)
    late = client.post(f"/remote/{opened['session']}/answer/")
    assert late.status_code == 409
    assert "该远程会话已被他人应答或已结束。" in late.content.decode()
    assert client.get(f"/remote/{opened['session']}/").status_code == 404  # the colleague's session


@pytest.mark.django_db
def test_a_session_nobody_answers_ends_and_tells_the_hall(client, opened, approver, time_machine):
    time_machine.move_to(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=remote_conf.REMOTE_RING_SECONDS + 1))
    # Nobody can answer it any more …
    with pytest.raises(TransitionRefused):
        session_answer(staff=approver, session_id=opened["session"])
    assert sessions_expire() == 1
    assert sessions_expire() == 0  # twice is harmless
    session = RemoteSession.objects.get(id=opened["session"])
    assert session.status == SessionStatus.ENDED and session.outcome == SessionOutcome.UNANSWERED
    # … the hall is told on its next poll, and its front through the outbox (a consultation ticket there).
    polled = hall(client, opened, "poll").json()
    assert polled["status"] == SessionStatus.ENDED and polled["outcome"] == "unanswered"
    assert "咨询工单" in polled["end_note"]
    message = OutboxMessage.objects.get(kind=contract.MessageKind.REMOTE_ENDED)
    assert message.payload["session"] == opened["session"] and message.payload["ending"] == "unanswered"
    assert message.peer.code == "BJ-TZ"
    client.force_login(approver)
    assert client.get("/remote/queue/").json()["queue"] == []


@pytest.mark.django_db
def test_a_poll_after_the_deadline_ends_the_ring_at_once(client, opened, time_machine):
    time_machine.move_to(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=remote_conf.REMOTE_RING_SECONDS + 1))
    polled = hall(client, opened, "poll").json()
    assert polled["outcome"] == "unanswered"
    assert OutboxMessage.objects.filter(kind=contract.MessageKind.REMOTE_ENDED).count() == 1


@pytest.mark.django_db
def test_the_hall_may_withdraw_a_ringing_request(client, opened):
    withdrawn = hall(client, opened, "hangup").json()
    assert withdrawn == {"status": "ended", "outcome": "cancelled"}
    assert OutboxMessage.objects.get(kind=contract.MessageKind.REMOTE_ENDED).payload["ending"] == "cancelled"


@pytest.mark.django_db
def test_supervisors_see_waiting_and_active_sessions_and_answer_times(
    client, platform, remote_matter, approver, central_supervisor
):
    first = relay(client, open_payload(remote_matter, device="terminal:1")).json()
    relay(client, open_payload(remote_matter, device="terminal:2"))
    session_answer(staff=approver, session_id=first["session"])
    client.force_login(central_supervisor)
    page = client.get("/remote/overview/")
    assert page.status_code == 200
    assert page.context["requested"] == 2 and page.context["answered"] == 1
    assert len(page.context["waiting"]) == 1 and len(page.context["active"]) == 1
    assert page.context["wait_p50"] is not None
    client.force_login(approver)
    assert client.get("/remote/overview/").status_code == 403


@pytest.mark.django_db
def test_the_session_log_is_for_supervisors_and_the_staff_who_answered(
    client, opened, approver, colleague, central_supervisor
):
    session_answer(staff=approver, session_id=opened["session"])
    for user, status in ((approver, 200), (central_supervisor, 200), (colleague, 404)):
        client.force_login(user)
        assert client.get(f"/remote/{opened['session']}/log/").status_code == status
    client.force_login(central_supervisor)
    log = client.get(f"/remote/{opened['session']}/log/").content.decode()
    assert "发起远程视频服务" in log and "应答" in log and "人口库比对" in log


@pytest.mark.django_db
def test_a_call_whose_hall_is_gone_for_good_ends_and_the_front_is_told(client, opened, approver, time_machine):
    from apps.central.remote.services import sessions_end_abandoned
    from apps.central.remote.tasks import sessions_expire as periodic

    start = dt.datetime.now(tz=dt.UTC)
    time_machine.move_to(start, tick=False)
    session_answer(staff=approver, session_id=opened["session"])
    hall(client, opened, "poll")  # the hall is there
    time_machine.move_to(start + dt.timedelta(seconds=remote_conf.REMOTE_JOIN_TICKET_SECONDS - 10), tick=False)
    assert sessions_end_abandoned() == 0  # quiet, but its ticket still lets it back
    time_machine.move_to(start + dt.timedelta(seconds=remote_conf.REMOTE_JOIN_TICKET_SECONDS + 10), tick=False)
    assert periodic() == 1 and periodic() == 0
    session = RemoteSession.objects.get(id=opened["session"])
    assert session.status == SessionStatus.ENDED and session.outcome == SessionOutcome.HUNG_UP
    assert OutboxMessage.objects.get(kind=contract.MessageKind.REMOTE_ENDED).payload["ending"] == "hung_up"
