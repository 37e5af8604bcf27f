"""Central's register of legal persons (issue 15): loaded from a file, asked over the signed wire whether a
company exists under a credit code and name and whether a person is its legal representative — match or no
match, nothing of the register returned, every question recorded."""

from __future__ import annotations

import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.central.registry.models import RegistryCompany, RegistryQuery
from govservice.lib import signing

PATH = "/api/v1/registry/companies/verify/"
YUNCHUANG = {
    "credit_code": "91110112MA01YCW8XM",
    "name": "北京云窗科技有限公司",
    "representative_name": "欧阳晓雯",
    "representative_id_number": "110105199207180621",
}
CLOSED = {
    "credit_code": "91110112MA01YCWH5L",
    "name": "北京已注销贸易有限公司",
    "representative_name": "李明",
    "representative_id_number": "11010519491231002X",
    "active": "false",
}


def ask(client, question: dict | bytes, *, secret: str = "test-secret"):
    body = question if isinstance(question, bytes) else json.dumps(question, ensure_ascii=False).encode()
    headers = signing.sign(
        key_id="k1", secret=secret, method="POST", path=PATH, message_id=str(uuid.uuid4()), body=body
    )
    return client.post(
        PATH,
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )


@pytest.fixture
def loaded(db, tmp_path):
    path = tmp_path / "companies.json"
    path.write_text(json.dumps([YUNCHUANG, CLOSED], ensure_ascii=False))
    call_command("registry_load", str(path), "--companies", stdout=StringIO())


@pytest.mark.django_db
class TestCompanyRegister:
    def test_it_loads_companies_and_reports_bad_rows_by_line_only(self, tmp_path):
        path = tmp_path / "companies.csv"
        path.write_text(
            "credit_code,name,representative_name,representative_id_number\n"
            "91110112MA01YCW8XM,北京云窗科技有限公司,欧阳晓雯,110105199207180621\n"
            "91110112MA01YCW8XN,坏代码有限公司,李明,11010519491231002X\n"  # wrong check character
            "91110112MA01YCW9JL,示例餐饮,王芳,440524188001010015\n"  # wrong ID number of the representative
            "91110112MA01YCWH5L,,李明,11010519491231002X\n",
            encoding="utf-8",
        )
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError):
            call_command("registry_load", str(path), "--companies", stdout=out, stderr=err)
        assert "Companies: 1 created" in out.getvalue()
        assert "row 2: invalid credit code" in err.getvalue()
        assert "row 3: invalid ID number of the representative" in err.getvalue()
        assert "row 4: no name" in err.getvalue()
        assert "440524188001010015" not in err.getvalue()
        company = RegistryCompany.objects.get()
        assert (company.credit_code, company.representative_name, company.active) == (
            "91110112MA01YCW8XM",
            "欧阳晓雯",
            True,
        )
        assert "110105199207180621" not in str(list(RegistryCompany.objects.values()))

    def test_it_matches_the_company_and_its_representative_only(self, client, platform, loaded):
        question = {**YUNCHUANG, "purpose": "法人账户注册", "reference": "91110112MA01YCW8XM"}
        yes = ask(client, question)
        assert yes.status_code == 200 and yes.json() == {"match": True}
        # Lower case and spaces in the code, the name as people write it: still the same company.
        assert ask(client, {**question, "credit_code": "91110112ma01 ycw8xm"}).json() == {"match": True}
        for wrong in (
            {"name": "北京云窗科技股份有限公司"},
            {"representative_name": "张伟"},
            {"representative_id_number": "110112198503120411"},  # a real person, not its representative
            {"credit_code": "91110112MA01YCW9JL"},  # another company
            {"credit_code": "91110112MA01YCW8XN"},  # not a code at all
        ):
            assert ask(client, {**question, **wrong}).json() == {"match": False}, wrong

    def test_a_deregistered_company_matches_nothing(self, client, platform, loaded):
        assert ask(client, {**CLOSED, "purpose": "法人账户注册"}).json() == {"match": False}

    def test_it_records_who_asked_why_about_which_code_never_the_id_number(self, client, platform, loaded):
        ask(client, {**YUNCHUANG, "purpose": "法人账户注册", "reference": "ref-1"})
        record = RegistryQuery.objects.get()
        assert (record.peer.code, record.purpose, record.reference, record.credit_code, record.matched) == (
            "BJ-TZ",
            "法人账户注册",
            "ref-1",
            "91110112MA01YCW8XM",
            True,
        )
        assert record.id_number_index and "110105199207180621" not in str(list(RegistryQuery.objects.values()))

    def test_it_refuses_unsigned_malformed_and_purposeless_questions(self, client, platform, loaded):
        body = json.dumps({**YUNCHUANG, "purpose": "法人账户注册"}).encode()
        assert client.post(PATH, data=body, content_type="application/json").status_code == 401
        assert ask(client, {**YUNCHUANG, "purpose": "法人账户注册"}, secret="wrong").status_code == 401
        purposeless = ask(client, {**YUNCHUANG, "purpose": ""})
        assert purposeless.status_code == 400 and purposeless.json()["code"] == "purpose_required"
        missing = ask(client, {"credit_code": YUNCHUANG["credit_code"], "purpose": "法人账户注册"})
        assert missing.status_code == 400 and missing.json()["code"] == "invalid"
        assert ask(client, b"[1, 2]").status_code == 400
        assert not RegistryQuery.objects.exists()
