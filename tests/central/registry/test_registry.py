"""Central's population registry (issue 12): loaded from a file, asked over the signed wire for match / no
match only, every question recorded with the asking platform and its purpose."""

from __future__ import annotations

import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.central.registry.models import RegistryPerson, RegistryQuery
from govservice.lib import signing

PATH = "/api/v1/registry/verify/"
LI_MING = {"name": "李明", "id_number": "11010519491231002X"}


def ask(client, question: dict | bytes, *, key_id: str = "k1", secret: str = "test-secret", **extra):
    body = question if isinstance(question, bytes) else json.dumps(question, ensure_ascii=False).encode()
    headers = signing.sign(
        key_id=key_id, secret=secret, method="POST", path=PATH, message_id=str(uuid.uuid4()), body=body
    )
    return client.post(
        PATH,
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
        **extra,
    )


@pytest.fixture
def loaded(db, tmp_path):
    path = tmp_path / "people.json"
    path.write_text(json.dumps([LI_MING, {"name": "欧阳 晓雯", "id_number": "110105199207180621"}], ensure_ascii=False))
    call_command("registry_load", str(path), stdout=StringIO())


@pytest.mark.django_db
class TestRegistry:
    def test_it_loads_a_csv_file_and_reports_bad_rows_without_their_content(self, tmp_path):
        path = tmp_path / "people.csv"
        path.write_text(
            "name,id_number\n李明,11010519491231002x\n坏号,110105194912310021\n,440524188001010014\n", encoding="utf-8"
        )
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError):
            call_command("registry_load", str(path), stdout=out, stderr=err)
        assert "1 created" in out.getvalue()
        assert "row 2: invalid ID number" in err.getvalue() and "row 3: no name" in err.getvalue()
        assert "110105194912310021" not in err.getvalue()
        person = RegistryPerson.objects.get()
        assert person.id_number == "11010519491231002X" and person.name == "李明"
        # Loading again updates, never duplicates.
        path.write_text("name,id_number\n李明,11010519491231002X\n", encoding="utf-8")
        call_command("registry_load", str(path), stdout=StringIO())
        assert RegistryPerson.objects.count() == 1

    def test_it_answers_match_or_no_match_and_records_who_asked_why(self, client, platform, loaded):
        yes = ask(client, {**LI_MING, "purpose": "实名注册", "reference": "liming"})
        assert yes.status_code == 200 and yes.json() == {"match": True}
        no = ask(client, {**LI_MING, "name": "王五", "purpose": "实名注册"})
        assert no.status_code == 200 and no.json() == {"match": False}
        unknown = ask(client, {"name": "王芳", "id_number": "440524188001010014", "purpose": "实名注册"})
        assert unknown.json() == {"match": False}
        # Names compare as people write them: spaces and full-width forms do not matter.
        assert ask(client, {"name": "欧阳晓雯", "id_number": "110105199207180621", "purpose": "实名注册"}).json() == {
            "match": True
        }
        records = list(
            RegistryQuery.objects.order_by("id").values_list("peer__code", "purpose", "reference", "matched")
        )
        assert records[:2] == [("BJ-TZ", "实名注册", "liming", True), ("BJ-TZ", "实名注册", "", False)]
        # The record keeps the keyed hash of the number asked about, never the number.
        assert "11010519491231002" not in str(list(RegistryQuery.objects.values()))

    def test_it_refuses_unsigned_wrongly_signed_and_purposeless_questions(self, client, platform, loaded):
        body = json.dumps({**LI_MING, "purpose": "实名注册"}).encode()
        assert client.post(PATH, data=body, content_type="application/json").status_code == 401
        assert ask(client, {**LI_MING, "purpose": "实名注册"}, secret="wrong").status_code == 401
        assert ask(client, {**LI_MING, "purpose": "实名注册"}, key_id="nobody").status_code == 401
        purposeless = ask(client, {**LI_MING, "purpose": " "})
        assert purposeless.status_code == 400 and purposeless.json()["code"] == "purpose_required"
        assert ask(client, b"not json").status_code == 400
        assert not RegistryQuery.objects.exists()

    def test_it_refuses_an_oversize_question_unread(self, client, platform, settings):
        settings.REGISTRY_MAX_BODY = 100
        response = ask(client, {**LI_MING, "purpose": "x" * 200})
        assert response.status_code == 413
        assert not RegistryQuery.objects.exists()
