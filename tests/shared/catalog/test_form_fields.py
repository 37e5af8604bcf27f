"""The online application form of a matter (issue 15): fields with a key, label, kind, required flag and
choices, edited in the admin as part of the matter version (a new version copies them, the old one keeps its
own), carried by the import and export, and the values each kind accepts checked on the server."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from apps.shared.catalog.formfields import form_values_check, form_values_display
from apps.shared.catalog.models import FieldKind, Matter, MatterField
from apps.shared.catalog.services import (
    catalog_export,
    catalog_import,
    draft_errors,
    matter_draft_from,
    matter_save,
    matters_for_export,
)

from .test_versions import _admin_post_data, _errors

pytestmark = pytest.mark.django_db


def _fields() -> list[MatterField]:
    return [
        MatterField(key="employer", label="原工作单位名称", kind=FieldKind.TEXT),
        MatterField(key="left-on", label="离职日期", kind=FieldKind.DATE),
        MatterField(key="reason", label="失业原因", kind=FieldKind.CHOICE, choices=["合同期满", "本人辞职"]),
        MatterField(key="months", label="缴费月数", kind=FieldKind.NUMBER, required=False),
        MatterField(key="seeking", label="有求职意愿", kind=FieldKind.YES_NO),
    ]


@pytest.fixture
def with_form(make):
    matter = make()
    draft = matter_draft_from(matter)
    draft.fields = _fields()
    saved, outcome = matter_save(draft=draft, change_note="网上申请表")
    assert outcome == "versioned"
    return saved


class TestVersions:
    def test_the_form_is_part_of_the_version_and_a_new_version_copies_it(self, with_form):
        assert [(f.key, f.kind) for f in with_form.form_fields.all()] == [
            ("employer", "text"),
            ("left-on", "date"),
            ("reason", "choice"),
            ("months", "number"),
            ("seeking", "yes_no"),
        ]
        draft = matter_draft_from(with_form)
        draft.fields[0].label = "原用人单位名称"
        v3, outcome = matter_save(draft=draft)
        assert outcome == "versioned" and v3.version == 3
        assert v3.form_fields.get(key="employer").label == "原用人单位名称"
        # The version before keeps its own form, and the first had none.
        assert with_form.form_fields.get(key="employer").label == "原工作单位名称"
        assert not Matter.objects.get(code=with_form.code, version=1).form_fields.exists()

    def test_an_unchanged_form_makes_no_version(self, with_form):
        same, outcome = matter_save(draft=matter_draft_from(with_form))
        assert outcome == "unchanged" and same.pk == with_form.pk

    def test_the_rules_of_a_form_are_told_plainly(self, make):
        draft = matter_draft_from(make())
        draft.fields = [
            MatterField(key="reason", label="原因", kind=FieldKind.CHOICE, choices=["只有一项"]),
            MatterField(key="reason", label="日期", kind=FieldKind.DATE, choices=["不该有"]),
        ]
        errors = " ".join(draft_errors(draft))
        assert "须至少列出两个不同的可选项" in errors
        assert "只有单项选择字段才列出可选项" in errors
        assert "字段标识“reason”重复" in errors

    def test_the_admin_edits_the_form_and_saves_a_new_version(self, make, admin_client):
        v1 = make()
        url = reverse("admin:catalog_matter_change", args=[v1.pk])
        form = _admin_post_data(admin_client.get(url))
        form |= {
            "form_fields-TOTAL_FORMS": "2",
            "form_fields-0-position": "1",
            "form_fields-0-key": "reason",
            "form_fields-0-label": "失业原因",
            "form_fields-0-kind": "choice",
            "form_fields-0-required": "on",
            "form_fields-0-choices": "合同期满,本人辞职",
            "form_fields-1-position": "2",
            "form_fields-1-key": "notes",
            "form_fields-1-label": "其他说明",
            "form_fields-1-kind": "long_text",
            "form_fields-1-choices": "",
        }
        response = admin_client.post(url, form)
        assert response.status_code == 302, _errors(response)
        v2 = Matter.objects.get(code=v1.code, is_current=True)
        assert v2.version == 2
        assert [(f.key, f.required, f.choices) for f in v2.form_fields.all()] == [
            ("reason", True, ["合同期满", "本人辞职"]),
            ("notes", False, []),
        ]

    def test_the_admin_says_what_is_wrong_with_a_field(self, make, admin_client):
        v1 = make()
        url = reverse("admin:catalog_matter_change", args=[v1.pk])
        form = _admin_post_data(admin_client.get(url))
        form |= {
            "form_fields-TOTAL_FORMS": "1",
            "form_fields-0-position": "1",
            "form_fields-0-key": "reason",
            "form_fields-0-label": "失业原因",
            "form_fields-0-kind": "choice",
            "form_fields-0-choices": "合同期满",
        }
        response = admin_client.post(url, form)
        assert response.status_code == 200
        assert "须至少列出两个不同的可选项" in response.content.decode()
        assert Matter.objects.filter(code=v1.code).count() == 1


class TestTransfer:
    def test_json_and_csv_carry_the_form_and_read_back_unchanged(self, with_form):
        for fmt in ("json", "csv"):
            text = catalog_export(matters_for_export(), fmt=fmt)
            report = catalog_import(text, fmt=fmt)
            assert report.unchanged == [with_form.code], fmt
        exported = json.loads(catalog_export(matters_for_export(), fmt="json"))
        assert exported["matters"][0]["fields"][2] == {
            "key": "reason",
            "label": "失业原因",
            "kind": "choice",
            "required": True,
            "choices": ["合同期满", "本人辞职"],
            "help_text": "",
        }

    def test_an_import_changing_a_field_makes_a_version_and_a_bad_field_is_named_with_its_line(self, with_form):
        doc = json.loads(catalog_export(matters_for_export(), fmt="json"))
        doc["matters"][0]["fields"][1]["required"] = False
        report = catalog_import(json.dumps(doc, ensure_ascii=False), fmt="json")
        assert report.versioned == [with_form.code]
        doc["matters"][0]["fields"][2]["choices"] = []
        with pytest.raises(Exception) as refused:
            catalog_import(json.dumps(doc, ensure_ascii=False, indent=1), fmt="json")
        assert "申请表字段 3「失业原因」" in str(refused.value) and "行" in str(refused.value)


class TestValues:
    def test_each_kind_takes_its_own_values(self, with_form):
        fields = list(with_form.form_fields.all())
        check = form_values_check(
            fields,
            {
                "employer": " 通州某公司 ",
                "left-on": "2026-03-31",
                "reason": "本人辞职",
                "months": "36",
                "seeking": "true",
            },
            complete=True,
        )
        assert check.errors == {}
        assert check.values == {
            "employer": "通州某公司",
            "left-on": "2026-03-31",
            "reason": "本人辞职",
            "months": 36,
            "seeking": True,
        }
        assert form_values_display(fields, check.values)[-1] == ("有求职意愿", "是")

    def test_wrong_values_and_unknown_keys_are_refused_by_name(self, with_form):
        check = form_values_check(
            list(with_form.form_fields.all()),
            {"left-on": "31/03/2026", "reason": "被开除", "months": "三十", "seeking": "maybe", "salary": "1"},
            complete=False,
        )
        assert set(check.errors) == {"left-on", "reason", "months", "seeking", "salary"}
        assert "应为日期" in check.errors["left-on"] and "合同期满、本人辞职" in check.errors["reason"]
        assert "申请表没有“salary”这一项" in check.errors["salary"]

    def test_a_draft_may_leave_fields_empty_a_submission_may_not(self, with_form):
        fields = list(with_form.form_fields.all())
        assert form_values_check(fields, {"employer": ""}, complete=False).errors == {}
        missing = form_values_check(fields, {"employer": ""}, complete=True).errors
        # Every required field is named at once; the optional one is not.
        assert set(missing) == {"employer", "left-on", "reason", "seeking"}
        assert missing["employer"] == "请填写“原工作单位名称”。"
