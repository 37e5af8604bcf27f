"""Central's pages in a real browser at 1920×1080 (issue 17), as tests/browser/test_everyone.py walks the front's:
every page an approver uses (sign-in, the case list, a case claimed, the remote window's desk) and a central
supervisor's (the case list with its assignments, the overdue dashboard, the remote overview, the approvers'
posts, the register load and the holiday calendar), in Chinese and in English, in the standard mode and in
关怀模式: no critical or serious axe-core violation, no sideways scroll, no content text below 16 px, no target
below 44 px, no Chinese on an English page beyond the data. One test per role; screenshots under
var/test-artifacts/central-1920x1080/."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import translation

from apps.central.review import services
from apps.central.review.models import ReviewCase
from apps.shared.accounts.models import Role
from tests.browser.axe import sweep
from tests.browser_setup import login
from tests.central.remote.conftest import APPLICANT, open_payload, relay
from tests.central.test_review import package, send
from tests.factories import PASSWORD, make_matter, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MONDAY_MORNING = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
DEVICE = "central-1920x1080"


@pytest.fixture(autouse=True)
def _language_restored_and_time_frozen():
    with translation.override(settings.LANGUAGE_CODE), time_machine.travel(MONDAY_MORNING, tick=True):
        yield


@pytest.fixture
def central_world(platform, matter, department, approver):
    """Two cases from the front (one claimed by the approver, one waiting), and a kiosk ringing the
    department's remote window. Returns the claimed case and the data the pages show."""
    send(Client(), *package(matter))
    send(Client(), *package(matter, number="TZ2026112400002"))
    claimed = ReviewCase.objects.get(front_number="TZ2026112400001")
    services.case_claim(approver=approver, case_id=claimed.id)
    remote = make_matter("RSJ-REMOTE", name="失业保险金申领", department=department, remote_window=True)
    assert relay(Client(), open_payload(remote)).status_code == 200
    data = [
        matter.name,
        remote.name,
        department.name,
        platform.name,
        approver.display_name,
        "北京城市副中心政务服务中心",
        "1号自助服务终端",
        APPLICANT["name"],
        "王小明",
        "王**",
        "李*",
        "居民身份证",
        *(m.name for m in matter.materials.all()),
        "中文",
    ]
    return {"case": claimed, "data": data}


def test_the_approvers_pages(page, live_server, approver, central_world):
    page.set_viewport_size({"width": 1920, "height": 1080})
    findings = sweep(page, live_server, DEVICE, {"login": "/accounts/login/"}, central_world["data"])
    pages = {
        "cases": "/",
        "case": f"/cases/{central_world['case'].id}/",
        "remote-desk": "/remote/",
    }
    findings += sweep(
        page,
        live_server,
        DEVICE,
        pages,
        central_world["data"],
        before=lambda page: login(page, live_server, approver.username, PASSWORD),
    )
    assert not findings, "\n".join(findings)


def test_the_central_supervisors_pages(page, live_server, department, central_world):
    supervisor = make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")
    page.set_viewport_size({"width": 1920, "height": 1080})
    pages = {
        "cases-to-assign": "/",
        "case-supervised": f"/cases/{central_world['case'].id}/",
        "dashboard": "/dashboard/",
        "remote-overview": "/remote/overview/",
        "staff-posts": "/staff/posts/",
        "registry-load": "/registry/load/",
        "calendar": "/calendar/",
    }
    findings = sweep(
        page,
        live_server,
        DEVICE,
        pages,
        # A published year's days off carry the note an administrator typed (元旦: tests/conftest.py).
        [*central_world["data"], supervisor.display_name, "元旦"],
        before=lambda page: login(page, live_server, supervisor.username, PASSWORD),
    )
    assert not findings, "\n".join(findings)
