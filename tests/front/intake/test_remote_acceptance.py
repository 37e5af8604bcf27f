"""远程受理 at the front (apps/front/intake/services/remote.py): what the scans count as, and the reason of the
remote identity check in the case's timeline. A kiosk's session had nobody holding the originals (central saw
scans and a video): its scans stay level C and are not kept in the citizen's vault as checked; a window's
session had its clerk holding them, as at a window: level B, kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.front.intake.models import CaseStatus, EvidenceItem, TrustLevel
from apps.front.intake.services import RemoteLine, Upload, case_conclude_remote
from apps.shared.accounts.models import Role
from tests.factories import make_user
from tests.journey_helpers import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def acceptor(db):
    """The remote staff member's stand-in at the front (inactive, as apps/shared/accounts/stand_ins.py makes it)."""
    return make_user("central.approver", Role.APPROVER, real_name="刘洋", is_active=False)


def conclude(matter, hall, citizen, acceptor, *, hall_clerk=None, **extra):
    id_card = matter.materials.get(name="居民身份证")
    return case_conclude_remote(
        acceptor=acceptor,
        uploader=hall_clerk or citizen,
        citizen=citizen,
        matter=matter,
        hall=hall,
        uploads=[Upload(id_card.id, SimpleUploadedFile("id.png", PNG, "image/png"))],
        outcome="accepted",
        hall_clerk=hall_clerk,
        **extra,
    )[0]


def test_at_a_kiosk_nobody_held_the_originals_so_the_scans_stay_level_c(matter, hall, citizen, acceptor, central_peer):
    case = conclude(matter, hall, citizen, acceptor)
    assert case.status == CaseStatus.ACCEPTED
    assert list(case.materials.values_list("trust_level", flat=True)) == [TrustLevel.C]
    assert not EvidenceItem.objects.filter(citizen=citizen).exists()


def test_in_a_window_session_the_clerk_held_the_originals_so_they_count_as_seen(
    matter, hall, citizen, clerk, acceptor, central_peer
):
    case = conclude(matter, hall, citizen, acceptor, hall_clerk=clerk)
    assert list(case.materials.values_list("trust_level", flat=True)) == [TrustLevel.B]
    [kept] = EvidenceItem.objects.filter(citizen=citizen)
    # Verified by the clerk who held them, not by the remote acceptor, who saw a scan.
    assert kept.trust_level == TrustLevel.B and kept.verified_by == clerk


def test_the_reason_of_the_remote_identity_check_is_in_the_cases_timeline(
    matter, hall, citizen, acceptor, central_peer
):
    at = timezone.now() - dt.timedelta(minutes=5)
    case = conclude(
        matter,
        hall,
        citizen,
        acceptor,
        history=[RemoteLine(at=at, actor="人社局 刘洋", note="人社局 刘洋 远程核验申请人身份")],
        identity_note="远程核验身份：人口库比对一致，视频中本人与证件照片一致",
    )
    events = {event.note: event for event in case.events.all()}
    assert "人社局 刘洋 远程核验申请人身份" in events
    reason = events["远程核验身份：人口库比对一致，视频中本人与证件照片一致"]
    assert reason.actor == acceptor
