"""Online applications' fixtures: a zero-trip matter applied for fully online, with a form; a depth Ⅲ matter
that needs one visit for an original; an application submitted through the API."""

from __future__ import annotations

import hashlib

import pytest

from apps.front.booking.models import GroupMatter
from apps.front.intake.models import EvidenceItem, TrustLevel
from apps.shared.catalog.models import Bundle, BundleItem, Department, FieldKind, Material, Matter, MatterField
from tests.factories import make_user
from tests.journey_helpers import PDF, upload


def make_online_matter(hall, *, code: str = "ON-001", depth: int = 4, trips: int = 0, name: str = "失业登记") -> Matter:
    department = Department.objects.get_or_create(code="RSJ", defaults={"name": "区人力资源和社会保障局"})[0]
    matter = Matter.objects.create(
        code=code,
        name=name,
        department=department,
        promised_days=5,
        legal_days=20,
        online_depth=depth,
        trips=trips,
        trips_reason="须到大厅核验原件" if trips else "",
        channels=["online"] if depth == 4 else ["window", "online"],
        e_licence=True,
        result_kind="certificate",
        result_name="就业失业登记证明",
    )
    Material.objects.create(
        matter=matter, position=1, key="id-card", name="居民身份证", source="government", issuer="公安机关"
    )
    Material.objects.create(matter=matter, position=2, key="proof", name="解除劳动关系证明", required=True)
    Material.objects.create(matter=matter, position=3, key="photo", name="近期免冠照片", required=False)
    MatterField.objects.create(matter=matter, position=1, key="employer", label="原工作单位名称", kind=FieldKind.TEXT)
    MatterField.objects.create(matter=matter, position=2, key="left-on", label="离职日期", kind=FieldKind.DATE)
    MatterField.objects.create(
        matter=matter,
        position=3,
        key="reason",
        label="失业原因",
        kind=FieldKind.CHOICE,
        choices=["合同期满", "本人辞职"],
    )
    MatterField.objects.create(matter=matter, position=4, key="seeking", label="有求职意愿", kind=FieldKind.YES_NO)
    GroupMatter.objects.create(group=hall.groups.get(), matter_code=matter.code)
    return matter


ANSWERS = {"employer": "通州某科技公司", "left-on": "2026-01-31", "reason": "合同期满", "seeking": True}


@pytest.fixture
def online_matter(hall):
    return make_online_matter(hall)


@pytest.fixture
def visit_matter(hall):
    """Online depth Ⅲ: received online, one visit to have an original checked."""
    return make_online_matter(hall, code="ON-003", depth=3, trips=1, name="居住证签注")


@pytest.fixture
def id_card_evidence(citizen):
    """The citizen's electronic ID card, issued by government (level A), in the vault."""
    return EvidenceItem.objects.create(
        citizen=citizen,
        name="居民身份证",
        trust_level=TrustLevel.A,
        issuer="公安机关",
        file="vault/e-id.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=hashlib.sha256(b"e-id").hexdigest(),
    )


def start(api, user, matter, status: int = 201) -> dict:
    response = api(user).post("/api/v1/online/applications/", {"matter": matter.code}, format="json")
    assert response.status_code == status, response.content
    return response.json()


def fill(api, user, code: str, *, files=("id-card", "proof"), answers=ANSWERS) -> dict:
    response = api(user).patch(f"/api/v1/online/applications/{code}/", {"form_values": answers}, format="json")
    assert response.status_code == 200, response.content
    for key in files:
        sent = api(user).post(
            f"/api/v1/online/applications/{code}/files/",
            {"material": key, "file": upload(f"{key}.pdf", PDF, "application/pdf")},
            format="multipart",
        )
        assert sent.status_code == 201, sent.content
    return response.json()


def submit(api, user, code: str, status: int = 201, **extra) -> dict:
    response = api(user).post(
        f"/api/v1/online/applications/{code}/submit/", {"declaration": True, **extra}, format="json"
    )
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def submitted(api, citizen, online_matter, central_peer):
    """An application submitted through the API: its case is received at the hall, awaiting pre-review."""
    code = start(api, citizen, online_matter)["code"]
    fill(api, citizen, code)
    return submit(api, citizen, code)


# --- 一件事: the newborn bundle ---------------------------------------------------------------------------------


def make_bundle_matter(hall, code, name, keys, fields=("child-name",)) -> Matter:
    department = Department.objects.get_or_create(code="RSJ", defaults={"name": "区人力资源和社会保障局"})[0]
    matter = Matter.objects.create(
        code=code,
        name=name,
        department=department,
        promised_days=5,
        legal_days=20,
        online_depth=4,
        trips=0,
        channels=["online"],
    )
    for i, (key, label) in enumerate(keys, start=1):
        Material.objects.create(matter=matter, position=i, key=key, name=label)
    for i, key in enumerate(fields, start=1):
        kind = FieldKind.DATE if key == "birth-date" else FieldKind.TEXT
        label = {"child-name": "新生儿姓名", "birth-date": "出生日期", "bank": "开户银行"}[key]
        MatterField.objects.create(matter=matter, position=i, key=key, label=label, kind=kind)
    GroupMatter.objects.create(group=hall.groups.get(), matter_code=matter.code)
    return matter


@pytest.fixture
def newborn(hall):
    """户口 first; 医保 after it; 社保卡 in parallel with 户口."""
    make_bundle_matter(
        hall,
        "NB-HK",
        "户口登记",
        [("birth-certificate", "出生医学证明"), ("household-register", "居民户口簿")],
        ("child-name", "birth-date"),
    )
    make_bundle_matter(hall, "NB-YB", "医保参保登记", [("household-register", "居民户口簿或居住证")])
    make_bundle_matter(hall, "NB-SB", "社会保障卡申领", [("photo", "近期免冠照片")], ("child-name", "bank"))
    bundle = Bundle.objects.create(code="newborn", name="新生儿出生一件事", life_event="birth")
    BundleItem.objects.create(bundle=bundle, position=1, matter_code="NB-HK")
    BundleItem.objects.create(bundle=bundle, position=2, matter_code="NB-YB", after="NB-HK")
    BundleItem.objects.create(bundle=bundle, position=3, matter_code="NB-SB")
    return bundle


# --- People acting for others (as tests/front/mandates/conftest.py) ---------------------------------------


@pytest.fixture
def agent(db):
    """The person who acts for others (代办人 / 经办人)."""
    return make_user("agent", real_name="张丽", phone="13711114444")


@pytest.fixture
def stranger(db):
    return make_user("stranger", real_name="赵六", phone="13611116666")


@pytest.fixture
def representative(db):
    return make_user("rep", real_name="欧阳晓雯", phone="13922223333")
