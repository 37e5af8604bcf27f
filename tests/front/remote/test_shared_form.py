"""The hall's side of the shared form (issue 14, "work together on the case"), against a real central: the hall's
page draws the matter's own form (the fields of its version, as an online application asks them) and the contact
part; what the hall types reaches central at once; central points at the matter's fields; 远程受理 is refused
while the form is incomplete (the catalog's rules), and the accepted case carries the answers as its application
form (a PDF material, made as an online application's is), which goes to central with the case."""

from __future__ import annotations

import contextlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.front.intake.models import CaseStatus
from apps.front.remote.models import HallSession
from apps.shared.catalog.models import FieldKind, MatterField
from apps.shared.exchange import contract
from apps.shared.exchange.models import OutboxMessage
from govservice.lib.masking import mask_id_public
from tests.front.delivery.conftest import pdf_text

from .conftest import PDF, deliver, session_id_of, start_at_kiosk

pytestmark = pytest.mark.django_db

FIELDS = [  # key, label, kind, required, choices
    ("employer", "原工作单位名称", FieldKind.TEXT, True, []),
    ("reason", "失业原因", FieldKind.CHOICE, True, ["劳动合同期满", "本人辞职"]),
    ("separation-date", "解除日期", FieldKind.DATE, False, []),
]


@contextlib.contextmanager
def _form(matter, registry, fields):
    """``fields`` as the matter's application form at both sites (central's is its own copy of the catalog),
    instead of the demo's, which central gets back afterwards."""
    matter.form_fields.all().delete()
    columns = "position, key, label, kind, required, choices, help_text"
    demo = registry.site.sql(
        f"SELECT {columns} FROM catalog_matterfield WHERE matter_id IN"
        " (SELECT id FROM catalog_matter WHERE code = %s AND is_current)",
        (matter.code,),
    )
    rows = [(position, *field, "") for position, field in enumerate(fields)]

    def put(rows):
        registry.site.sql(
            "DELETE FROM catalog_matterfield WHERE matter_id IN (SELECT id FROM catalog_matter WHERE code = %s)",
            (matter.code,),
        )
        for row in rows:
            registry.site.sql(
                f"INSERT INTO catalog_matterfield (matter_id, {columns}) SELECT id, %s, %s, %s, %s, %s, %s, %s"
                " FROM catalog_matter WHERE code = %s AND is_current",
                (*row, matter.code),
            )

    for position, key, label, kind, required, choices, help_text in rows:
        MatterField.objects.create(
            matter=matter,
            position=position,
            key=key,
            label=label,
            kind=kind,
            required=required,
            choices=choices,
            help_text=help_text,
        )
    put(rows)
    try:
        yield matter
    finally:
        put(demo)


@pytest.fixture
def matter_form(remote_matter, registry):
    """The matter's application form: FIELDS."""
    with _form(remote_matter, registry, FIELDS):
        yield remote_matter


@pytest.fixture
def formless_matter(remote_matter, registry):
    """The matter without a form of its own."""
    with _form(remote_matter, registry, []):
        yield remote_matter


