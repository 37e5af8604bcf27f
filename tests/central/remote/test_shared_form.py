"""The shared form of a live session is the matter's own (issue 14, "work together on the case"): the fields of
the session's matter version, as an online application asks them, then the contact part every session has. What
is typed is kept as typed; central points at the matter's fields; 远程受理 checks the answers with the catalog's
rules (apps.shared.catalog.formfields, the online application's), every shortfall named at once, and the
answers travel to the front with the outcome. A front that knows only the three contact fields still works."""

from __future__ import annotations

import base64
import re

import pytest

from apps.central.remote.models import RemoteSession
from apps.shared.catalog.models import FieldKind, MatterField
from apps.shared.exchange import contract
from apps.shared.exchange.models import OutboxMessage

from .conftest import hall, staff_post
from .test_live import PDF

pytestmark = pytest.mark.django_db


@pytest.fixture
def matter_form(remote_matter):
    """The matter's application form: a required text, a required choice, an optional date."""
    MatterField.objects.create(
        matter=remote_matter, position=0, key="employer", label="原工作单位名称", help_text="与劳动合同一致"
    )
    MatterField.objects.create(
        matter=remote_matter,
        position=1,
        key="reason",
        label="失业原因",
        kind=FieldKind.CHOICE,
        choices=["劳动合同期满", "本人辞职"],
    )
    MatterField.objects.create(
        matter=remote_matter, position=2, key="separation-date", label="解除日期", kind=FieldKind.DATE, required=False
    )
    return remote_matter


def _identity_and_scans(client, answered, matter):
    staff_post(client, answered, "identity", {"reason": "人口库比对一致，视频中本人与证件照片一致"})
    material = matter.materials.get(required=True)
    scanned = hall(
        client, answered, "scan", material=material.key, name="id.pdf", content_b64=base64.b64encode(PDF).decode()
    )
    assert scanned.status_code == 200, scanned.content


def test_both_pages_draw_the_matters_own_form_and_its_fields_take_typing(client, answered, matter_form):
    page = client.get(f"/remote/{answered['session']}/").content.decode()
    # The matter's fields, in its order, with their kinds, required marks and choices; then the contact part.
    assert re.search(r'for="field-employer">原工作单位名称 <span class="required-mark"', page), page
    assert '<select id="field-reason" data-field="reason">' in page and '<option value="本人辞职">' in page
    assert '<input type="date" id="field-separation-date"' in page
    assert 'for="field-separation-date">解除日期</label>' in page  # optional: no mark
    assert "与劳动合同一致" in page
    assert page.index('data-field-row="employer"') < page.index('data-field-row="phone"')
    assert 'data-field-row="address"' in page and 'data-field-row="statement"' not in page  # the matter has a form
    assert 'data-point="field:employer"' in page
    # Typing into the matter's fields and the contact part, from either side, merges as before.
    assert hall(client, answered, "form", fields={"employer": "通州某科技公司"}).json()["form_seq"] == 1
    assert (
        staff_post(client, answered, "form", {"fields": {"reason": "本人辞职", "phone": "13800001111"}}).status_code
        == 200
    )
    assert RemoteSession.objects.get(id=answered["session"]).form == {
        "employer": "通州某科技公司",
        "reason": "本人辞职",
        "phone": "13800001111",
    }
    # What the form does not have is refused; so is a value longer than its field takes.
    assert hall(client, answered, "form", fields={"salary": "1"}).status_code == 400
    too_long = hall(client, answered, "form", fields={"employer": "字" * 201})
    assert too_long.status_code == 400 and "原工作单位名称" in too_long.json()["detail"]
    # Central points at one of the matter's fields: the hall sees its label.
    assert staff_post(client, answered, "point", {"target": "field:employer"}).status_code == 200
    assert hall(client, answered, "poll", pointer_seq=0).json()["pointer"]["label"] == "原工作单位名称"
    assert staff_post(client, answered, "point", {"target": "field:salary"}).status_code == 400


