"""An approver of another department reaches nothing of a department's (tests/object_access.py says how the sweep
works): a case received over the wire and claimed by this department's approver, its material, and a kiosk ringing
the department's remote window fill every route of central that takes an identifier, and the other department's
approver asks for each — through the API (no 2xx but public reads, no write with an empty body succeeds) and the
pages (no page shows the applicant's name or the case's front number); and nothing of the department's moves."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.central.remote.models import RemoteSession
from apps.central.review import services
from apps.central.review.models import ReviewCase, ReviewMaterial
from tests.central.remote.conftest import APPLICANT, open_payload, relay
from tests.central.test_review import package, send
from tests.factories import make_matter
from tests.object_access import api_leaks, page_leaks

pytestmark = pytest.mark.django_db

NUMBER = "TZ2026112400001"


def departments_things() -> list:
    """The case, its events and the session as they stand: the other department's requests must move nothing."""
    cases = ReviewCase.objects.values_list("id", "status", "assignee_id", "decided_by_id").order_by("id")
    sessions = RemoteSession.objects.values_list("id", "status", "answered_by_id").order_by("id")
    return [list(cases), list(sessions), ReviewCase.objects.get().events.count()]


@pytest.fixture
def known(platform, matter, department, approver) -> dict[str, list]:
    send(Client(), *package(matter, number=NUMBER))
    case = ReviewCase.objects.get(front_number=NUMBER)
    services.case_claim(approver=approver, case_id=case.id)
    remote = make_matter("RSJ-REMOTE", name="失业保险金申领", department=department, remote_window=True)
    assert relay(Client(), open_payload(remote)).status_code == 200
    return {
        "case_id": [case.id],
        "material_id": list(ReviewMaterial.objects.filter(case=case).values_list("id", flat=True)),
        "session_id": [RemoteSession.objects.get().id],
        "code": [matter.code],
    }


def test_through_the_api(api, known, approver, other_approver):
    before = departments_things()
    owners, leaks = api_leaks(api(approver), api(other_approver), api(None), known)
    assert not leaks, "\n".join(leaks)
    assert departments_things() == before
    assert owners >= 1, owners  # the department's approver reads the case (2 when written)


def test_through_the_pages(known, approver, other_approver):
    owner, other = Client(), Client()
    owner.force_login(approver)
    other.force_login(other_approver)
    before = departments_things()
    owners, leaks = page_leaks(owner, other, known, [NUMBER, "王小明", "王**", APPLICANT["name"]])
    assert not leaks, "\n".join(leaks)
    assert departments_things() == before  # the pages' forms and actions, posted empty, moved nothing
    assert owners >= 2, owners  # the department's approver's pages: the case and its material (a session still ringing
    # has no page yet)
