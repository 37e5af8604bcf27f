"""Routing a matter to the central that decides it (issue 16: a front with more than one back office): the routing
table checked against the catalog, in the admin too; the hand-over to the routed central, which the case keeps;
events only from that central; reconciliation asked of each central about its own cases."""

import datetime as dt
import json
import uuid

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus
from apps.front.intake.services import cases_reconcile
from apps.front.intake.services.acceptance import hand_over
from apps.shared.accounts.models import Role
from apps.shared.catalog.models import Department
from apps.shared.exchange.models import OutboxMessage, Peer, PeerKey, Route
from apps.shared.exchange.peers import central_for, centrals, route_errors
from tests.factories import make_matter, make_user
from tests.front.intake.test_wire_inbox import post_signed

TIANJIN = "12000015000000000000-001501-01"
BINHAI = "12011602000000000000-000201-01"


@pytest.fixture
def partner(db):
    peer = Peer.objects.create(code="TJ", name="天津市政务服务审批后台", base_url="http://127.0.0.1:9")
    PeerKey.objects.create(peer=peer, key_id="k-tj", secret="partner-secret")
    return peer


@pytest.fixture
def tianjin_matter(db, hall):
    department = Department.objects.create(code="120000-GJJ", name="天津住房公积金管理中心")
    return make_matter(TIANJIN, department=department, name="住房公积金缴存证明开具（京津冀通办）")


@pytest.mark.django_db
class TestRouteErrors:
    def test_it_accepts_a_current_matter_or_a_region_of_the_catalog_to_a_peer_with_a_key(self, partner, tianjin_matter):
        assert route_errors(matter_code=TIANJIN, region="", peer=partner) == {}
        assert route_errors(matter_code="", region="12", peer=partner) == {}
        assert route_errors(matter_code="", region="1200", peer=partner) == {}

    def test_it_wants_exactly_one_of_matter_and_region(self, partner, tianjin_matter):
        assert "matter_code" in route_errors(matter_code="", region="", peer=partner)
        assert "matter_code" in route_errors(matter_code=TIANJIN, region="12", peer=partner)

    def test_it_refuses_a_matter_the_catalog_does_not_hold_as_current(self, partner, tianjin_matter):
        errors = route_errors(matter_code="12999999000000000000-000001-01", region="", peer=partner)
        assert errors == {"matter_code": "目录中没有实施编码为 12999999000000000000-000001-01 的现行事项。"}
        tianjin_matter.is_current = False
        tianjin_matter.save(update_fields=["is_current"])
        assert "matter_code" in route_errors(matter_code=TIANJIN, region="", peer=partner)

    def test_it_refuses_a_malformed_region_and_one_without_matters(self, partner, tianjin_matter):
        assert route_errors(matter_code="", region="1", peer=partner) == {"region": "区划代码应为2、4或6位数字。"}
        assert "region" in route_errors(matter_code="", region="12a", peer=partner)
        assert route_errors(matter_code="", region="13", peer=partner) == {
            "region": "目录中没有实施编码以 13 开头的现行事项。"
        }

    def test_it_refuses_no_peer_an_inactive_one_and_one_without_a_valid_key(self, partner, tianjin_matter):
        assert "peer" in route_errors(matter_code=TIANJIN, region="", peer=None)
        partner.keys.update(not_after=timezone.now() - dt.timedelta(minutes=1))
        assert route_errors(matter_code=TIANJIN, region="", peer=partner) == {
            "peer": "审批后台“TJ”没有有效的密钥，报文无法签名。"
        }
        partner.active = False
        partner.save(update_fields=["active"])
        assert route_errors(matter_code=TIANJIN, region="", peer=partner) == {"peer": "审批后台“TJ”已停用。"}


@pytest.mark.django_db
def test_a_matters_own_route_wins_over_its_regions_and_a_longer_region_over_a_shorter(partner, central_peer, hall):
    other = Peer.objects.create(code="TJ-BH", name="滨海新区审批后台", base_url="http://127.0.0.1:9")
    Route.objects.create(region="12", peer=partner)
    Route.objects.create(region="120116", peer=other)
    Route.objects.create(matter_code=TIANJIN, peer=central_peer)  # an exception to its region's route

    assert central_for(TIANJIN) == central_peer
    assert central_for(BINHAI) == other
    assert central_for("12000002000000000000-000210-01") == partner
    assert central_for("11011202000000000000-000201-01") == central_peer  # no route: the platform's own


@pytest.mark.django_db
def test_the_centrals_a_front_knows_are_its_own_the_routed_ones_and_those_it_names(partner, central_peer, settings):
    """The libraries a citizen's licences may be in (shared licences, issue 16): each active central once, the
    platform's own first; another front platform only when named."""
    binhai = Peer.objects.create(code="TJ-BH", name="滨海新区审批后台", base_url="http://127.0.0.1:9")
    hebei = Peer.objects.create(code="HE", name="河北省审批后台", base_url="http://127.0.0.1:9")
    Peer.objects.create(code="BJ-SZ", name="北京市政务服务中心前台", base_url="http://127.0.0.1:9")
    Route.objects.create(region="12", peer=partner)
    Route.objects.create(matter_code=TIANJIN, peer=partner)
    Route.objects.create(region="120116", peer=binhai)
    assert [p.code for p in centrals()] == ["central", "TJ", "TJ-BH"]

    settings.EXCHANGE_LICENCE_PEERS = "HE, TJ"
    assert [p.code for p in centrals()] == ["central", "TJ", "TJ-BH", "HE"]
    binhai.active = hebei.active = False
    Peer.objects.bulk_update([binhai, hebei], ["active"])
    assert [p.code for p in centrals()] == ["central", "TJ"]


