"""一件事 at central (issue 15): a part of a bundle arrives with its bundle on the wire (case.submitted's optional
``bundle``); the approver sees the case's siblings (decided, in review elsewhere, waiting for a prerequisite, never
to come after a refusal); the dashboard reports each bundle as one item — its promise and time added up along the
dependency, the longest chain — and per matter."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from django.test import Client
from django.utils import timezone

from apps.central.review.bundles import bundle_statistics
from apps.central.review.models import ReviewCase, ReviewStatus
from apps.shared.accounts.models import Role
from govservice.lib.decisions import Decision
from govservice.lib.stats import Period
from tests.factories import make_matter, make_user

from .test_review import package, send

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 6, 15, 10, 0))
PERIOD = Period(start=dt.date(2026, 5, 17), end=dt.date(2026, 6, 15))
_numbers = itertools.count(1)


def bundle(ref: str, numbers: dict[str, str]) -> dict:
    """户口 first; 医保 after it; 社保卡 in parallel."""
    return {
        "id": ref,
        "code": "newborn",
        "name": "新生儿出生一件事",
        "parts": [
            {"matter_code": "NB-HK", "matter_name": "户口登记", "after": "", "number": numbers.get("NB-HK", "")},
            {
                "matter_code": "NB-YB",
                "matter_name": "医保参保登记",
                "after": "NB-HK",
                "number": numbers.get("NB-YB", ""),
            },
            {"matter_code": "NB-SB", "matter_name": "社会保障卡申领", "after": "", "number": numbers.get("NB-SB", "")},
        ],
    }


@pytest.fixture
def matters(department, other_department):
    return {
        "NB-HK": make_matter("NB-HK", department=department, name="户口登记", promised_days=5),
        "NB-YB": make_matter("NB-YB", department=department, name="医保参保登记", promised_days=5),
        "NB-SB": make_matter("NB-SB", department=other_department, name="社会保障卡申领", promised_days=10),
    }


def part(platform, matter, ref, *, status=ReviewStatus.DECIDED, decision=Decision.APPROVED, used=0, parts=None):
    number = f"TZ2026{next(_numbers):09d}"
    return ReviewCase.objects.create(
        platform=platform,
        front_number=number,
        matter=matter,
        department=matter.department,
        hall_name="北京城市副中心政务服务中心",
        applicant_name="王小明",
        applicant_id_number="11010519491231002X",
        status=status,
        decision=decision if status == ReviewStatus.DECIDED else "",
        accepted_at=NOW - dt.timedelta(days=20),
        promised_limit=matter.promised_days,
        legal_limit=matter.legal_days,
        clock_used=used,
        decided_at=NOW - dt.timedelta(days=2) if status == ReviewStatus.DECIDED else None,
        bundle_ref=ref,
        bundle=bundle(ref, parts or {}),
    )


class TestTheWire:
    def test_a_part_arrives_with_its_bundle_and_a_lone_case_without(self, client, platform, matters):
        message_id, body = package(matters["NB-HK"], number="TZ2026112400001")
        body = body.replace(
            b'"promised_date": "2026-12-08"',
            b'"promised_date": "2026-12-08", "bundle": '
            + json.dumps(bundle("B7K2M9Q4X1", {"NB-HK": "TZ2026112400001"}), ensure_ascii=False).encode(),
        )
        assert send(client, message_id, body).status_code == 200
        case = ReviewCase.objects.get(front_number="TZ2026112400001")
        assert case.bundle_ref == "B7K2M9Q4X1" and case.bundle["name"] == "新生儿出生一件事"
        assert [p["after"] for p in case.bundle["parts"]] == ["", "NB-HK", ""]
        message_id, body = package(matters["NB-SB"], number="TZ2026112400002")
        assert send(client, message_id, body).status_code == 200
        assert ReviewCase.objects.get(front_number="TZ2026112400002").bundle_ref == ""


class TestTheCasePage:
    def test_the_approver_sees_the_siblings_and_what_the_waiting_part_waits_for(
        self, platform, matters, approver, other_approver
    ):
        sb = part(platform, matters["NB-SB"], "B1", status=ReviewStatus.IN_REVIEW)
        hk = part(platform, matters["NB-HK"], "B1", status=ReviewStatus.IN_REVIEW, parts={"NB-SB": sb.front_number})
        client = Client()
        client.force_login(approver)
        page = client.get(f"/cases/{hk.id}/").content.decode()
        assert 'id="bundle-parts"' in page and "新生儿出生一件事" in page and "B1" in page
        assert sb.front_number in page and "区民政局" in page  # the other department's sibling, shown
        assert f'href="/cases/{sb.id}/"' not in page  # … but not opened by an approver of another department
        assert "等待前置事项“户口登记”准予后报送。" in page
        # The other department's approver opens theirs and sees the same bundle, with 户口 in review.
        other = Client()
        other.force_login(other_approver)
        theirs = other.get(f"/cases/{sb.id}/").content.decode()
        assert hk.front_number in theirs and "审查中" in theirs

    def test_a_refused_prerequisite_says_the_waiting_part_will_not_come(self, platform, matters, approver):
        hk = part(platform, matters["NB-HK"], "B2", decision=Decision.DENIED)
        client = Client()
        client.force_login(approver)
        page = client.get(f"/cases/{hk.id}/").content.decode()
        assert "前置事项“户口登记”未获准予，该事项不再报送。" in page
        assert f"已决定 · {Decision.DENIED.label}" in page

    def test_a_lone_case_has_no_bundle_section(self, platform, matter, approver):
        lone = ReviewCase.objects.create(
            platform=platform,
            front_number="TZ1",
            matter=matter,
            department=matter.department,
            hall_name="大厅",
            applicant_name="王小明",
            applicant_id_number="11010519491231002X",
            accepted_at=NOW,
        )
        client = Client()
        client.force_login(approver)
        assert 'id="bundle"' not in client.get(f"/cases/{lone.id}/").content.decode()


class TestTheReport:
    def test_a_bundle_is_one_item_its_promise_and_time_the_longest_chain_and_per_matter(
        self, time_machine, platform, matters
    ):
        time_machine.move_to(NOW, tick=False)
        # Within: 户口 3 then 医保 4 (7 against 5+5), 社保卡 6 in parallel (against 10): 7 against 10.
        part(platform, matters["NB-HK"], "A", used=3)
        part(platform, matters["NB-YB"], "A", used=4)
        part(platform, matters["NB-SB"], "A", used=6)
        # Late: 户口 3 then 医保 9 = 12 against 10, though each part but 医保 kept its own promise.
        part(platform, matters["NB-HK"], "B", used=3)
        part(platform, matters["NB-YB"], "B", used=9)
        part(platform, matters["NB-SB"], "B", used=2)
        # 户口 refused: 医保 never comes; the bundle is complete when 社保卡 is decided, not all approved.
        part(platform, matters["NB-HK"], "C", used=1, decision=Decision.DENIED)
        part(platform, matters["NB-SB"], "C", used=2)
        # Still open: 医保 in review.
        part(platform, matters["NB-HK"], "D", used=1)
        part(platform, matters["NB-YB"], "D", status=ReviewStatus.IN_REVIEW)
        part(platform, matters["NB-SB"], "D", used=1)
        [row] = bundle_statistics(period=PERIOD)
        assert (row["bundle"], row["name"]) == ("newborn", "新生儿出生一件事")
        assert (row["completed"], row["all_approved"], row["within"], row["within_rate"]) == (3, 2, 2, 66.7)
        assert row["median_days"] == 7 and row["promised_days"] == 10
        by_matter = {m["matter"]: m for m in row["matters"]}
        assert by_matter["户口登记"] == {"matter": "户口登记", "decided": 3, "approved": 2, "within": 3}
        assert by_matter["医保参保登记"] == {"matter": "医保参保登记", "decided": 2, "approved": 2, "within": 1}
        # On the dashboard, the bundle row and its matters.
        supervisor = make_user("centralsup", Role.CENTRAL_SUPERVISOR, real_name="吴主管")
        client = Client()
        client.force_login(supervisor)
        page = client.get("/dashboard/", {"start": "2026-05-17", "end": "2026-06-15"}).content.decode()
        assert 'id="report-bundles"' in page and "新生儿出生一件事" in page and "66.7%" in page

    def test_a_bundle_decided_outside_the_period_is_not_counted(self, time_machine, platform, matters):
        time_machine.move_to(NOW, tick=False)
        part(platform, matters["NB-HK"], "E", used=3)
        part(platform, matters["NB-YB"], "E", used=3)
        part(platform, matters["NB-SB"], "E", used=3)
        before = Period(start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))
        assert bundle_statistics(period=before) == []
