"""材料寄递 (异地代收代办 / 收受分离, issue 16): a case the hall received for another region's office gets its paper
originals posted there by the courier, once, and the office is told the waybill on the wire; a case for the
platform's own central, or a matter without paper originals, posts nothing."""

import json

import pytest
from django.db import transaction
from django.utils import timezone

from apps.front.delivery.models import OriginalsShipment, ShipmentStatus
from apps.front.delivery.services import originals_dispatch, originals_dispatch_due
from apps.front.intake.models import Case, CaseStatus
from apps.front.intake.services.acceptance import hand_over
from apps.shared.catalog.models import Department, Material, MaterialForm
from apps.shared.exchange.models import OutboxMessage, Peer, PeerKey, Route
from tests.factories import make_matter

RETIREMENT = "12000002000000000000-000210-01"


@pytest.fixture
def partner(db):
    peer = Peer.objects.create(
        code="TJ", name="天津市政务服务审批后台", base_url="http://127.0.0.1:9", postal_address="天津市河西区友谊路30号"
    )
    PeerKey.objects.create(peer=peer, key_id="k-tj", secret="partner-secret")
    Route.objects.create(region="12", peer=peer)
    return peer


@pytest.fixture
def retirement(db):
    department = Department.objects.create(code="120000-RSJ", name="天津市人力资源和社会保障局")
    matter = make_matter(RETIREMENT, department=department, name="职工退休核准（京津冀通办）")
    Material.objects.create(
        matter=matter, position=3, name="职工本人人事档案", form=MaterialForm.PAPER, originals=1, required=True
    )
    Material.objects.create(
        matter=matter, position=4, name="单位证明", form=MaterialForm.PAPER, originals=1, required=False
    )
    return matter


def accepted(citizen, hall, matter, clerk, number):
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
def test_the_originals_of_a_case_for_another_region_are_posted_to_its_office_once(
    citizen, hall, clerk, central_peer, partner, retirement, settings, tmp_path
):
    settings.COURIER_FILE_PATH = str(tmp_path / "courier.jsonl")
    case = accepted(citizen, hall, retirement, clerk, "TZ2026120700101")
    with transaction.atomic():
        hand_over(case, actor="李静")

    shipment = OriginalsShipment.objects.get(case=case)
    # The required paper original only: the optional one was not brought, and the ID card is not paper-only.
    assert (shipment.destination, shipment.address, shipment.items) == (
        "天津市政务服务审批后台",
        "天津市河西区友谊路30号",
        ["职工本人人事档案"],
    )
    assert shipment.status == ShipmentStatus.WAITING

    posted = originals_dispatch(shipment_id=shipment.id)
    again = originals_dispatch(shipment_id=shipment.id)

    assert posted.status == ShipmentStatus.POSTED and posted.tracking_number.startswith("DX")
    assert again.tracking_number == posted.tracking_number
    [waybill] = [json.loads(line) for line in (tmp_path / "courier.jsonl").read_text(encoding="utf-8").splitlines()]
    assert waybill["address"] == "天津市河西区友谊路30号" and "职工本人人事档案" in waybill["contents"]
    assert citizen.real_name not in json.dumps(waybill, ensure_ascii=False)
    [told] = OutboxMessage.objects.filter(kind="case.originals_posted")
    assert told.peer == partner
    assert told.payload == {
        "number": case.number,
        "items": ["职工本人人事档案"],
        "courier": "开发快递",
        "tracking_number": posted.tracking_number,
    }
    assert originals_dispatch_due() == 0  # nothing left waiting


@pytest.mark.django_db
def test_no_originals_are_posted_for_the_platforms_own_central_or_a_matter_without_paper_originals(
    citizen, hall, clerk, matter, central_peer, partner, retirement
):
    ours = accepted(citizen, hall, matter, clerk, "TZ2026120700102")
    Material.objects.create(matter=matter, position=3, name="原件", form=MaterialForm.PAPER, originals=1, required=True)
    scans_only = make_matter("12000015000000000000-001501-01", department=retirement.department, name="公积金缴存证明")
    theirs = accepted(citizen, hall, scans_only, clerk, "TZ2026120700103")
    with transaction.atomic():
        hand_over(ours, actor="李静")
        hand_over(theirs, actor="李静")

    assert not OriginalsShipment.objects.exists()
    assert {m.peer.code for m in OutboxMessage.objects.filter(kind="case.submitted")} == {"central", "TJ"}