def _type(kiosk, session_id, **fields):
    answer = kiosk.post(f"/remote/{session_id}/form/", {"fields": fields}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    return answer


def test_the_hall_fills_in_the_matters_own_form_and_the_accepted_case_carries_it(
    kiosk, client, citizen, matter_form, approver, registry
):
    session_id = session_id_of(start_at_kiosk(kiosk, matter_form, citizen))
    page = kiosk.get(f"/remote/{session_id}/").content.decode()
    assert 'for="field-employer">原工作单位名称 <span class="required-mark"' in page
    assert '<select id="field-reason" data-field="reason">' in page and '<option value="本人辞职">' in page
    assert '<input type="date" id="field-separation-date"' in page and 'data-field-row="phone"' in page
    assert "data-point=" not in page  # pointing is central's
    approver.answer(session_id)
    # What the hall types reaches central (the copy a page that polls, or reloads, reads).
    _type(kiosk, session_id, employer="通州某科技公司", phone="13800001111")
    seen = approver.poll(session_id, form_seq=0)
    assert seen["form"] == {"employer": "通州某科技公司", "phone": "13800001111"}
    refused = kiosk.post(f"/remote/{session_id}/form/", {"fields": {"salary": "1"}}, content_type="application/json")
    assert refused.status_code == 400
    # Central points at one of the matter's fields; the hall sees which.
    assert approver.post(session_id, "point", {"target": "field:reason"}).status_code == 200
    assert kiosk.get(f"/remote/{session_id}/poll/", {"pointer_seq": 0}).json()["pointer"]["label"] == "失业原因"
    for key in ("id-card", "photo"):
        kiosk.post(f"/remote/{session_id}/scan/", {"material": key, "file": SimpleUploadedFile(f"{key}.pdf", PDF)})
    assert approver.post(session_id, "identity", {"reason": "视频中本人与证件照片一致"}).status_code == 200
    # 远程受理 with a required answer missing: refused, by field, and the session goes on.
    early = approver.post(session_id, "conclude", {"outcome": "accepted"})
    assert early.status_code == 422 and early.json()["errors"] == {"reason": "请填写“失业原因”。"}, early.content
    _type(kiosk, session_id, reason="本人辞职", **{"separation-date": "2026-03-31"})
    done = approver.post(session_id, "conclude", {"outcome": "accepted"})
    assert done.json() == {"status": "ended", "outcome": "accepted"}, done.content
    assert deliver(client, registry, "remote.concluded", session_id).status_code == 200
    case = HallSession.objects.get(id=session_id).case
    assert case is not None and case.status == CaseStatus.ACCEPTED
    # The case's application form, among its materials, with every answer as people read them.
    form = case.materials.get(name="远程申请表")
    assert form.content_type == "application/pdf" and form.material is None
    text = pdf_text(form.file.open("rb").read())
    for expected in (
        "社会保障卡申领远程申请表",
        "原工作单位名称",
        "通州某科技公司",
        "失业原因",
        "本人辞职",
        "2026-03-31",
    ):
        assert expected in text, text
    assert "联系电话" in text and "13800001111" in text and "远程虚拟窗口" in text
    # The applicant by name and the ID number's public mask, never the whole number (apps/front/online/form_pdf.py,
    # which makes an online application's form too).
    assert "王小明" in text and mask_id_public(citizen.id_number) in text and citizen.id_number not in text
    # It goes to central with the case, as any accepted case's materials do.
    submitted = OutboxMessage.objects.get(kind=contract.MessageKind.CASE_SUBMITTED)
    assert submitted.payload["number"] == case.number
    assert [f["sha256"] for f in submitted.files if f["name"] == "远程申请表"] == [form.sha256], submitted.files


def test_a_matter_without_a_form_keeps_what_was_typed_in_the_contact_part(
    kiosk, client, citizen, formless_matter, approver, registry
):
    """The three fields an older peer knows (phone, address, statement) are still the form of a matter without a
    form of its own; what was typed is kept on the case."""
    session_id = session_id_of(start_at_kiosk(kiosk, formless_matter, citizen))
    page = kiosk.get(f"/remote/{session_id}/").content.decode()
    assert all(f'data-field-row="{name}"' in page for name in ("phone", "address", "statement"))
    approver.answer(session_id)
    _type(kiosk, session_id, phone="13800001111", address="通州区运河东大街", statement="首次申领")
    for key in ("id-card", "photo"):
        kiosk.post(f"/remote/{session_id}/scan/", {"material": key, "file": SimpleUploadedFile(f"{key}.pdf", PDF)})
    approver.post(session_id, "identity", {"reason": "视频中本人与证件照片一致"})
    assert approver.post(session_id, "conclude", {"outcome": "accepted"}).status_code == 200
    assert deliver(client, registry, "remote.concluded", session_id).status_code == 200
    session = HallSession.objects.get(id=session_id)
    assert session.form == {"phone": "13800001111", "address": "通州区运河东大街", "statement": "首次申领"}
    assert session.case is not None
    text = pdf_text(session.case.materials.get(name="远程申请表").file.open("rb").read())
    for expected in ("联系电话", "13800001111", "通讯地址", "通州区运河东大街", "申请事项说明", "首次申领"):
        assert expected in text, text
