"""A citizen's export of everything the front holds about them (issue 12, PIPL Art. 45): one JSON document
over the API, or a zip with the citizen's own files on /me/privacy/; nobody else's data in it; at most
PRIVACY_EXPORTS_PER_DAY a day; every download logged."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client

from apps.shared.privacy.models import DataExport
from tests.journey_helpers import PDF, PNG

EXPORT = "/api/v1/me/export/"


@pytest.mark.django_db
class TestExport:
    def test_it_gives_everything_held_about_the_citizen_and_nothing_of_anyone_else(self, api, held, citizen):
        response = api(citizen).get(EXPORT)
        assert response.status_code == 200, response.content
        assert response["Content-Type"].startswith("application/json")
        assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
        data = json.loads(response.content)
        sections = data["sections"]
        assert data["format_version"] == 1
        account = sections["account"]
        assert (account["username"], account["real_name"], account["phone"]) == ("citizen", "王小明", "13800001111")
        assert account["id_number"] == citizen.id_number
        assert [a["code"] for a in sections["booking"]["appointments"]] == ["A0000001"]  # not the other citizen's
        assert sections["booking"]["appointments"][0]["status"] == "completed"
        assert sections["hall_tickets"][0]["number"] == "A007"
        [case] = sections["intake"]["cases"]
        assert (case["number"], case["status"], case["status_label"]) == ("TZ2026030200001", "closed", "已办结")
        assert case["materials"][0]["name"] == "居民身份证" and case["materials"][0]["sha256"] == "a" * 64
        assert case["documents"][0]["verification_code"] == "VERIFY000001"
        assert {item["name"] for item in sections["intake"]["vault"]} == {"居民身份证", "户口簿"}
        assert sections["deliveries"][0]["address"] == "北京市通州区运河东大街1号"
        assert sections["consultations"][0]["messages"][0]["body"].startswith("我叫王小明")
        assert sections["ratings"][0]["comment"] == "李窗口服务很好"
        assert sections["notifications"]["messages"][0]["subject"] == "您的办件已受理"
        assert sections["checklists"][0]["answers"] == {"photo": "kept"}
        [consent] = sections["consents"]
        assert (
            consent["purpose"] == "registry_check"
            and consent["version"] == "2026.1"
            and "人口信息库" in consent["text"]
        )
        assert "A0000002" not in response.content.decode()
        # Logged: who, how, how big; never the content.
        record = DataExport.objects.get()
        assert (record.user, record.format, record.channel, record.size) == (
            citizen,
            "json",
            "api",
            len(response.content),
        )

    def test_the_page_gives_a_zip_with_the_citizens_own_files(self, held, citizen):
        client = Client()
        client.force_login(citizen)
        page = client.get("/me/privacy/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "导出我的数据" in html and "人口信息库核验" in html and "注销账户" in html
        response = client.post("/me/privacy/export/", {"format": "zip"})
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        names = set(archive.namelist())
        assert "data.json" in names
        vault = {name for name in names if name.startswith("files/intake/vault/")}
        uploads = {name for name in names if name.startswith("files/intake/uploads/")}
        assert len(vault) == 2 and len(uploads) == 1
        contents = {archive.read(name) for name in vault | uploads}
        assert contents == {PNG, PDF}
        data = json.loads(archive.read("data.json"))
        assert data["sections"]["account"]["username"] == "citizen"
        assert len(data["files"]) == 3 and not any(f["missing"] for f in data["files"])
        assert DataExport.objects.get().format == "zip"

    def test_it_is_limited_per_day(self, api, citizen, settings):
        settings.PRIVACY_EXPORTS_PER_DAY = 2
        client = api(citizen)
        assert [client.get(EXPORT).status_code for _ in range(2)] == [200, 200]
        refused = client.get(EXPORT)
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
        assert int(refused["Retry-After"]) > 0
        assert "导出个人信息的次数已达上限" in refused.json()["detail"]
        english = client.get(EXPORT, HTTP_ACCEPT_LANGUAGE="en")
        assert english.status_code == 429 and "export" in english.json()["detail"].lower()
        assert DataExport.objects.count() == 2
        page = Client()
        page.force_login(citizen)
        assert page.post("/me/privacy/export/", {"format": "json"}).status_code == 429

    def test_it_is_for_verified_citizens_only(self, api, clerk):
        assert api(None).get(EXPORT).status_code == 401
        assert api(clerk).get(EXPORT).status_code == 403
        page = Client()
        page.force_login(clerk)
        assert page.get("/me/privacy/").status_code == 403
        assert page.post("/me/privacy/export/").status_code == 403
        assert not DataExport.objects.exists()

    def test_my_services_links_to_my_personal_information(self, citizen):
        client = Client()
        client.force_login(citizen)
        assert 'href="/me/privacy/"' in client.get("/me/").content.decode()
