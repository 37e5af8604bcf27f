"""What an online application holds about a person, at the end of its period (PIPL Art. 19, 47): a draft never
submitted goes with its files RETENTION_ONLINE_DRAFTS_DAYS after its last change; a submitted one's working copy
(answers, address, file rows) is emptied RETENTION_ONLINE_APPLICATIONS_DAYS after its case ended, never while the
case is open, and the stored files the case file names stay. The citizen's export has it; account deletion takes it."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.front.intake.models import Case, CaseStatus
from apps.front.online.models import ApplicationFile, OnlineApplication
from apps.shared.privacy.services import retention_run
from tests.journey_helpers import PDF, upload

from .conftest import ANSWERS, fill, start, submit

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
DAY = dt.timedelta(days=1)


def run_at(moment):
    with time_machine.travel(moment, tick=False):
        return retention_run()


@pytest.fixture
def draft(api, citizen, online_matter):
    with time_machine.travel(T0, tick=False):
        code = start(api, citizen, online_matter)["code"]
        fill(api, citizen, code, files=("proof",))
    return OnlineApplication.objects.get(code=code)


@pytest.fixture
def sent(api, other_citizen, online_matter, central_peer):
    with time_machine.travel(T0, tick=False):
        code = start(api, other_citizen, online_matter)["code"]
        fill(api, other_citizen, code)
        submit(api, other_citizen, code)
    return OnlineApplication.objects.select_related("case").get(code=code)


def test_a_draft_goes_with_its_files_after_its_period_and_not_before(draft):
    stored = ApplicationFile.objects.get(application=draft).file.name
    assert run_at(T0 + 180 * DAY - dt.timedelta(seconds=1)).counts["online.drafts"] == 0
    assert OnlineApplication.objects.filter(pk=draft.pk).exists()
    assert run_at(T0 + 180 * DAY + dt.timedelta(seconds=1)).counts["online.drafts"] == 1
    assert not OnlineApplication.objects.filter(pk=draft.pk).exists() and not ApplicationFile.objects.exists()
    assert not default_storage.exists(stored)


def test_a_submitted_working_copy_is_emptied_a_year_after_its_case_ended_keeping_the_case_files(sent):
    case = sent.case
    scans = list(case.materials.values_list("file", flat=True))
    assert run_at(T0 + 5 * 365 * DAY).counts["online.applications"] == 0  # the case is still open
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, updated_at=T0)
    assert run_at(T0 + 365 * DAY - dt.timedelta(seconds=1)).counts["online.applications"] == 0
    assert run_at(T0 + 365 * DAY + dt.timedelta(seconds=1)).counts["online.applications"] == 1
    application = OnlineApplication.objects.get(pk=sent.pk)
    assert application.form_values == application.form_values_sent == {} and application.case == case
    assert not ApplicationFile.objects.filter(application=application).exists()
    # The case file keeps what was submitted, in storage.
    assert all(default_storage.exists(name) for name in scans)
    assert run_at(T0 + 365 * DAY + 2 * dt.timedelta(seconds=1)).counts["online.applications"] == 0


def test_the_export_has_the_applications_and_only_the_citizens_own(api, citizen, draft, sent):
    sections = json.loads(api(citizen).get("/api/v1/me/export/").content)["sections"]
    [mine] = sections["online"]
    assert mine["code"] == draft.code and mine["form_values"] == ANSWERS
    assert [f["material"] for f in mine["files"]] == ["proof"]


def test_deleting_the_account_takes_the_drafts(api, citizen, draft):
    stored = ApplicationFile.objects.get(application=draft).file.name
    response = api(citizen).post("/api/v1/me/delete/", {"password": "pass-Word-2026"}, format="json")
    assert response.status_code == 200, response.content
    assert not OnlineApplication.objects.exists() and not default_storage.exists(stored)


def test_a_bundle_draft_goes_with_its_files_and_a_finished_bundles_copy_is_emptied(api, citizen, hall):
    from apps.front.online.models import BundleApplication
    from apps.shared.catalog.models import Bundle, BundleItem

    from .conftest import make_online_matter

    make_online_matter(hall, code="ON-B1")
    make_online_matter(hall, code="ON-B2", name="失业保险金申领")
    bundle = Bundle.objects.create(code="b", name="失业人员一件事")
    BundleItem.objects.create(bundle=bundle, position=1, matter_code="ON-B1")
    BundleItem.objects.create(bundle=bundle, position=2, matter_code="ON-B2", after="ON-B1")
    with time_machine.travel(T0, tick=False):
        code = api(citizen).post("/api/v1/online/bundle-applications/", {"bundle": "b"}, format="json").json()["code"]
        api(citizen).post(
            f"/api/v1/online/bundle-applications/{code}/files/",
            {"material": "proof", "file": upload("p.pdf", PDF, "application/pdf")},
            format="multipart",
        )
    stored = ApplicationFile.objects.get(bundle_application__code=code).file.name
    assert run_at(T0 + 180 * DAY - dt.timedelta(seconds=1)).counts["online.bundle_drafts"] == 0
    assert run_at(T0 + 180 * DAY + dt.timedelta(seconds=1)).counts["online.bundle_drafts"] == 1
    assert not BundleApplication.objects.exists() and not default_storage.exists(stored)
    # A finished one keeps its row, emptied a year after its last answer.
    finished = BundleApplication.objects.create(
        code="DONE000001",
        applicant=citizen,
        filed_by=citizen,
        bundle=bundle,
        hall=hall,
        form_values={"employer": "x"},
        submitted_at=T0,
        completed_at=T0,
    )
    assert run_at(T0 + 365 * DAY + dt.timedelta(seconds=1)).counts["online.bundles"] == 1
    finished.refresh_from_db()
    assert finished.form_values == {} and finished.completed_at == T0