def test_remote_acceptance_checks_the_answers_with_the_catalogs_rules(client, answered, matter_form):
    _identity_and_scans(client, answered, matter_form)
    hall(client, answered, "form", fields={"separation-date": "2026-13-01", "phone": "13800001111"})
    refused = staff_post(client, answered, "conclude", {"outcome": "accepted"})
    assert refused.status_code == 422, refused.content
    body = refused.json()
    assert body["code"] == "form_incomplete"
    # Every shortfall at once, each by its field (the page marks them where they are).
    assert body["errors"] == {
        "employer": "请填写“原工作单位名称”。",
        "reason": "请填写“失业原因”。",
        "separation-date": "“解除日期”应为日期（年-月-日）。",
    }
    assert "原工作单位名称" in body["detail"] and "失业原因" in body["detail"]
    english = client.post(
        f"/remote/{answered['session']}/conclude/",
        data='{"outcome": "accepted"}',
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert english.status_code == 422 and "Please fill in" in english.json()["errors"]["employer"], english.json()
    # A choice not among the field's is refused too; nothing typed was lost by the refusals.
    hall(
        client,
        answered,
        "form",
        fields={"employer": "通州某科技公司", "reason": "被辞退", "separation-date": "2026-03-31"},
    )
    wrong = staff_post(client, answered, "conclude", {"outcome": "accepted"}).json()
    assert list(wrong["errors"]) == ["reason"] and "劳动合同期满" in wrong["errors"]["reason"]
    assert not OutboxMessage.objects.filter(kind=contract.MessageKind.REMOTE_CONCLUDED).exists()
    assert RemoteSession.objects.get(id=answered["session"]).status == "active"
    staff_post(client, answered, "form", {"fields": {"reason": "本人辞职"}})
    done = staff_post(client, answered, "conclude", {"outcome": "accepted"})
    assert done.json() == {"status": "ended", "outcome": "accepted"}, done.content
    payload = contract.payload_parse(
        contract.RemoteConcluded, OutboxMessage.objects.get(kind=contract.MessageKind.REMOTE_CONCLUDED).payload
    )
    assert payload.form == {
        "employer": "通州某科技公司",
        "reason": "本人辞职",
        "separation-date": "2026-03-31",
        "phone": "13800001111",
    }


@pytest.mark.parametrize(
    "answer",
    [
        {"outcome": "one_time_notice", "items": "请补充填写原工作单位名称"},
        {"outcome": "refused", "reason": "不属于本部门受理范围"},
    ],
)
def test_a_notice_or_refusal_does_not_need_a_complete_form(client, answered, matter_form, answer):
    """The one-time notice is what an incomplete application gets, and a refusal needs no answers either: the
    form's gaps never stop them; the outcome goes to the hall."""
    _identity_and_scans(client, answered, matter_form)
    done = staff_post(client, answered, "conclude", answer)
    assert done.json() == {"status": "ended", "outcome": answer["outcome"]}, done.content
    sent = OutboxMessage.objects.get(kind=contract.MessageKind.REMOTE_CONCLUDED).payload
    assert sent["outcome"] == answer["outcome"]


def test_a_matter_without_a_form_keeps_the_three_contact_fields(client, answered, remote_matter):
    """An older front (and a matter with no form of its own) sends phone, address and statement: all kept, the
    acceptance needs no answers, and the page draws the statement for it."""
    page = client.get(f"/remote/{answered['session']}/").content.decode()
    assert all(f'data-field-row="{name}"' in page for name in ("phone", "address", "statement"))
    assert '<textarea id="field-statement"' in page
    _identity_and_scans(client, answered, remote_matter)
    hall(
        client,
        answered,
        "form",
        fields={"phone": "13800001111", "address": "通州区运河东大街", "statement": "首次申领"},
    )
    assert staff_post(client, answered, "conclude", {"outcome": "accepted"}).status_code == 200
    payload = contract.payload_parse(
        contract.RemoteConcluded, OutboxMessage.objects.get(kind=contract.MessageKind.REMOTE_CONCLUDED).payload
    )
    assert payload.form == {"phone": "13800001111", "address": "通州区运河东大街", "statement": "首次申领"}


@pytest.mark.parametrize("own_form", [True, False])
def test_the_application_form_material_is_the_matters_own_form_once_it_has_one(
    client, answered, remote_matter, own_form
):
    """A required 申请表 (the catalogue's `application-form`) is what the session's form is made into at the hall
    when the matter has a form of its own (its answers checked complete instead); without one it is scanned like
    any other required material."""
    remote_matter.materials.create(position=9, key="application-form", name="社会保障卡申领登记表", required=True)
    if own_form:
        MatterField.objects.create(matter=remote_matter, position=0, key="employer", label="原工作单位名称")
    staff_post(client, answered, "identity", {"reason": "人口库比对一致，视频中本人与证件照片一致"})
    for material in remote_matter.materials.filter(required=True).exclude(key="application-form"):
        hall(client, answered, "scan", material=material.key, name="id.pdf", content_b64=base64.b64encode(PDF).decode())
    hall(client, answered, "form", fields={"employer": "通州某科技公司"} if own_form else {"phone": "13800001111"})
    done = staff_post(client, answered, "conclude", {"outcome": "accepted"})
    if own_form:
        assert done.json() == {"status": "ended", "outcome": "accepted"}, done.content
    else:
        assert done.status_code == 422 and done.json()["code"] == "materials_missing", done.content
        assert "社会保障卡申领登记表" in done.json()["detail"]
