"""The hall's record of a remote session in the personal-information lifecycle (PIPL): deleted with its scans
three years after it ended; exported to the citizen it concerns; the typed form leaves it when the account
is deleted. (No central needed: the records are made here directly.)"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.base import ContentFile

from apps.front.remote.models import HallScan, HallSession, HallSessionEvent, SessionStatus
from apps.front.remote.privacy import erase, export_sessions
from apps.shared.privacy.services import retention_run

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _session(*, citizen, matter, hall, terminal, ended_at):
    session = HallSession.objects.create(
        id=uuid.uuid4(),
        hall=hall,
        matter=matter,
        citizen=citizen,
        terminal=terminal,
        device=f"terminal:{terminal.pk}",
        device_label=terminal.name,
        consent_at=ended_at,
        started_at=ended_at,
        ended_at=ended_at,
        status=SessionStatus.ENDED,
        outcome="hung_up",
        form={"phone": "13800001111"},
    )
    HallSessionEvent.objects.create(session=session, note="发起远程视频服务")
    scan = HallScan(
        session=session,
        material=matter.materials.first(),
        original_name="id.png",
        content_type="image/png",
        size=len(PNG),
        sha256="0" * 64,
        uploaded_by=citizen,
    )
    scan.file.save("scan.png", ContentFile(PNG), save=True)
    return session, scan


@pytest.mark.django_db
def test_a_sessions_record_goes_three_years_after_it_ended(time_machine, citizen, matter, hall, terminal):
    ended = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    session, scan = _session(citizen=citizen, matter=matter, hall=hall, terminal=terminal, ended_at=ended)
    storage, name = scan.file.storage, scan.file.name
    time_machine.move_to(ended + dt.timedelta(days=3 * 365 - 1), tick=False)
    assert retention_run().counts["remote.sessions"] == 0
    time_machine.move_to(ended + dt.timedelta(days=3 * 365 + 1), tick=False)
    assert retention_run().counts["remote.sessions"] == 1
    assert not HallSession.objects.filter(id=session.id).exists() and not HallScan.objects.exists()
    assert not storage.exists(name)


@pytest.mark.django_db
def test_the_citizen_gets_their_sessions_and_their_typing_goes_with_the_account(
    citizen, other_citizen, matter, hall, terminal
):
    session, _scan = _session(
        citizen=citizen, matter=matter, hall=hall, terminal=terminal, ended_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    )
    exported = export_sessions(citizen)
    assert [s["session"] for s in exported] == [str(session.id)] and exported[0]["form"] == {"phone": "13800001111"}
    assert exported[0]["log"][0]["note"] == "发起远程视频服务"
    assert export_sessions(other_citizen) == []
    assert erase(citizen) == {"sessions": 1}
    session.refresh_from_db()
    assert session.form == {} and session.events.exists()
