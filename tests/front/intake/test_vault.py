"""数据共享、信息复用: evidence the government already holds is offered instead of asked for again."""

import pytest
from django.test import Client

from apps.front.intake.models import Case, CaseMaterial, EvidenceItem, TrustLevel
from apps.front.intake.selectors import evidence_for_matter
from tests.journey_helpers import PNG, shift_slot_to_now, upload
from tests.personas_front import TERMINAL_TOKEN, make_slot


def call_ticket(api, citizen, clerk, hall, matter, hour):
    slot = make_slot(hall, hour=hour)
    code = (
        api(citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .json()["code"]
    )
    shift_slot_to_now(slot.id)
    api(None).post(
        "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    return api(clerk).post("/api/v1/workbench/call-next/").json()


@pytest.fixture
def id_card(matter):
    return matter.materials.get(name="居民身份证")


@pytest.mark.django_db
def test_it_keeps_checked_materials_and_offers_them_next_time(
    api, citizen, clerk, hall, matter, terminal, central_peer, id_card
):
    first = call_ticket(api, citizen, clerk, hall, matter, 9)
    api(clerk).post(
        f"/api/v1/workbench/tickets/{first['id']}/accept/",
        {f"material_{id_card.id}": upload("id.png", PNG)},
        format="multipart",
    )
    [evidence] = EvidenceItem.objects.filter(citizen=citizen)
    assert evidence.trust_level == TrustLevel.B and evidence.name == "居民身份证"
    assert evidence_for_matter(citizen=citizen, matter=matter) == {id_card.id: [evidence]}

    # Next case of the same matter (the first appointment is completed): no new scan, the vault item is reused.
    second = call_ticket(api, citizen, clerk, hall, matter, 10)
    page = Client()
    page.force_login(clerk)
    assert "复用已有材料" in page.get(f"/workbench/tickets/{second['id']}/").content.decode()
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{second['id']}/accept/",
        {"vault_consent": "true", f"reuse_{id_card.id}": str(evidence.id)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    reused = CaseMaterial.objects.get(case__number=response.json()["number"])
    assert reused.reused_from == evidence and reused.sha256 == evidence.sha256 and reused.trust_level == TrustLevel.B
    assert EvidenceItem.objects.filter(citizen=citizen).count() == 1


@pytest.mark.django_db
def test_it_uses_a_citizen_upload_only_after_the_original_is_checked(
    api, citizen, clerk, hall, matter, terminal, central_peer, id_card
):
    item = EvidenceItem.objects.create(
        citizen=citizen,
        name="居民身份证",
        trust_level=TrustLevel.C,
        file="vault/x.png",
        content_type="image/png",
        size=10,
        sha256="c" * 64,
    )
    ticket = call_ticket(api, citizen, clerk, hall, matter, 9)
    unchecked = api(clerk).post(
        f"/api/v1/workbench/tickets/{ticket['id']}/accept/",
        {"vault_consent": "true", f"reuse_{id_card.id}": str(item.id)},
        format="multipart",
    )
    assert unchecked.status_code == 422 and unchecked.json()["code"] == "original_unchecked"
    checked = api(clerk).post(
        f"/api/v1/workbench/tickets/{ticket['id']}/accept/",
        {"vault_consent": "true", f"reuse_{id_card.id}": str(item.id), f"original_checked_{item.id}": "true"},
        format="multipart",
    )
    assert checked.status_code == 201, checked.content
    item.refresh_from_db()
    assert item.trust_level == TrustLevel.B and item.verified_by == clerk


@pytest.mark.django_db
def test_it_never_reuses_another_citizens_evidence(
    api, citizen, other_citizen, clerk, hall, matter, terminal, central_peer, id_card
):
    theirs = EvidenceItem.objects.create(
        citizen=other_citizen,
        name="居民身份证",
        trust_level=TrustLevel.A,
        file="vault/y.png",
        content_type="image/png",
        size=10,
        sha256="d" * 64,
    )
    ticket = call_ticket(api, citizen, clerk, hall, matter, 9)
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{ticket['id']}/accept/",
        {"vault_consent": "true", f"reuse_{id_card.id}": str(theirs.id)},
        format="multipart",
    )
    assert response.status_code == 422 and response.json()["code"] == "wrong_evidence"
    assert not CaseMaterial.objects.exists()


@pytest.mark.django_db
def test_it_passes_uploads_through_the_scanner_hook(
    settings, api, citizen, clerk, hall, matter, terminal, central_peer, id_card
):
    settings.UPLOAD_SCANNER = "tests.front.intake.test_vault.refuse_everything"
    ticket = call_ticket(api, citizen, clerk, hall, matter, 9)
    response = api(clerk).post(
        f"/api/v1/workbench/tickets/{ticket['id']}/accept/", {f"material_{id_card.id}": upload()}, format="multipart"
    )
    assert response.status_code == 422 and response.json()["code"] == "file_rejected"
    assert "EICAR" in response.json()["detail"]


def refuse_everything(content: bytes, name: str) -> None:
    raise ValueError("EICAR-Test-Signature")


@pytest.mark.django_db
def test_it_starts_at_the_window_from_what_was_filed_online(
    api, citizen, other_citizen, clerk, hall, matter, terminal, central_peer, id_card
):
    slot = make_slot(hall, hour=9)
    code = (
        api(citizen)
        .post("/api/v1/appointments/", {"slot": slot.id, "matter": matter.code}, format="json")
        .json()["code"]
    )
    assert (
        api(other_citizen)
        .post(f"/api/v1/appointments/{code}/prefile/", {f"material_{id_card.id}": upload()}, format="multipart")
        .status_code
        == 404
    )
    filed = api(citizen).post(
        f"/api/v1/appointments/{code}/prefile/", {f"material_{id_card.id}": upload()}, format="multipart"
    )
    assert filed.status_code == 201, filed.content
    assert filed.json()["status"] == "submitted" and len(filed.json()["query_password"]) == 6
    number = filed.json()["number"]
    assert CaseMaterial.objects.get(case__number=number).trust_level == TrustLevel.C
    # At the window: the clerk sees the pre-filed materials and accepts without a new scan.
    shift_slot_to_now(slot.id)
    api(None).post(
        "/api/v1/terminal/checkin/", {"code": code}, format="json", HTTP_AUTHORIZATION=f"Terminal {TERMINAL_TOKEN}"
    )
    ticket = api(clerk).post("/api/v1/workbench/call-next/").json()
    page = Client()
    page.force_login(clerk)
    assert "申请人已在线预填" in page.get(f"/workbench/tickets/{ticket['id']}/").content.decode()
    accepted = api(clerk).post(f"/api/v1/workbench/tickets/{ticket['id']}/accept/", {}, format="multipart")
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["number"] == number and accepted.json()["status"] == "accepted"
    assert CaseMaterial.objects.get(case__number=number).trust_level == TrustLevel.B
    assert [e.to_status for e in Case.objects.get(number=number).events.all()] == [
        "submitted",
        "received",
        "accepted",
    ]
    # Once received, the citizen can no longer change it online.
    late = api(citizen).post(
        f"/api/v1/appointments/{code}/prefile/", {f"material_{id_card.id}": upload()}, format="multipart"
    )
    assert late.status_code == 409


@pytest.mark.django_db
def test_level_d_is_gone_and_old_rows_of_it_are_checked_as_uploads(citizen):
    """Issue 13: "self-made, on the citizen's commitment" is no reusable evidence (a commitment belongs to one
    application: 容缺受理); the migration makes any such row C, to be checked against the original before use."""
    import importlib

    from django.apps import apps as registry

    assert TrustLevel.values == ["A", "B", "C"]
    item = EvidenceItem.objects.create(
        citizen=citizen,
        name="情况说明",
        trust_level="D",
        file="vault/x.pdf",
        content_type="application/pdf",
        size=1,
        sha256="d" * 64,
    )
    importlib.import_module("apps.front.intake.migrations.0009_held_cases_deemed_acceptance_commitments").forward(
        registry, None
    )
    item.refresh_from_db()
    assert item.trust_level == TrustLevel.C
