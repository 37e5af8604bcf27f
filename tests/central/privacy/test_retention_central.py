"""Central's retention job (issue 12, PIPL): a received case with the materials that came over the wire and the
certificate issued is a case file (档案), kept thirty years after it ends and then anonymised, never before;
the registry's record of questions goes after three years."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from apps.central.registry.models import RegistryQuery
from apps.central.review.models import Certificate, ReviewCase, ReviewEvent, ReviewMaterial, ReviewStatus
from apps.shared.privacy.services import retention_run

T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)
PDF = b"%PDF-1.4\n%%EOF\n"


def run_at(time_machine, moment):
    time_machine.move_to(moment, tick=False)
    return retention_run()


@pytest.fixture
def decided(time_machine, platform, matter, approver):
    time_machine.move_to(T0 - 10 * DAY, tick=False)
    case = ReviewCase.objects.create(
        platform=platform,
        front_number="TZ2026022000001",
        matter=matter,
        department=matter.department,
        hall_name="北京城市副中心政务服务中心",
        applicant_name="王小明",
        applicant_id_number="11010519491231002X",
        status=ReviewStatus.IN_REVIEW,
        accepted_at=T0 - 10 * DAY,
    )
    scan = default_storage.save("review/2026/02/id.pdf", ContentFile(PDF))
    ReviewMaterial.objects.create(
        case=case, name="居民身份证", file=scan, content_type="application/pdf", size=len(PDF), sha256="a" * 64
    )
    licence = default_storage.save("certificates/2026/03/licence.pdf", ContentFile(PDF))
    Certificate.objects.create(
        case=case,
        licence_number="L-0001",
        verification_code="C0001",
        title="社会保障卡",
        holder="王小明",
        issued_on=T0.date(),
        file=licence,
        sha256="c" * 64,
        issued_by=approver,
    )
    time_machine.move_to(T0, tick=False)
    ReviewCase.objects.filter(pk=case.pk).update(status=ReviewStatus.DECIDED, decided_at=T0)
    ReviewEvent.objects.create(
        case=case, actor=approver, from_status=ReviewStatus.IN_REVIEW, to_status=ReviewStatus.DECIDED, at=T0
    )
    return case


@pytest.mark.django_db
class TestCentralRetention:
    def test_a_case_file_is_kept_thirty_years_after_its_last_change(self, time_machine, decided):
        scan = decided.materials.get().file.name
        run = run_at(time_machine, T0 + 30 * 365 * DAY - SECOND)
        assert run.counts["review.case_files"] == 0
        assert ReviewCase.objects.get(pk=decided.pk).applicant_name == "王小明" and default_storage.exists(scan)

        run = run_at(time_machine, T0 + 30 * 365 * DAY + SECOND)
        assert run.counts["review.case_files"] == 1
        case = ReviewCase.objects.get(pk=decided.pk)
        assert case.applicant_name == "" and case.applicant_id_number == "-"
        assert case.status == ReviewStatus.DECIDED and case.front_number == "TZ2026022000001"
        assert not case.audit_trail.exclude(applicant_name="").exists()
        material = case.materials.get()
        assert material.file.name == "" and material.sha256 == "a" * 64 and not default_storage.exists(scan)
        certificate = Certificate.objects.get(case=case)
        assert certificate.holder == "" and certificate.licence_number == "L-0001" and certificate.file.name == ""
        assert sum(run_at(time_machine, T0 + 30 * 365 * DAY + 2 * SECOND).counts.values()) == 0

    def test_an_open_case_is_never_anonymised(self, time_machine, decided):
        ReviewCase.objects.filter(pk=decided.pk).update(status=ReviewStatus.CORRECTION)
        assert run_at(time_machine, T0 + 40 * 365 * DAY).counts["review.case_files"] == 0
        assert ReviewCase.objects.get(pk=decided.pk).applicant_name == "王小明"

    def test_registry_questions_go_after_three_years(self, time_machine, platform):
        time_machine.move_to(T0, tick=False)
        RegistryQuery.objects.create(
            peer=platform, purpose="实名注册", reference="someone", id_number_index="i" * 64, matched=True
        )
        assert run_at(time_machine, T0 + 3 * 365 * DAY - SECOND).counts["registry.queries"] == 0
        assert run_at(time_machine, T0 + 3 * 365 * DAY + SECOND).counts["registry.queries"] == 1
        assert not RegistryQuery.objects.exists()
