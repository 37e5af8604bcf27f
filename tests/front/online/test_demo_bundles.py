"""The demo's 一件事 (issue 15 part 3): the newborn bundle complete — its 出生医学证明 step first, 落户 after it, 医保
and 社保卡 after 落户 — offered online and by one hall visit, with one merged form (the child's name, sex and birth
date asked once, feeding every matter that asks them); and what an earlier step issues (the 出生医学证明) is never
asked of the parents for a later one."""

from __future__ import annotations

import pytest

from apps.front.booking.models import GroupMatter
from apps.front.intake.models import Case, CaseStatus
from apps.front.online.models import OnlineApplication
from apps.shared.catalog.models import Bundle
from apps.shared.catalog.rules import bundle_errors
from apps.shared.catalog.services import catalog_load_demo
from tests.front.intake.test_central_events import event
from tests.journey_helpers import PDF, upload

pytestmark = pytest.mark.django_db

CERTIFICATE = "11011205000000000000-000507-01"  # 《出生医学证明》首次签发
HUKOU = "11011201000000000000-000105-01"  # 出生登记
YIBAO = "11011209000000000000-000901-01"
CARD = "11011202000000000000-000201-01"
ANSWERS = {
    "child-name": "王小宝",
    "child-sex": "男",
    "birth-date": "2026-11-20",
    "birth-place": "北京市通州区妇幼保健院",
    "mother-name": "李梅",
    "father-name": "王强",
    "household-head": "王强",
    "relation-to-head": "子",
    "bank": "北京银行",
}


@pytest.fixture
def demo_newborn(hall):
    catalog_load_demo()
    for code in (CERTIFICATE, HUKOU, YIBAO, CARD):
        GroupMatter.objects.get_or_create(group=hall.groups.get(), matter_code=code)
    return Bundle.objects.get(code="newborn")


def test_it_is_the_four_steps_in_order_by_both_roads(demo_newborn):
    items = list(demo_newborn.items.order_by("position"))
    assert [(i.matter_code, i.after) for i in items] == [
        (CERTIFICATE, ""),
        (HUKOU, CERTIFICATE),
        (YIBAO, HUKOU),
        (CARD, HUKOU),
    ]
    assert demo_newborn.online_submission and demo_newborn.hall_visit
    assert bundle_errors(items, online=True, visit=True) == []
    assert Bundle.objects.filter(hall_visit=True).exists()  # `make run` shows a bundle done by one hall visit


def test_the_names_are_asked_once_and_feed_every_matter_and_the_certificate_is_not_asked(
    api, citizen, demo_newborn, central_peer, client, clerk
):
    started = api(citizen).post("/api/v1/online/bundle-applications/", {"bundle": "newborn"}, format="json").json()
    keys = [f["key"] for f in started["form"]]
    assert len(keys) == len(set(keys)) and set(ANSWERS) == set(keys)
    checklist = {item["key"]: item for item in started["checklist"]}
    # 出生登记's 出生医学证明 is what the first step issues: not asked of the parents.
    assert checklist["birth-certificate"]["state"] == "produced" and checklist["birth-certificate"]["no_need_to_submit"]
    # The parents' ID cards: one scan for the certificate and for 落户.
    assert len(checklist["parents-id"]["matters"]) == 2

    base = f"/api/v1/online/bundle-applications/{started['code']}/"
    assert api(citizen).patch(base, {"form_values": ANSWERS}, format="json").status_code == 200
    for key in (k for k, item in checklist.items() if item["state"] == "missing"):
        sent = api(citizen).post(
            f"{base}files/", {"material": key, "file": upload(f"{key}.pdf", PDF)}, format="multipart"
        )
        assert sent.status_code == 201, sent.content
    done = api(citizen).post(f"{base}submit/", {"declaration": True}, format="json")
    assert done.status_code == 201, done.content

    parts = {p.matter_code: p for p in OnlineApplication.objects.filter(bundle_application__code=started["code"])}
    # Each matter got the answers its form asks, from the one form.
    for part in parts.values():
        asked = {f.key for f in part.matter.form_fields.all()}
        assert part.form_values == {k: v for k, v in ANSWERS.items() if k in asked}
        assert part.form_values["child-name"] == "王小宝"
    assert parts[CERTIFICATE].case is not None and parts[HUKOU].waiting

    # The certificate is issued: 落户 is sent without asking for it (its department reads the sibling case).
    number = parts[CERTIFICATE].case.number
    assert api(clerk).post(f"/api/v1/workbench/prereview/{number}/accept/").status_code == 200
    event(
        client,
        "case.decided",
        {"number": number, "decision": "approved", "reason": "", "decided_at": "2026-12-01T10:00:00+08:00"},
    )
    hukou = OnlineApplication.objects.get(id=parts[HUKOU].id)
    assert hukou.cancelled_at is None, hukou.cancel_reason
    assert hukou.case is not None and Case.objects.get(id=hukou.case_id).status == CaseStatus.RECEIVED
    # ...and accepted without it: the law's "every required material" counts what the bundle's first step issued.
    accepted = api(clerk).post(f"/api/v1/workbench/prereview/{hukou.case.number}/accept/")
    assert accepted.status_code == 200, accepted.content
    assert Case.objects.get(id=hukou.case_id).status == CaseStatus.ACCEPTED
    assert not hukou.case.materials.filter(material__key="birth-certificate").exists()


def test_a_lone_case_of_the_same_matter_still_needs_the_certificate(api, citizen, demo_newborn, central_peer, clerk):
    started = api(citizen).post("/api/v1/online/applications/", {"matter": HUKOU}, format="json").json()
    checklist = {item["key"]: item for item in started["checklist"]}
    assert checklist["birth-certificate"]["state"] == "missing"


def test_a_field_one_matter_requires_is_required_in_the_merged_form_whichever_asks_it_first(demo_newborn):
    """The newborn's name is optional for a 社保卡 applied for on its own (an adult's card) and required by the
    出生医学证明: asked once in the bundle, required, in whatever order the matters come; the catalog's rows keep
    their own."""
    from apps.front.online.selectors import bundle_fields
    from apps.shared.catalog.models import Matter

    card, certificate = (Matter.objects.get(code=code, is_current=True) for code in (CARD, CERTIFICATE))
    assert not card.form_fields.get(key="child-name").required
    for matters in ([card, certificate], [certificate, card]):
        merged = {f.key: f for f in bundle_fields(matters)}
        assert merged["child-name"].required and merged["birth-date"].required
        assert merged["bank"].required
    assert not [f for f in card.form_fields.all() if f.key == "child-name" and f.required]
