"""The relay and its join tickets (issue 14, "Authorization"): a ticket opens one session only, for the hall
device that asked, from the platform that signed, and expires; every refusal is logged and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import signing as django_signing

from apps.central.remote.conf import remote_conf
from apps.central.remote.models import EventAction, RemoteSession, SessionSignal, SessionStatus
from apps.central.remote.tickets import SALT
from apps.shared.exchange.models import Peer, PeerKey

from .conftest import APPLICANT, KIOSK, hall, open_payload, relay

pytestmark = pytest.mark.django_db


def test_it_opens_a_ringing_session_in_the_matters_department_with_a_ticket(opened, department, remote_matter):
    session = RemoteSession.objects.get(id=opened["session"])
    assert (
        session.status == SessionStatus.RINGING and session.department == department and session.matter == remote_matter
    )
    assert session.device == KIOSK and session.consent_at is not None
    # The applicant's data is kept encrypted; the answer carries what the hall's page needs to connect.
    assert session.applicant_id_number == APPLICANT["id_number"]
    assert (
        opened["ticket"] and opened["ice_servers"] == [] and opened["ring_seconds"] == remote_conf.REMOTE_RING_SECONDS
    )
    assert list(session.events.values_list("action", flat=True)) == [EventAction.REQUESTED]


def test_it_refuses_to_open_without_consent_or_for_a_matter_not_served_remotely(
    client, platform, remote_matter, matter
):
    refused = relay(client, open_payload(remote_matter, consent=False))
    assert refused.status_code == 400 and refused.json()["code"] == "consent_required"
    not_remote = relay(client, open_payload(matter))
    assert not_remote.status_code == 422 and not_remote.json()["code"] == "matter_not_served"
    bad_id = relay(client, open_payload(remote_matter, applicant={"name": "王小明", "id_number": "110105194912310021"}))
    assert bad_id.status_code == 422 and bad_id.json()["code"] == "invalid_id_number"
    assert not RemoteSession.objects.exists()


def test_a_device_has_one_live_session_at_a_time(client, opened, remote_matter):
    again = relay(client, open_payload(remote_matter))
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


def test_it_refuses_unsigned_and_wrongly_signed_requests(client, platform, remote_matter):
    import json

    body = json.dumps(open_payload(remote_matter)).encode()
    unsigned = client.post("/api/v1/remote/relay/", data=body, content_type="application/json")
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "signature_missing"
    forged = relay(client, open_payload(remote_matter), secret="not-the-key")
    assert forged.status_code == 401 and forged.json()["code"] == "bad_signature"
    assert not RemoteSession.objects.exists()


def test_the_ticket_works_for_its_own_device(client, opened):
    polled = hall(client, opened, "poll", after=0)
    assert polled.status_code == 200
    assert polled.json()["status"] == SessionStatus.RINGING and polled.json()["signals"] == []


def test_a_ticket_replayed_on_another_device_is_refused_and_logged(client, opened):
    replay = hall(client, opened, "poll", device="terminal:8")
    assert replay.status_code == 403 and replay.json()["code"] == "join_refused"
    signal = hall(client, opened, "signal", device="clerk:1", kind="hello", body={})
    assert signal.status_code == 403
    session = RemoteSession.objects.get(id=opened["session"])
    refused = session.events.filter(action=EventAction.JOIN_REFUSED)
    assert [e.actor_label for e in refused] == ["terminal:8", "clerk:1"]
    assert not SessionSignal.objects.exists()


def test_a_ticket_opens_one_session_only(client, opened, remote_matter):
    other = relay(client, open_payload(remote_matter, device="terminal:9")).json()
    # The kiosk's ticket presented for the other kiosk's session, even naming that kiosk's device.
    for device in (KIOSK, "terminal:9"):
        crossed = relay(
            client, {"op": "poll", "session": other["session"], "device": device, "ticket": opened["ticket"]}
        )
        assert crossed.status_code == 403 and crossed.json()["code"] == "join_refused"
    unknown = relay(client, {"op": "poll", "session": "not-a-session", "device": KIOSK, "ticket": opened["ticket"]})
    assert unknown.status_code == 404


def test_a_ticket_from_another_platform_is_refused(client, opened, platform):
    partner = Peer.objects.create(code="HB-LF", name="廊坊前台", base_url="http://127.0.0.1:9")
    PeerKey.objects.create(peer=partner, key_id="k2", secret="partner-secret")
    # Signed by the partner with its own valid key: the session is not the partner's.
    borrowed = relay(
        client,
        {"op": "poll", "session": opened["session"], "device": KIOSK, "ticket": opened["ticket"]},
        key_id="k2",
        secret="partner-secret",
    )
    assert borrowed.status_code == 404


def test_a_ticket_past_its_life_is_refused(client, opened, time_machine):
    time_machine.move_to(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=remote_conf.REMOTE_JOIN_TICKET_SECONDS + 5))
    expired = hall(client, opened, "poll")
    assert expired.status_code == 403 and expired.json()["code"] == "join_refused"


def test_a_forged_ticket_is_refused(client, opened):
    forged = django_signing.dumps(
        {"s": opened["session"], "d": KIOSK, "p": "BJ-TZ", "t": 0}, salt=SALT, key="guessed-key"
    )
    assert hall(client, opened, "poll", ticket=forged).status_code == 403
    assert hall(client, opened, "poll", ticket="").status_code == 403


def test_a_ticket_in_use_is_renewed_before_it_runs_out(client, opened, time_machine):
    start = dt.datetime.now(tz=dt.UTC)
    time_machine.move_to(start + dt.timedelta(seconds=remote_conf.REMOTE_JOIN_TICKET_SECONDS * 0.6))
    renewed = hall(client, opened, "poll").json()["ticket"]
    assert renewed != opened["ticket"]
    # Past the first ticket's life, the renewed one still opens the session; the first does not.
    time_machine.move_to(start + dt.timedelta(seconds=remote_conf.REMOTE_JOIN_TICKET_SECONDS * 1.2))
    assert hall(client, opened, "poll").status_code == 403
    assert hall(client, opened, "poll", ticket=renewed).status_code == 200


def test_it_answers_nonsense_with_400_not_500(client, platform, opened):
    assert relay(client, b"not json").status_code == 400
    assert relay(client, {"op": "dance"}).status_code == 400
    assert (
        relay(client, {"op": "poll", "session": opened["session"], "device": 7, "ticket": opened["ticket"]}).status_code
        == 400
    )
    assert hall(client, opened, "signal", kind="offer", body="not an object").status_code == 400
    assert hall(client, opened, "signal", kind="answer", body={}).status_code == 400  # central's kind, not the hall's
    assert hall(client, opened, "form", fields={"salary": "1"}).status_code == 400
    assert hall(client, opened, "scan", material="x", content_b64="***").status_code == 400
    # PostgreSQL stores no NUL: refused at the door, nothing written.
    nul = hall(client, opened, "form", fields={"phone": "138\x000"})
    assert nul.status_code == 400 and nul.json()["code"] == "invalid"
    assert RemoteSession.objects.get(id=opened["session"]).form == {}
    deep: dict = {}
    for _ in range(40):
        deep = {"x": deep}
    assert hall(client, opened, "signal", kind="hello", body=deep).status_code == 400
