"""Import and export in JSON and CSV: validated, every bad row reported with its line, all or nothing."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.shared.catalog.models import Department, Matter
from apps.shared.catalog.services import (
    DEMO_CATALOG_PATH,
    ImportRefused,
    catalog_export,
    catalog_import,
    matters_for_export,
)

pytestmark = pytest.mark.django_db

GOOD_MATTER = {
    "code": "IMP-001",
    "department": "110112-RSJ",
    "name": "社会保障卡申领",
    "legal_days": 20,
    "promised_days": 10,
    "channels": ["window", "online"],
    "online_depth": 2,
    "trips": 1,
    "trips_reason": "需本人到场核验身份",
    "materials": [{"key": "id-card", "name": "居民身份证", "source": "government", "issuer": "公安机关"}],
}


def _json(*matters: dict) -> str:
    """One matter object per block of lines, so each starts on a known line."""
    doc = {
        "departments": [{"code": "110112-RSJ", "name": "区人力资源和社会保障局", "credit_code": ""}],
        "matters": list(matters),
    }
    return json.dumps(doc, ensure_ascii=False, indent=1)


def _line_of_matter(text: str, code: str) -> int:
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if f'"code": "{code}"' in line)
    return at  # the "{" is on the line before the code's line (1-based: index of the code line)


def test_it_imports_a_good_json_file_and_exports_it_back_unchanged():
    report = catalog_import(_json(GOOD_MATTER, {**GOOD_MATTER, "code": "IMP-002", "name": "结婚登记"}), fmt="json")
    assert report.created == ["IMP-001", "IMP-002"] and report.departments_created == 1
    matter = Matter.objects.get(code="IMP-001")
    assert matter.version == 1 and [m.key for m in matter.materials.all()] == ["id-card"]

    for fmt in ("json", "csv"):
        again = catalog_import(catalog_export(matters_for_export(), fmt=fmt), fmt=fmt)  # type: ignore[arg-type]
        assert again.unchanged == ["IMP-001", "IMP-002"] and not again.created and not again.versioned
    assert Matter.objects.count() == 2


def test_a_changed_row_becomes_a_new_version():
    catalog_import(_json(GOOD_MATTER), fmt="json")
    report = catalog_import(_json({**GOOD_MATTER, "promised_days": 5}), fmt="json", change_note="缩短时限")
    assert report.versioned == ["IMP-001"]
    current = Matter.objects.get(code="IMP-001", is_current=True)
    assert current.version == 2 and current.promised_days == 5 and current.change_note == "缩短时限"


def test_a_json_file_with_bad_rows_imports_nothing_and_names_every_bad_line():
    bad_promise = {**GOOD_MATTER, "code": "BAD-1", "promised_days": 30}
    bad_type = {**GOOD_MATTER, "code": "BAD-2", "trips": "两次"}
    bad_department = {**GOOD_MATTER, "code": "BAD-3", "department": "NOWHERE"}
    bad_material = {
        **GOOD_MATTER,
        "code": "BAD-4",
        "materials": [{"key": "x", "name": "空", "originals": 0, "copies": 0}],
    }
    text = _json(GOOD_MATTER, bad_promise, bad_type, bad_department, bad_material)
    with pytest.raises(ImportRefused) as refused:
        catalog_import(text, fmt="json")
    errors = refused.value.errors
    assert len(errors) == 4, errors
    for code, words in (
        ("BAD-1", "不能超过法定办结时限"),
        ("BAD-2", "应为整数"),
        ("BAD-3", "实施主体 NOWHERE 不存在"),
        ("BAD-4", "原件和复印件份数不能都为 0"),
    ):
        line = _line_of_matter(text, code)
        message = next(e for e in errors if code in e)
        assert words in message
        # The matter's "{" line, or for a material its own "{" line further down.
        assert message.startswith("第 ") and int(message.split(" ")[1]) >= line
    assert errors[0].startswith(f"第 {_line_of_matter(text, 'BAD-1')} 行（事项 BAD-1）")
    assert not Matter.objects.exists() and not Department.objects.exists()


def test_a_json_syntax_error_is_reported_with_its_line():
    with pytest.raises(ImportRefused) as refused:
        catalog_import('{\n "matters": [\n  {"code": "X",}\n ]\n}', fmt="json")
    assert refused.value.errors[0].startswith("第 3 行：JSON 格式错误")


def _csv(rows: list[dict]) -> str:
    from apps.shared.catalog.services.transfer import CSV_COLUMNS

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _csv_matter(code: str, **fields) -> list[dict]:
    matter = {
        "record": "matter",
        "code": code,
        "department": "110112-RSJ",
        "name": "社会保障卡申领",
        "legal_days": "20",
        "promised_days": "10",
    }
    matter |= {"channels": "window|online", "online_depth": "2", "trips": "1", "trips_reason": "需本人到场", **fields}
    material = {
        "record": "material",
        "code": code,
        "material_key": "id-card",
        "material_name": "居民身份证",
        "material_originals": "1",
    }
    return [matter, material]


def test_a_csv_file_with_bad_rows_imports_nothing_and_names_every_bad_line():
    rows = [
        {"record": "department", "code": "110112-RSJ", "name": "区人力资源和社会保障局"},  # line 2
        *_csv_matter("OK-1"),  # lines 3, 4
        *_csv_matter("BAD-1", case_kind="instant"),  # line 5: instant with 10 days; line 6 fine
        *_csv_matter("BAD-2", charged="true"),  # line 7: charged without fee items
        {
            "record": "material",
            "code": "OK-1",
            "material_key": "photo",
            "material_name": "照片",
            "material_originals": "0",
        },  # line 9
        {"record": "fee", "code": "NOT-IN-FILE", "fee_item_name": "工本费", "fee_item_amount": "10"},  # line 10
        {"record": "thing", "code": "OK-1"},  # line 11
        {"record": "fee", "code": "OK-1", "fee_item_name": "工本费", "fee_item_amount": "十元"},  # line 12
    ]
    with pytest.raises(ImportRefused) as refused:
        catalog_import(_csv(rows).encode("utf-8-sig"), fmt="csv")
    errors = refused.value.errors
    by_line = {int(e.split(" ")[1]): e for e in errors}
    assert sorted(by_line) == [3, 5, 7, 9, 10, 11, 12], errors
    assert "即办件应当场办结" in by_line[5]
    assert "须至少列出一个收费项目" in by_line[7]
    assert "原件和复印件份数不能都为 0" in by_line[9]
    assert "所属事项不在文件中" in by_line[10]
    assert "record 列须为" in by_line[11]
    assert "金额" in by_line[12] and "应为数字" in by_line[12]
    # OK-1 itself is charged nothing but has a fee item now (line 12): reported on its own line 3.
    assert "不收费的事项不应列出收费项目" in by_line[3]
    assert not Matter.objects.exists() and not Department.objects.exists()


def test_it_reads_a_csv_saved_by_excel_in_gb18030():
    rows = [{"record": "department", "code": "110112-RSJ", "name": "区人社局"}, *_csv_matter("GB-1")]
    report = catalog_import(_csv(rows).encode("gb18030"), fmt="csv")
    assert report.created == ["GB-1"]
    assert Matter.objects.get(code="GB-1").name == "社会保障卡申领"


def test_the_demo_catalog_goes_through_the_same_checks():
    report = catalog_import(DEMO_CATALOG_PATH.read_bytes(), fmt="json")
    assert len(report.created) == 81
    social = Matter.objects.get(name="社会保障卡申领")
    assert {"power-of-attorney", "id-card", "photo"} <= set(social.materials.values_list("key", flat=True))
    assert all(m.fee_items.exists() for m in Matter.objects.filter(charged=True))


def test_the_commands_import_and_export(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(_json({**GOOD_MATTER, "trips_reason": ""}), encoding="utf-8")
    with pytest.raises(CommandError, match="1 处错误，未导入任何内容"):
        call_command("catalog_import", str(bad))
    assert "须写明必须现场办理的原因" in capsys.readouterr().err
    good = tmp_path / "good.json"
    good.write_text(_json(GOOD_MATTER), encoding="utf-8")
    call_command("catalog_import", str(good))
    out = tmp_path / "out.csv"
    call_command("catalog_export", str(out))
    assert "IMP-001" in out.read_text(encoding="utf-8")


def test_the_admin_import_page_lists_every_error_and_imports_nothing(admin_client):
    url = reverse("admin:catalog_matter_import")
    assert admin_client.get(url).status_code == 200
    text = _json(
        {**GOOD_MATTER, "code": "BAD-1", "promised_days": 30}, {**GOOD_MATTER, "code": "BAD-2", "channels": []}
    )
    upload = io.BytesIO(text.encode())
    upload.name = "catalog.json"
    response = admin_client.post(url, {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "文件有 2 处错误，未导入任何内容" in page and "BAD-1" in page and "BAD-2" in page
    assert not Matter.objects.exists()

    upload = io.BytesIO(_json(GOOD_MATTER).encode())
    upload.name = "catalog.json"
    response = admin_client.post(url, {"file": upload})
    assert response.status_code == 302
    assert Matter.objects.filter(code="IMP-001").exists()
    export = admin_client.get(reverse("admin:catalog_matter_export", args=["csv"]))
    assert export.status_code == 200 and "IMP-001" in export.content.decode("utf-8-sig")


def test_the_admin_import_page_refuses_odd_input_plainly(admin_client):
    url = reverse("admin:catalog_matter_import")
    missing = admin_client.post(url, {"format": "json"})
    assert missing.status_code == 400 and "请选择要导入的文件" in missing.content.decode()
    upload = io.BytesIO(_json(GOOD_MATTER).encode())
    upload.name = "catalog.json"
    odd_format = admin_client.post(url, {"file": upload, "format": "xlsx", "change_note": "x" * 500})
    assert odd_format.status_code == 400 and not Matter.objects.exists()
    page = odd_format.content.decode()
    # Both mistakes are named: the unknown format and the over-long note (Django's own sentences).
    assert "xlsx 不在可用的选项中" in page and "不超过 200 字符" in page


def test_the_import_reports_in_english_when_asked():
    from django.utils import translation

    with translation.override("en"), pytest.raises(ImportRefused) as refused:
        catalog_import(_json({**GOOD_MATTER, "trips_reason": ""}), fmt="json")
    assert refused.value.errors[0].startswith(
        f"Line {_line_of_matter(_json(GOOD_MATTER), 'IMP-001')} (matter IMP-001):"
    )
    assert "say why the applicant must come" in refused.value.errors[0]


def test_the_csv_export_escapes_formulas_and_reads_back_unchanged():
    """A name or note typed by a person that starts like a formula is not run by a spreadsheet: the cell
    gets a leading apostrophe, as in every other export; the import takes it off again."""
    risky = {
        **GOOD_MATTER,
        "name": '=HYPERLINK("http://x.invalid","点此")',
        "trips_reason": "+需本人到场",
        "materials": [{"key": "id-card", "name": "@居民身份证", "source": "government", "issuer": "-公安机关"}],
    }
    catalog_import(_json(risky, {**GOOD_MATTER, "code": "IMP-002", "name": "'引号开头"}), fmt="json")
    exported = catalog_export(matters_for_export(), fmt="csv")
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert '\'=HYPERLINK("http://x.invalid","点此")' in cells and "'+需本人到场" in cells
    assert "'@居民身份证" in cells and "'-公安机关" in cells and "''引号开头" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]

    again = catalog_import(exported, fmt="csv")
    assert again.unchanged == ["IMP-001", "IMP-002"] and not again.versioned
    assert Matter.objects.get(code="IMP-001").name.startswith("=HYPERLINK")
    assert Matter.objects.get(code="IMP-002").name == "'引号开头"
