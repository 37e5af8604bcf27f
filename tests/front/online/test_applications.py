"""A verified citizen applies online (网上申报, issue 15; DOMAIN.md §9): for a matter that allows it (online depth
Ⅲ/Ⅳ), at a hall that receives it; the form's answers checked on the server; uploads checked like a window's
scans; what government already holds taken from the vault only with the applicant's consent; a draft saved and
resumed; the submission received by the hall as a case (Art. 32's five working days run from it); nobody sees
another person's application."""

from __future__ import annotations

import pytest

from apps.front.delivery.models import Delivery
from apps.front.intake.models import Case, CaseChannel, CaseStatus, TrustLevel
from apps.front.notifications.models import Notification
from apps.front.online.models import ApplicationFile, OnlineApplication
from apps.shared.catalog.services import matter_draft_from, matter_save
from apps.shared.privacy.consents import text_of
from apps.shared.privacy.models import Consent
from govservice.api import Conflict
from govservice.lib.masking import mask_id_public
from tests.factories import make_matter, make_user
from tests.front.delivery.conftest import pdf_text
from tests.journey_helpers import PDF, upload

from .conftest import ANSWERS, fill, start, submit

pytestmark = pytest.mark.django_db


class TestStarting:
    def test_a_draft_is_started_once_and_resumed(self, api, citizen, online_matter):
        first = start(api, citizen, online_matter)
        assert first["is_draft"] and first["editable"] and first["hall_name"] == "北京城市副中心政务服务中心"
        assert [f["key"] for f in first["form"]] == ["employer", "left-on", "reason", "seeking"]
        again = start(api, citizen, online_matter, status=200)
        assert again["code"] == first["code"] and OnlineApplication.objects.count() == 1

    def test_only_a_matter_applied_for_online_and_only_a_verified_citizen(self, api, citizen, hall, clerk):
        window_only = make_matter("W-001")  # online depth Ⅱ: pre-filing for a visit, no online application
        refused = api(citizen).post("/api/v1/online/applications/", {"matter": window_only.code}, format="json")
        assert refused.status_code == 422 and refused.json()["code"] == "not_online"
        unknown = api(citizen).post("/api/v1/online/applications/", {"matter": "NOPE"}, format="json")
        assert unknown.status_code == 404
        unverified = make_user("fresh", verified=False)
        assert (
            api(unverified)
            .post("/api/v1/online/applications/", {"matter": window_only.code}, format="json")
            .status_code
            == 403
        )
        assert api(clerk).get("/api/v1/online/applications/").status_code == 403

    def test_english_when_asked(self, api, citizen):
        window_only = make_matter("W-002")
        refused = api(citizen).post(
            "/api/v1/online/applications/", {"matter": window_only.code}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert refused.json()["detail"].startswith("This matter cannot be applied for online")


class TestTheDraft:
    def test_answers_are_checked_and_a_wrong_one_saves_nothing(self, api, citizen, online_matter):
        code = start(api, citizen, online_matter)["code"]
        good = api(citizen).patch(
            f"/api/v1/online/applications/{code}/", {"form_values": {"employer": "某公司"}}, format="json"
        )
        assert good.status_code == 200 and good.json()["form_values"] == {"employer": "某公司"}
        bad = api(citizen).patch(
            f"/api/v1/online/applications/{code}/",
            {"form_values": {"employer": "另一家", "left-on": "31/01/2026", "reason": "被辞退", "salary": "1"}},
            format="json",
        )
        assert bad.status_code == 400 and bad.json()["code"] == "form_invalid"
        assert set(bad.json()["errors"]) == {"left-on", "reason", "salary"}
        assert OnlineApplication.objects.get(code=code).form_values == {"employer": "某公司"}

    def test_uploads_are_checked_like_a_windows_scans(self, api, citizen, online_matter, settings):
        code = start(api, citizen, online_matter)["code"]
        url = f"/api/v1/online/applications/{code}/files/"
        renamed = api(citizen).post(
            url,
            {"material": "proof", "file": upload("proof.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")},
            format="multipart",
        )
        assert renamed.status_code == 422 and renamed.json()["code"] == "file_type"
        settings.UPLOAD_MAX_BYTES = 32
        big = api(citizen).post(
            url, {"material": "proof", "file": upload("proof.pdf", PDF, "application/pdf")}, format="multipart"
        )
        assert big.status_code == 422 and big.json()["code"] == "file_too_large"
        settings.UPLOAD_MAX_BYTES = 20 * 1024 * 1024
        wrong = api(citizen).post(url, {"material": "nope", "file": upload()}, format="multipart")
        assert wrong.status_code == 422 and wrong.json()["code"] == "wrong_material"
        done = api(citizen).post(
            url, {"material": "proof", "file": upload("证明.pdf", PDF, "application/pdf")}, format="multipart"
        )
        assert done.status_code == 201 and done.json()["content_type"] == "application/pdf"
        stored = ApplicationFile.objects.get()
        # Encrypted at rest (the storage's own); the owner reads it back in clear.
        assert stored.file.storage.open(stored.file.name).read() == PDF
        with open(stored.file.path, "rb") as raw:
            assert raw.read() != PDF
        back = api(citizen).get(f"{url}{stored.id}/")
        assert back.status_code == 200 and b"".join(back.streaming_content) == PDF
        assert api(citizen).delete(f"{url}{stored.id}/").status_code == 204 and not ApplicationFile.objects.exists()

    def test_the_checklist_marks_what_government_holds_as_no_need_to_submit(
        self, api, citizen, online_matter, id_card_evidence
    ):
        code = start(api, citizen, online_matter)["code"]
        checklist = {
            item["key"]: item for item in api(citizen).get(f"/api/v1/online/applications/{code}/").json()["checklist"]
        }
        assert checklist["id-card"]["state"] == "held" and checklist["id-card"]["no_need_to_submit"]
        assert checklist["id-card"]["evidence"] == {"name": "居民身份证", "trust_level": "A", "issuer": "公安机关"}
        assert checklist["proof"]["state"] == "missing" and checklist["photo"]["state"] == "optional"

    def test_a_c_level_copy_is_never_taken_without_a_clerk(self, api, citizen, online_matter, id_card_evidence):
        id_card_evidence.trust_level = TrustLevel.C
        id_card_evidence.save()
        code = start(api, citizen, online_matter)["code"]
        checklist = {
            item["key"]: item for item in api(citizen).get(f"/api/v1/online/applications/{code}/").json()["checklist"]
        }
        assert checklist["id-card"]["state"] == "missing"

    def test_a_draft_follows_its_matter_to_a_new_version_keeping_its_answers_by_key(self, api, citizen, online_matter):
        code = start(api, citizen, online_matter)["code"]
        fill(api, citizen, code, files=("proof",))
        draft = matter_draft_from(online_matter)
        draft.fields[0].label = "原用人单位名称"
        draft.fields = [f for f in draft.fields if f.key != "seeking"]
        v2, _ = matter_save(draft=draft)
        detail = api(citizen).patch(f"/api/v1/online/applications/{code}/", {"form_values": {}}, format="json").json()
        assert detail["matter_version"] == v2.version == 2
        assert detail["form"][0]["label"] == "原用人单位名称"
        assert detail["form_values"] == {k: v for k, v in ANSWERS.items() if k != "seeking"}
        assert {item["key"]: item["state"] for item in detail["checklist"]}["proof"] == "uploaded"

    def test_a_draft_is_discarded_with_its_files(self, api, citizen, online_matter):
        code = start(api, citizen, online_matter)["code"]
        fill(api, citizen, code, files=("proof",))
        name = ApplicationFile.objects.get().file.name
        assert api(citizen).delete(f"/api/v1/online/applications/{code}/").status_code == 204
        assert not OnlineApplication.objects.exists()
        assert not ApplicationFile._meta.get_field("file").storage.exists(name)


class TestSubmitting:
    def test_everything_missing_is_named_at_once_and_nothing_is_received(
        self, api, citizen, online_matter, central_peer
    ):
        code = start(api, citizen, online_matter)["code"]
        undeclared = api(citizen).post(
            f"/api/v1/online/applications/{code}/submit/", {"declaration": False}, format="json"
        )
        assert undeclared.status_code == 422 and undeclared.json()["code"] == "declaration_required"
        incomplete = submit(api, citizen, code, status=422)
        assert incomplete["code"] == "form_incomplete" and set(incomplete["errors"]) == {
            "employer",
            "left-on",
            "reason",
            "seeking",
        }
        fill(api, citizen, code, files=())
        missing = submit(api, citizen, code, status=422)
        assert (
            missing["code"] == "materials_missing"
            and "居民身份证" in missing["detail"]
            and "解除劳动关系证明" in missing["detail"]
        )
        assert not Case.objects.exists()

    def test_the_hall_receives_it_as_a_case_and_the_limits_run_from_submission(
        self, api, citizen, online_matter, central_peer
    ):
        code = start(api, citizen, online_matter)["code"]
        fill(api, citizen, code)
        done = submit(api, citizen, code)
        assert len(done["query_password"]) == 6 and not done["is_draft"] and not done["editable"]
        case = Case.objects.get(number=done["case"]["number"])
        assert (case.status, case.channel, case.citizen, case.matter) == (
            CaseStatus.RECEIVED,
            CaseChannel.ONLINE,
            citizen,
            online_matter,
        )
        assert case.intake_deadline is not None and case.prereview_deadline is not None
        assert case.prereview_deadline <= case.intake_deadline
        # The uploads, C-level (no original seen), and the application form generated from the answers.
        materials = {m.name: m for m in case.materials.all()}
        assert set(materials) == {"居民身份证", "解除劳动关系证明", "网上申请表"}
        assert {m.trust_level for m in materials.values()} == {TrustLevel.C}
        assert materials["网上申请表"].content_type == "application/pdf"
        assert materials["网上申请表"].file.open("rb").read().startswith(b"%PDF")
        # The uploads are the case's now: the same stored files, no longer removable from the application.
        assert all(f.case_material is not None for f in ApplicationFile.objects.all())
        # The result comes back electronically by default, chosen on the case (told to central with it).
        assert Delivery.objects.get(case=case).method == "electronic"
        assert Notification.objects.filter(recipient=citizen, event="case.submitted_online", channel="inbox").exists()
        # Submitted is final: not editable, not submitted twice, not discarded.
        again = api(citizen).post(f"/api/v1/online/applications/{code}/submit/", {"declaration": True}, format="json")
        assert again.status_code == 409 and again.json()["code"] == "invalid_state"
        assert (
            api(citizen)
            .patch(f"/api/v1/online/applications/{code}/", {"form_values": {"employer": "x"}}, format="json")
            .status_code
            == 409
        )
        assert api(citizen).delete(f"/api/v1/online/applications/{code}/").status_code == 409
        assert Case.objects.count() == 1

    def test_the_form_names_the_applicant_by_the_masked_id_and_carries_the_answers(self, citizen, submitted):
        """As a remote session's form does (tests/front/remote/test_shared_form.py): apps/front/online/form_pdf.py
        makes both."""
        form = Case.objects.get(number=submitted["case"]["number"]).materials.get(name="网上申请表")
        text = pdf_text(form.file.open("rb").read())
        assert "王小明" in text and mask_id_public(citizen.id_number) in text and citizen.id_number not in text
        assert "失业登记网上申请表" in text and "通州某科技公司" in text, text

    def test_vault_evidence_is_taken_only_with_the_applicants_consent(
        self, api, citizen, online_matter, id_card_evidence, central_peer
    ):
        code = start(api, citizen, online_matter)["code"]
        fill(api, citizen, code, files=("proof",))
        refused = submit(api, citizen, code, status=400)
        assert refused["code"] == "consent_required" and not Case.objects.exists() and not Consent.objects.exists()
        done = submit(api, citizen, code, vault_consent=True)
        case = Case.objects.get(number=done["case"]["number"])
        reused = case.materials.get(name="居民身份证")
        assert reused.reused_from == id_card_evidence and reused.trust_level == TrustLevel.A
        consent = Consent.objects.get()
        assert (consent.user, consent.purpose, consent.channel, consent.reference, consent.recorded_by) == (
            citizen,
            "vault_reuse",
            "api",
            case.number,
            None,
        )
        assert consent.version == "2026.2" and "网上预审" in text_of(consent)

    def test_post_needs_an_address_checked_before_anything_is_received(self, api, citizen, online_matter, central_peer):
        code = start(api, citizen, online_matter)["code"]
        fill(api, citizen, code)
        bad = api(citizen).patch(
            f"/api/v1/online/applications/{code}/", {"delivery": {"method": "post", "address": "短"}}, format="json"
        )
        assert bad.status_code == 400 and bad.json()["code"] == "address_invalid"
        good = api(citizen).patch(
            f"/api/v1/online/applications/{code}/",
            {
                "delivery": {
                    "method": "post",
                    "recipient_name": "王小明",
                    "recipient_phone": "13800001111",
                    "address": "北京市通州区运河东大街1号",
                }
            },
            format="json",
        )
        assert good.status_code == 200
        done = submit(api, citizen, code)
        delivery = Delivery.objects.get(case__number=done["case"]["number"])
        assert (delivery.method, delivery.address) == ("post", "北京市通州区运河东大街1号")


class TestOwnership:
    def test_another_citizen_never_sees_or_touches_an_application(
        self, api, citizen, other_citizen, online_matter, central_peer
    ):
        code = start(api, citizen, online_matter)["code"]
        fill(api, citizen, code, files=("proof",))
        file_id = ApplicationFile.objects.get().id
        base = f"/api/v1/online/applications/{code}/"
        other = api(other_citizen)
        assert other.get(base).status_code == 404
        assert other.patch(base, {"form_values": {"employer": "x"}}, format="json").status_code == 404
        assert other.delete(base).status_code == 404
        assert (
            other.post(f"{base}files/", {"material": "proof", "file": upload()}, format="multipart").status_code == 404
        )
        assert other.get(f"{base}files/{file_id}/").status_code == 404
        assert other.delete(f"{base}files/{file_id}/").status_code == 404
        assert other.post(f"{base}submit/", {"declaration": True}, format="json").status_code == 404
        assert other.get("/api/v1/online/applications/").json() == []
        assert OnlineApplication.objects.get(code=code).form_values == ANSWERS

    def test_the_list_costs_the_same_whatever_it_holds(
        self, api, citizen, hall, central_peer, django_assert_max_num_queries
    ):
        from .conftest import make_online_matter

        for i in range(5):
            code = start(api, citizen, make_online_matter(hall, code=f"ON-L{i}"))["code"]
            if i % 2:
                fill(api, citizen, code)
                submit(api, citizen, code)
        with django_assert_max_num_queries(6):
            listed = api(citizen).get("/api/v1/online/applications/").json()
        assert len(listed) == 5 and sum(1 for a in listed if a["case"]) == 2


def test_an_upload_is_stored_outside_the_drafts_lock_and_a_late_refusal_deletes_it(
    api, citizen, online_matter, monkeypatch
):
    """The file is checked and written to storage before the draft is locked (drafts.file_add, which the bundle's
    merged checklist uses too); a refusal under the lock (here: the draft was submitted meanwhile) leaves no file
    behind."""
    from django.db import connection

    from apps.front.online.services import applications, drafts

    code = start(api, citizen, online_matter)["code"]
    url = f"/api/v1/online/applications/{code}/files/"
    depths: list[int] = []
    stored: list[str] = []
    stage = drafts.file_stage

    def staging(*args, **kwargs):
        depths.append(len(connection.savepoint_ids))
        staged = stage(*args, **kwargs)
        stored.append(staged.name)
        return staged

    monkeypatch.setattr(drafts, "file_stage", staging)
    baseline = len(connection.savepoint_ids)
    assert api(citizen).post(url, {"material": "proof", "file": upload()}, format="multipart").status_code == 201
    assert depths == [baseline]  # no transaction of the service's around the write
    # Sent meanwhile (between the early checks and the lock): refused under the lock, and the file it stored is
    # deleted.
    calls = {"n": 0}
    editable = applications._editable

    def submitted_meanwhile(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise Conflict("申请已提交，当前不能修改。", code="invalid_state")
        return editable(**kwargs)

    monkeypatch.setattr(applications, "_editable", submitted_meanwhile)
    late = api(citizen).post(
        url, {"material": "proof", "file": upload("late.pdf", PDF, "application/pdf")}, format="multipart"
    )
    assert late.status_code == 409 and late.json()["code"] == "invalid_state", late.content
    storage = ApplicationFile._meta.get_field("file").storage
    assert len(stored) == 2 and storage.exists(stored[0]) and not storage.exists(stored[1])
    assert ApplicationFile.objects.filter(application__code=code).count() == 1
