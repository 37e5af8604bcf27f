"""The wire contract: version 1 of every kind takes what the code has been writing (messages already in
an outbox are delivered after the upgrade), keeps its exact shape, and refuses nonsense at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from pydantic import ValidationError

from apps.shared.exchange import contract
from apps.shared.exchange.contract import MessageKind
from apps.shared.exchange.models import OutboxMessage, Peer
from apps.shared.exchange.services import build_body, outbox_enqueue

NOW = "2026-11-24T09:30:00.123456+08:00"

# What the producers write today (intake, delivery and review services), field for field: these must
# validate and come back out unchanged.
WRITTEN_TODAY: list[tuple[str, dict]] = [
    (
        "case.submitted",
        {
            "number": "TZ2026112400042",
            "matter_code": "RSJ-001",
            "matter_version": 2,
            "hall": "北京城市副中心政务服务中心",
            "applicant": {"name": "王小明", "id_number": "11010519491231002X"},
            "accepted_at": NOW,
            "promised_date": "2026-12-08",
            "commitment_items": ["户口簿"],
            "delivery_method": "post",
            "delivery_region": "北京市通州区",
        },
    ),
    (
        "case.submitted",
        {  # a limit in an unpublished year: no promised date yet
            "number": "TZ2026112400043",
            "matter_code": "RSJ-001",
            "matter_version": 1,
            "hall": "大厅",
            "applicant": {"name": "王小明", "id_number": "11010519491231002X"},
            "accepted_at": NOW,
            "promised_date": "",
            "commitment_items": [],
            "delivery_method": "electronic",
            "delivery_region": "",
        },
    ),
    ("case.supplement", {"number": "TZ2026112400042"}),
    ("case.resync", {"numbers": ["TZ2026112400042", "TZ2026112400043"]}),
    ("case.resync", {"numbers": []}),
    ("case.withdraw_requested", {"number": "TZ2026112400042", "reason": "已在外地办理"}),
    ("case.withdraw_requested", {"number": "TZ2026112400042", "reason": ""}),
    ("case.delivery_chosen", {"number": "TZ2026112400042", "method": "post", "region": "北京市通州区"}),
    ("case.delivery_chosen", {"number": "TZ2026112400042", "method": "pickup", "region": ""}),
    ("case.delivered", {"number": "TZ2026112400042", "method": "electronic", "delivered_at": NOW}),
    (
        "case.delivered",
        {"number": "TZ2026112400042", "method": "post", "delivered_at": NOW, "tracking_number": "DX20261201000001"},
    ),
    ("case.review_started", {"number": "TZ2026112400042"}),
    (
        "case.decided",
        {
            "number": "TZ2026112400042",
            "decision": "denied",
            "reason": "不符合法定条件",
            "remedies": "可依法申请行政复议",
            "decided_at": NOW,
            "approver_label": "区人力资源和社会保障局审批人员",
        },
    ),
    (
        "case.decided",
        {
            "number": "TZ2026112400042",
            "decision": "approved",
            "reason": "",
            "remedies": "",
            "decided_at": "",
            "approver_label": "审批人员",
        },
    ),
    (
        "case.correction_requested",
        {"number": "TZ2026112400042", "items": ["补充户口簿首页", "照片为白底"], "deadline": "2026-12-10"},
    ),
    ("case.correction_requested", {"number": "TZ2026112400042", "items": [], "deadline": ""}),
    (
        "case.special_procedure",
        {
            "number": "TZ2026112400042",
            "kind": "hearing",
            "kind_label": "听证",
            "reason": "涉及相邻权利人",
            "expected_days": 15,
        },
    ),
    (
        "case.special_procedure",
        {"number": "TZ2026112400042", "kind": "", "kind_label": "", "reason": "", "expected_days": None},
    ),
    ("case.review_resumed", {"number": "TZ2026112400042", "promised_date": "2026-12-22"}),
    ("case.review_resumed", {"number": "TZ2026112400042", "promised_date": ""}),
    ("case.extended", {"number": "TZ2026112400042", "reason": "需征求意见", "days": 10, "promised_date": "2027-01-05"}),
    ("case.extended", {"number": "TZ2026112400042", "reason": "需现场核查", "days": 10, "promised_date": ""}),
    (
        "case.result_issued",
        {
            "number": "TZ2026112400042",
            "title": "社会保障卡",
            "licence_number": "RSJ-2026-TZ2026112400042",
            "verification_code": "CERTCODE2345",
            "issued_on": "2026-11-24",
            "valid_until": "",
            "issuer": "区人力资源和社会保障局",
            "delivery_method": "electronic",
        },
    ),
    (
        "case.result_issued",
        {
            "number": "TZ2026112400042",
            "title": "营业执照",
            "licence_number": "SCJ-2026-TZ2026112400042",
            "verification_code": "CERTCODE6789",
            "issued_on": "2026-11-24",
            "valid_until": "2031-11-24",
            "issuer": "区市场监督管理局",
            "delivery_method": "post",
        },
    ),
    ("case.withdrawn", {"number": "TZ2026112400042"}),
    ("case.withdraw_refused", {"number": "TZ2026112400042", "reason": "审批总后台已作出决定，不能撤回。"}),
    # Issue 13, front intake: the 容缺受理 commitment's follow-up.
    ("case.commitment_made", {"number": "TZ2026112400042", "items": ["户口簿", "健康证明"], "deadline": "2026-12-01"}),
    ("case.deferred_supplied", {"number": "TZ2026112400042", "items": ["户口簿"], "outstanding": ["健康证明"]}),
    ("case.deferred_supplied", {"number": "TZ2026112400042", "items": ["健康证明"], "outstanding": []}),
    (
        "case.commitment_broken",
        {"number": "TZ2026112400042", "outstanding": ["健康证明"], "deadline": "2026-12-01", "credit_recorded": True},
    ),
    ("case.review_suspended", {"number": "TZ2026112400042", "outstanding": ["健康证明"], "deadline": "2026-12-15"}),
    ("case.review_suspended", {"number": "TZ2026112400042", "outstanding": ["健康证明"], "deadline": ""}),
    (
        "case.originals_posted",
        {
            "number": "TZ2026112400042",
            "items": ["职工本人人事档案", "职工退休申请表"],
            "courier": "开发快递",
            "tracking_number": "DX20261207000001",
        },
    ),
]

# A part of a 一件事 bundle (issue 15, optional), then the ends central reaches on its own (issue 13, central).
WRITTEN_TODAY += [
    (
        "case.submitted",
        {  # a part of a 一件事 bundle (issue 15): the bundle with its parts and their dependency
            "number": "TZ2026112400044",
            "matter_code": "NB-HK",
            "matter_version": 1,
            "hall": "大厅",
            "applicant": {"name": "王小明", "id_number": "11010519491231002X"},
            "accepted_at": NOW,
            "promised_date": "2026-12-08",
            "commitment_items": [],
            "delivery_method": "electronic",
            "delivery_region": "",
            "bundle": {
                "id": "B7K2M9Q4X1",
                "code": "newborn",
                "name": "新生儿出生一件事",
                "parts": [
                    {"matter_code": "NB-HK", "matter_name": "户口登记", "after": "", "number": "TZ2026112400044"},
                    {"matter_code": "NB-YB", "matter_name": "医保参保登记", "after": "NB-HK", "number": ""},
                ],
            },
        },
    ),
    (
        "case.submitted",
        {  # issue 15: a company's case, filed by its 经办人 under a 委托书 (both fields optional)
            "number": "TZ2026112400045",
            "matter_code": "SCJ-001",
            "matter_version": 1,
            "hall": "大厅",
            "applicant": {"name": "北京云窗科技有限公司", "id_number": "91110108551385082Q", "kind": "company"},
            "accepted_at": NOW,
            "promised_date": "2026-12-08",
            "commitment_items": [],
            "delivery_method": "electronic",
            "delivery_region": "",
            "agent": {"name": "张丽", "id_masked": "110105********0014", "mandate": "WT2026112400001"},
        },
    ),
    (
        "case.submitted",
        {  # issue 15: a company's legal representative acts without a 委托书
            "number": "TZ2026112400046",
            "matter_code": "SCJ-001",
            "matter_version": 1,
            "hall": "大厅",
            "applicant": {"name": "北京云窗科技有限公司", "id_number": "91110108551385082Q", "kind": "company"},
            "accepted_at": NOW,
            "promised_date": "",
            "commitment_items": [],
            "delivery_method": "",
            "delivery_region": "",
            "agent": {"name": "欧阳晓雯", "id_masked": "110105********002X", "mandate": ""},
        },
    ),
    ("case.transferred", {"number": "TZ2026112400042", "department": "区民政局", "reason": "属民政部门职责"}),
    ("case.voided", {"number": "TZ2026112400042", "reason": "重复报送"}),
    ("case.closed_no_correction", {"number": "TZ2026112400042", "deadline": "2026-12-10"}),
    ("case.closed_no_correction", {"number": "TZ2026112400042", "deadline": ""}),
    # Remote virtual window (issue 14): apps/central/remote/services/sessions.py and apps/front/remote/services/.
    (
        "remote.concluded",
        {
            "session": "0b0e3f6e-8a52-4a55-9d8e-6f0c6a3c1d2e",
            "outcome": "accepted",
            "staff": {"username": "approver", "name": "刘洋", "department": "北京市通州区人力资源和社会保障局"},
            "concluded_at": NOW,
            "items": [],
            "reason": "",
            "refer_to": "",
            "identity_note": "远程核验身份：视频中本人与证件照片一致",
            "form": {"phone": "13800001111", "statement": "首次申领"},
            "history": [
                {
                    "at": NOW,
                    "actor": "1号自助服务终端",
                    "note": "北京城市副中心政务服务中心 1号自助服务终端 发起远程视频服务（申请人已同意记录）",
                }
            ],
        },
    ),
    (
        "remote.concluded",
        {
            "session": "0b0e3f6e-8a52-4a55-9d8e-6f0c6a3c1d2e",
            "outcome": "refused",
            "staff": {"username": "approver", "name": "刘洋", "department": "人社局"},
            "concluded_at": NOW,
            "items": [],
            "reason": "不属于本部门职权范围",
            "refer_to": "区民政局",
            "identity_note": "",
            "form": {},
            "history": [],
        },
    ),
    (
        "remote.ended",
        {
            "session": "0b0e3f6e-8a52-4a55-9d8e-6f0c6a3c1d2e",
            "ending": "unanswered",
            "ended_at": NOW,
            "note": "无人应答，已为申请人登记咨询工单，工作人员将回电联系。",
        },
    ),
    (
        "remote.case_opened",
        {
            "session": "0b0e3f6e-8a52-4a55-9d8e-6f0c6a3c1d2e",
            "number": "TZ2026112400042",
            "status": "accepted",
            "documents": [{"kind": "receipt", "verification_code": "ABCD2345EFGH"}],
        },
    ),
    # Shared licences (issue 16): central → every platform given the licence.
    (
        "licence.revoked",
        {
            "number": "RSJ-2026-TZ2026112400042",
            "verification_code": "ABCD2345EFGH",
            "revoked_on": "2026-12-07",
            "reason": "以欺骗手段取得",
        },
    ),
]

# Shorter shapes the receivers have always taken (the tests' hand-made messages, older producers): they
# validate, with the defaults the handlers used to apply.
ACCEPTED_TODAY: list[tuple[str, dict]] = [
    (
        "case.submitted",
        {  # tests/central/test_review.py: no commitment items, no delivery choice
            "number": "TZ2026112400001",
            "matter_code": "RSJ-001",
            "matter_version": 1,
            "hall": "大厅",
            "applicant": {"name": "王小明", "id_number": "11010519491231002X"},
            "accepted_at": NOW,
            "promised_date": "2026-12-08",
        },
    ),
    (
        "case.submitted",
        {  # tests/faults/casefactory.py before this contract
            "number": "TZ2026112400002",
            "matter_code": "RSJ-001",
            "matter_version": 1,
            "hall": "大厅",
            "applicant": {"name": "王小明", "id_number": "11010519491231002X"},
            "accepted_at": NOW,
            "promised_date": "2026-12-08",
            "commitment_items": [],
        },
    ),
    (
        "case.submitted",
        {  # an unreadable method: central takes it as the e-licence and notes it
            "number": "TZ2026112400003",
            "matter_code": "RSJ-001",
            "matter_version": 1,
            "hall": "大厅",
            "applicant": {"name": "王小明", "id_number": "11010519491231002X"},
            "accepted_at": NOW,
            "promised_date": "2026-12-08",
            "delivery_method": "drone",
            "delivery_region": "北京市通州区",
        },
    ),
    ("case.decided", {"number": "TZ2026112400042", "decision": "approved", "reason": "材料齐全", "decided_at": NOW}),
    (
        "case.delivered",
        {"number": "TZ2026112400042", "method": "pickup", "delivered_at": NOW, "tracking_number": "SF123"},
    ),
    (
        "case.result_issued",
        {  # before the delivery choice travelled back
            "number": "TZ2026112400042",
            "title": "社会保障卡",
            "licence_number": "L-1",
            "verification_code": "C1",
            "issued_on": "2026-11-24",
            "valid_until": "",
            "issuer": "区人力资源和社会保障局",
        },
    ),
]


def parse(kind: str, data: dict) -> contract.WirePayload:
    return contract.payload_parse(contract.payload_class(kind, 1), data)


def test_it_has_a_version_one_class_for_every_kind():
    assert {kind for kind, version in contract.PAYLOADS if version == 1} == set(MessageKind)
    assert all(key == (cls.KIND, cls.SCHEMA_VERSION) for key, cls in contract.PAYLOADS.items())
    # Every kind a producer writes today is covered by the shapes above.
    assert {kind for kind, _ in WRITTEN_TODAY} == {str(kind) for kind in MessageKind}


@pytest.mark.parametrize(("kind", "data"), WRITTEN_TODAY, ids=[k for k, _ in WRITTEN_TODAY])
def test_it_takes_what_the_producers_write_today_and_writes_it_back_unchanged(kind, data):
    payload = parse(kind, data)
    assert payload.to_wire() == data


@pytest.mark.parametrize(("kind", "data"), ACCEPTED_TODAY, ids=[k for k, _ in ACCEPTED_TODAY])
def test_it_takes_the_shorter_shapes_the_receivers_always_took(kind, data):
    parse(kind, data)


def test_handlers_read_typed_values():
    decided = parse("case.decided", WRITTEN_TODAY[12][1])
    assert isinstance(decided, contract.CaseDecided)
    assert decided.decision == contract.Decision.DENIED
    assert decided.decided_at == dt.datetime(2026, 11, 24, 1, 30, 0, 123456, tzinfo=dt.UTC)
    no_date = parse("case.review_resumed", {"number": "TZ1", "promised_date": ""})
    assert no_date.promised_date is None and "promised_date" in no_date.model_fields_set  # "" = 待定
    unchanged = parse("case.review_resumed", {"number": "TZ1"})
    assert "promised_date" not in unchanged.model_fields_set  # absent = keep the front's date
    assert (
        "tracking_number"
        not in contract.CaseDelivered(
            number="TZ1", method=contract.DeliveryMethod.PICKUP, delivered_at=dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
        ).to_wire()
    )


def test_the_agent_and_the_applicants_kind_are_optional_and_absent_when_unset():
    """Issue 15: a message written before them (a person applying alone) reads as one, and writes back unchanged."""
    before = parse("case.submitted", WRITTEN_TODAY[0][1])
    assert isinstance(before, contract.CaseSubmitted) and before.agent is None and before.applicant.kind is None
    assert "agent" not in before.to_wire() and "kind" not in before.to_wire()["applicant"]
    company = parse("case.submitted", next(d for k, d in WRITTEN_TODAY if d.get("number") == "TZ2026112400045"))
    assert isinstance(company, contract.CaseSubmitted)
    assert company.applicant.kind == "company" and company.agent is not None
    assert (company.agent.name, company.agent.mandate) == ("张丽", "WT2026112400001")


@pytest.mark.parametrize(
    ("kind", "data", "names"),
    [
        ("case.delivered", {"number": "TZ1", "method": "drone", "delivered_at": "yesterday"}, ["领取方式", "送达时间"]),
        ("case.decided", {"number": "TZ1", "decision": "maybe", "decided_at": NOW}, ["审批决定"]),
        (
            "case.decided",
            {"number": "TZ1", "decision": "approved", "decided_at": "2026-11-24T09:30:00"},
            ["决定时间"],
        ),  # no zone
        ("case.review_started", {}, ["办件编号"]),
        ("case.review_started", {"number": ""}, ["办件编号"]),
        ("case.withdrawn", {"number": "TZ1", "numbr": "TZ1"}, ["numbr"]),
        ("case.submitted", {"number": "TZ1"}, ["事项编码", "申请人"]),
        (
            "case.submitted",
            {
                "number": "TZ1",
                "matter_code": "NB-HK",
                "matter_version": 1,
                "accepted_at": NOW,
                "applicant": {"name": "王小明", "id_number": "11010519491231002X"},
                "bundle": {"id": "", "code": "newborn", "name": "新生儿出生一件事", "parts": []},
            },
            ["bundle.id", "bundle.parts"],
        ),
        (  # issue 15: the agent's ID number only ever masked; the applicant's kind only "company" (absent: a person)
            "case.submitted",
            {
                "number": "TZ1",
                "matter_code": "SCJ-001",
                "matter_version": 1,
                "accepted_at": NOW,
                "applicant": {"name": "王小明", "id_number": "11010519491231002X", "kind": "person"},
                "agent": {"name": "张丽", "id_masked": "11010519491231002X"},
            },
            ["applicant.kind", "agent.id_masked"],
        ),
        (
            "case.correction_requested",
            {"number": "TZ1", "items": "补充户口簿", "deadline": "2026-13-01"},
            ["补正事项", "补正期限"],
        ),
    ],
)
def test_it_refuses_a_payload_off_its_schema_with_the_fields_named(kind, data, names):
    with pytest.raises(contract.InvalidPayload) as refused:
        parse(kind, data)
    reason = str(refused.value)
    assert reason.startswith(f"报文 {kind} v1 内容不符合约定：")
    assert all(name in reason for name in names), reason


def test_it_knows_no_other_kind_or_version():
    with pytest.raises(contract.UnknownMessage) as kind:
        contract.payload_class("case.unheard_of", 1)
    assert kind.value.code == "unknown_kind" and "case.unheard_of" in kind.value.detail
    for version in (2, 0, "1", None, True):
        with pytest.raises(contract.UnknownMessage) as refused:
            contract.payload_class("case.decided", version)
        assert refused.value.code == "unknown_version"


def test_a_payload_is_frozen_once_built():
    payload = contract.CaseWithdrawn(number="TZ1")
    with pytest.raises(ValidationError):
        payload.number = ""  # type: ignore[misc] - the point: it cannot be changed after validation


# --- Sending ----------------------------------------------------------------------------------------


@pytest.fixture
def peer(db):
    return Peer.objects.create(code="peer", name="对端", base_url="http://127.0.0.1:9")


def test_a_producer_cannot_build_an_invalid_payload():
    with pytest.raises(ValidationError):
        contract.CaseDecided(number="TZ1", decision="maybe", decided_at=None)  # type: ignore[arg-type]


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydantic warns when dumping the unvalidated enum value
def test_enqueue_refuses_an_invalid_payload_inside_the_callers_transaction(peer):
    # model_construct skips validation, as a payload patched after the fact would: the read-back refuses it.
    unchecked = contract.CaseDecided.model_construct(number="TZ1", decision="maybe", decided_at=None)
    with pytest.raises(contract.InvalidPayload, match="审批决定"), transaction.atomic():
        Peer.objects.create(code="change", name="the change the message reports", base_url="http://127.0.0.1:9")
        outbox_enqueue(peer=peer, payload=unchecked)
    # Nothing half-written: neither the message nor the change it would have reported.
    assert not OutboxMessage.objects.exists()
    assert not Peer.objects.filter(code="change").exists()
    with pytest.raises(TypeError), transaction.atomic():
        outbox_enqueue(peer=peer, payload={"number": "TZ1"})  # type: ignore[arg-type] - a dict is not a payload
    assert not OutboxMessage.objects.exists()


def test_enqueue_writes_the_kind_version_and_wire_form(peer):
    with transaction.atomic():
        message = outbox_enqueue(
            peer=peer, payload=contract.CaseExtended(number="TZ1", reason="需征求意见", days=10, promised_date=None)
        )
    message.refresh_from_db()
    assert (message.kind, message.schema_version, message.ordering_key) == ("case.extended", 1, "TZ1")
    assert message.payload == {"number": "TZ1", "reason": "需征求意见", "days": 10, "promised_date": ""}


def test_version_one_goes_unnamed_so_an_old_message_resends_byte_for_byte(peer):
    # A row written before versions existed (schema_version defaults to 1) makes the body it always made.
    old = OutboxMessage.objects.create(peer=peer, kind="case.withdrawn", payload={"number": "TZ1"}, actor="")
    assert (
        build_body(old)
        == (f'{{"actor":"","files":[],"id":"{old.id}","kind":"case.withdrawn","payload":{{"number":"TZ1"}}}}').encode()
    )
    newer = OutboxMessage.objects.create(peer=peer, kind="case.withdrawn", schema_version=2, payload={"number": "TZ1"})
    assert b'"schema_version":2' in build_body(newer)
