"""Central's licence library (issue 16): every certificate central issues enters it sealed (PAdES) with the
department's key; licences of other departments' systems are imported from a file; the platforms ask over the
signed wire for what a case's matter needs, with the citizen's consent, every question recorded; a revoked
licence is told to every platform that holds it."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from apps.central.licences.models import Licence, LicenceQuery, LicenceSource, OfficeKey
from apps.central.licences.services import licence_revoke
from apps.central.review.models import Certificate, ReviewCase
from apps.shared.catalog.models import Material, MaterialSource
from apps.shared.exchange.models import OutboxMessage, Peer, PeerKey
from govservice.lib import pades, signing
from tests.central.reviewing import to_decision
from tests.central.test_review import package, send
from tests.factories import make_matter

QUERY, STATUS = "/api/v1/licences/query/", "/api/v1/licences/status/"
HOLDER = {"name": "王小明", "id_number": "11010519491231002X"}  # the applicant of tests.central.test_review.package
CONSENT = {"purpose": "vault_reuse", "version": "2026.2", "given_at": "2026-12-01T09:00:00+08:00"}


def ask(client, path: str, question: dict, *, key_id: str = "k1", secret: str = "test-secret"):
    body = json.dumps(question, ensure_ascii=False).encode()
    headers = signing.sign(
        key_id=key_id, secret=secret, method="POST", path=path, message_id=str(uuid.uuid4()), body=body
    )
    return client.post(
        path,
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )


def question(matter, keys, **changes) -> dict:
    return {
        "person": HOLDER,
        "purpose": "受理办件",
        "reference": "TZ2026120100007",
        "matter_code": matter.code,
        "material_keys": keys,
        "consent": CONSENT,
        **changes,
    }


def pyhanko_status(pdf: bytes, certificate_pem: str):
    from asn1crypto import pem, x509

    trust = x509.Certificate.load(pem.unarmor(certificate_pem.encode())[2])
    [signature] = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[trust], allow_fetching=False))


@pytest.fixture
def issued(api, client, approver, platform, matter):
    """A certificate central issued for an approved case: its result is 社会保障卡 (matter M-001)."""
    matter.result_name = "社会保障卡"
    matter.save(update_fields=["result_name"])
    send(client, *package(matter))
    case = ReviewCase.objects.get()
    to_decision(api, approver, case)
    api(approver).post(f"/api/v1/cases/{case.id}/decide/", {"decision": "approved", "reason": ""}, format="json")
    assert api(approver).post(f"/api/v1/cases/{case.id}/result/", {"valid_years": 5}, format="json").status_code == 200
    return Licence.objects.get()


@pytest.fixture
def needing(department):
    """Another matter that needs the 社会保障卡 central issues (a government-issued material), and an ID card."""
    matter = make_matter("M-NEED", department=department, name="社会保障卡补领")
    Material.objects.create(
        matter=matter,
        key="social-security-card",
        position=3,
        name="社会保障卡",
        source=MaterialSource.GOVERNMENT,
        issuer="区人社局",
    )
    return matter


@pytest.mark.django_db
class TestIssuedAndSigned:
    def test_a_certificate_enters_the_library_sealed_with_the_departments_key(self, issued, department):
        certificate = Certificate.objects.get()
        assert issued.source == LicenceSource.ISSUED and issued.number == certificate.licence_number
        assert issued.verification_code == certificate.verification_code and issued.platform.code == "BJ-TZ"
        assert issued.office.office == department.code and issued.holder_name == "王小明"
        assert "11010519491231002" not in str(list(Licence.objects.values()))  # the keyed hash only
        pdf = issued.file.read()
        assert hashlib.sha256(pdf).hexdigest() == issued.sha256 == certificate.sha256
        # pyHanko's own validator: intact, covering the whole file, made with the office's certificate.
        status = pyhanko_status(pdf, issued.office.certificate_pem)
        assert status.intact and status.valid and status.trusted and status.coverage.name == "ENTIRE_FILE"
        assert pades.pdf_signature_check(pdf, certificate_pem=issued.office.certificate_pem).valid

    def test_a_modified_pdf_fails_the_signature_check(self, issued):
        pdf = bytearray(issued.file.read())
        pdf[300] ^= 0x01  # one bit inside the signed bytes
        status = pyhanko_status(bytes(pdf), issued.office.certificate_pem)
        assert not status.intact
        assert not pades.pdf_signature_check(bytes(pdf), certificate_pem=issued.office.certificate_pem).valid
        # Another office's certificate does not vouch for it either, nor does an unsigned PDF pass.
        stranger = pades.office_key_generate(name="别的机关")
        assert not pades.pdf_signature_check(issued.file.read(), certificate_pem=stranger.certificate_pem).by_office
        assert not pades.pdf_signature_check(
            b"%PDF-1.4 not signed", certificate_pem=issued.office.certificate_pem
        ).signed

    def test_keys_are_made_per_office_and_kept(self, department):
        out = StringIO()
        call_command("licences_keys", stdout=out)
        assert "2 generated" in out.getvalue()  # the department's and the library's
        call_command("licences_keys", stdout=out)
        assert OfficeKey.objects.count() == 2
        shown = StringIO()
        call_command("licences_keys", "--show", department.code, stdout=shown)
        assert shown.getvalue().startswith("-----BEGIN CERTIFICATE-----")
        assert "PRIVATE" not in str(OfficeKey.objects.values_list("key_pem", flat=True).query)


@pytest.mark.django_db
class TestImport:
    def test_it_imports_a_csv_and_a_json_file_and_reports_bad_rows_by_line(self, tmp_path):
        path = tmp_path / "licences.csv"
        path.write_text(
            "number,title,material_key,holder_name,holder_id_number,issuer,issued_on,valid_until\n"
            "JY-2025-0001,营业执照,business-licence,王小明,11010519491231002X,北京市通州区市场监督管理局,2025-03-01,\n"
            "JY-2025-0002,营业执照,business-licence,李四,110105194912310021,北京市通州区市场监督管理局,2025-03-01,\n"
            "JY-2025-0003,营业执照,business-licence,,11010519491231002X,北京市通州区市场监督管理局,2025-03-01,\n",
            encoding="utf-8",
        )
        out, err = StringIO(), StringIO()
        call_command("licences_import", str(path), stdout=out, stderr=err)
        assert "1 imported, 2 refused" in out.getvalue()
        assert "row 2: invalid ID number" in err.getvalue() and "row 3: missing holder_name" in err.getvalue()
        assert "110105194912310021" not in err.getvalue()
        licence = Licence.objects.get()
        assert (
            licence.source == LicenceSource.IMPORTED
            and licence.office.office == "library"
            and licence.valid_until is None
        )
        assert pades.pdf_signature_check(licence.file.read(), certificate_pem=licence.office.certificate_pem).valid
        again = tmp_path / "again.json"
        again.write_text(
            json.dumps(
                [
                    {
                        "number": "JY-2025-0001",
                        "title": "营业执照",
                        "holder_name": "王小明",
                        "holder_id_number": "11010519491231002X",
                        "issuer": "x",
                        "issued_on": "2025-03-01",
                    }
                ],
                ensure_ascii=False,
            )
        )
        with pytest.raises(CommandError):
            call_command("licences_import", str(again), stdout=StringIO(), stderr=StringIO())
        assert Licence.objects.count() == 1

    def test_the_admin_imports_a_file(self, client, tmp_path):
        from apps.shared.accounts.models import Role
        from tests.factories import make_user

        admin = make_user("root", Role.CENTRAL_SUPERVISOR, real_name="管理员")
        admin.is_staff = admin.is_superuser = True
        admin.save()
        client.force_login(admin)
        data = json.dumps(
            [
                {
                    "number": "HZ-1",
                    "title": "结婚证",
                    "material_key": "marriage-certificate",
                    "holder_name": "王小明",
                    "holder_id_number": "11010519491231002X",
                    "issuer": "区民政局",
                    "issued_on": "2020-05-20",
                }
            ],
            ensure_ascii=False,
        )
        upload = io.BytesIO(data.encode())
        upload.name = "licences.json"
        response = client.post("/admin/licences/licence/import/", {"file": upload})
        assert response.status_code == 302
        assert Licence.objects.get().number == "HZ-1"
        assert client.get("/admin/licences/licence/").status_code == 200


@pytest.mark.django_db
class TestQuestions:
    def test_it_gives_only_what_the_matter_needs_and_records_it(self, client, issued, needing):
        response = ask(client, QUERY, question(needing, ["social-security-card"]))
        assert response.status_code == 200, response.content
        [given] = response.json()["licences"]
        assert given["number"] == issued.number and given["material_key"] == "social-security-card"
        assert hashlib.sha256(base64.b64decode(given["pdf"])).hexdigest() == issued.sha256
        record = LicenceQuery.objects.get()
        assert (record.peer.code, record.purpose, record.reference, record.returned, record.refused) == (
            "BJ-TZ",
            "受理办件",
            "TZ2026120100007",
            [issued.number],
            "",
        )
        # Another person, or the same number under another name: nothing.
        assert ask(
            client, QUERY, question(needing, ["social-security-card"], person={**HOLDER, "name": "王五"})
        ).json() == {"licences": []}

    def test_consent_refused(self, client, issued, needing):
        response = ask(client, QUERY, question(needing, ["social-security-card"], consent=None))
        assert response.status_code == 400 and response.json()["code"] == "consent_required"
        assert LicenceQuery.objects.get().refused == "consent_required"
        assert LicenceQuery.objects.get().returned == []

    def test_a_platform_asking_for_a_licence_it_has_no_case_for_is_refused_and_logged(
        self, client, issued, needing, matter
    ):
        # No case named.
        response = ask(client, QUERY, question(needing, ["social-security-card"], reference=""))
        assert response.status_code == 403 and response.json()["code"] == "no_case"
        # A case whose matter does not need that licence (M-001 asks for no government-issued material).
        response = ask(client, QUERY, question(matter, ["social-security-card"]))
        assert response.status_code == 403 and response.json()["code"] == "not_needed"
        # A matter that does not exist.
        assert ask(client, QUERY, question(needing, ["x"], matter_code="NOPE")).json()["code"] == "no_case"
        assert list(LicenceQuery.objects.order_by("id").values_list("refused", "returned")) == [
            ("no_case", []),
            ("not_needed", []),
            ("no_case", []),
        ]

    def test_it_refuses_unsigned_and_malformed_questions_unrecorded(self, client, issued, needing):
        body = json.dumps(question(needing, ["social-security-card"])).encode()
        assert client.post(QUERY, data=body, content_type="application/json").status_code == 401
        assert ask(client, QUERY, question(needing, ["social-security-card"]), secret="wrong").status_code == 401
        response = ask(client, QUERY, {"person": HOLDER})
        assert response.status_code == 400 and "purpose" in response.json()["detail"]
        assert not LicenceQuery.objects.exists()


@pytest.mark.django_db
class TestRevocation:
    def test_a_revoked_licence_is_told_to_every_platform_given_it_and_given_no_more(self, client, issued, needing):
        other = Peer.objects.create(code="BJ-SZX", name="北京市政务服务中心", base_url="http://127.0.0.1:9")
        PeerKey.objects.create(peer=other, key_id="k2", secret="other-secret")
        assert ask(
            client, QUERY, question(needing, ["social-security-card"]), key_id="k2", secret="other-secret"
        ).json()["licences"]
        assert ask(client, STATUS, {"numbers": [issued.number, "NOPE"]}).json()["states"] == {
            issued.number: "valid",
            "NOPE": "unknown",
        }
        licence_revoke(number=issued.number, reason="以欺骗手段取得", actor="tester")
        told = OutboxMessage.objects.filter(kind="licence.revoked")
        # The platform whose case it was issued for, and the one that was given it.
        assert sorted(told.values_list("peer__code", flat=True)) == ["BJ-SZX", "BJ-TZ"]
        assert told.first().payload["number"] == issued.number
        assert ask(client, QUERY, question(needing, ["social-security-card"])).json() == {"licences": []}
        status = ask(client, STATUS, {"codes": [issued.verification_code]}).json()
        assert status["by_code"][issued.verification_code]["state"] == "revoked"
        assert status["by_code"][issued.verification_code]["certificate"].startswith("-----BEGIN CERTIFICATE-----")
        with pytest.raises(Exception, match="已撤销"):
            licence_revoke(number=issued.number, reason="again")