@pytest.mark.django_db
def test_the_admin_checks_a_route_against_the_catalog(partner, tianjin_matter):
    admin = Client()
    admin.force_login(make_user("admin", Role.ADMIN, real_name="系统管理员", is_staff=True, is_superuser=True))

    refused = admin.post(
        "/admin/exchange/route/add/", {"matter_code": "12999", "region": "", "peer": partner.id, "note": ""}
    )
    assert refused.status_code == 200 and "目录中没有实施编码为 12999 的现行事项。" in refused.content.decode()
    both = admin.post(
        "/admin/exchange/route/add/", {"matter_code": TIANJIN, "region": "12", "peer": partner.id, "note": ""}
    )
    assert "只填一项" in both.content.decode()
    assert not Route.objects.exists()

    saved = admin.post(
        "/admin/exchange/route/add/", {"matter_code": "", "region": "12", "peer": partner.id, "note": "京津冀通办"}
    )
    assert saved.status_code == 302
    assert Route.objects.get().peer == partner
    twice = admin.post(
        "/admin/exchange/route/add/", {"matter_code": "", "region": "12", "peer": partner.id, "note": ""}
    )
    assert "该区划已有路由。" in twice.content.decode() and Route.objects.count() == 1


def _accepted(citizen, hall, matter, clerk, number):
    return Case.objects.create(
        number=number,
        query_password_hash="x",
        citizen=citizen,
        matter=matter,
        hall=hall,
        clerk=clerk,
        status=CaseStatus.ACCEPTED,
        accepted_at=timezone.now(),
    )


@pytest.mark.django_db
def test_a_case_goes_to_the_central_of_its_matter_keeps_it_and_hears_only_from_it(
    client, citizen, hall, clerk, matter, central_peer, partner, tianjin_matter
):
    Route.objects.create(region="12", peer=partner)
    ours, theirs = (
        _accepted(citizen, hall, matter, clerk, "TZ2026120700001"),
        _accepted(citizen, hall, tianjin_matter, clerk, "TZ2026120700002"),
    )
    with transaction.atomic():
        hand_over(ours, actor="李静")
        hand_over(theirs, actor="李静")

    sent = {m.payload["number"]: m.peer for m in OutboxMessage.objects.filter(kind="case.submitted")}
    assert sent == {ours.number: central_peer, theirs.number: partner}
    theirs.refresh_from_db()
    assert theirs.central == partner
    # A route changed later moves new cases only: the case stays with the central that has it.
    Route.objects.all().delete()
    assert central_for(TIANJIN) == central_peer

    def started(number, *, key_id, secret):
        message_id = str(uuid.uuid4())
        body = json.dumps(
            {"id": message_id, "kind": "case.review_started", "payload": {"number": number}, "files": []}
        ).encode()
        return post_signed(client, body, message_id, key_id=key_id, secret=secret)

    # The platform's own central may not speak about the partner's case (nor the partner about ours): to
    # either, the other's case does not exist here.
    wrong = started(theirs.number, key_id="k1", secret="test-secret")
    assert wrong.status_code == 422 and wrong.json()["detail"] == f"前台无此办件 {theirs.number}。"
    assert started(ours.number, key_id="k-tj", secret="partner-secret").status_code == 422
    assert started(theirs.number, key_id="k-tj", secret="partner-secret").status_code == 200
    theirs.refresh_from_db()
    assert theirs.status == CaseStatus.IN_REVIEW


@pytest.mark.django_db
def test_reconciliation_asks_each_central_about_its_own_cases(
    citizen, hall, clerk, matter, central_peer, partner, tianjin_matter, settings
):
    settings.RECONCILE_QUIET_HOURS = 24
    ours = _accepted(citizen, hall, matter, clerk, "TZ2026120700011")
    theirs = _accepted(citizen, hall, tianjin_matter, clerk, "TZ2026120700012")
    legacy = _accepted(citizen, hall, matter, clerk, "TZ2026120700013")  # handed over before routes: no central
    Case.objects.filter(id=theirs.id).update(central=partner)
    Case.objects.filter(id=ours.id).update(central=central_peer)
    Case.objects.update(status=CaseStatus.IN_REVIEW, updated_at=timezone.now() - dt.timedelta(hours=30))

    assert cases_reconcile() == 3

    asked = {m.peer.code: sorted(m.payload["numbers"]) for m in OutboxMessage.objects.filter(kind="case.resync")}
    assert asked == {"central": sorted([ours.number, legacy.number]), "TJ": [theirs.number]}
