"""What the back office holds about people, for the personal-information lifecycle (apps/shared/privacy): a
received case names its applicant (name and ID number) and holds the materials received over the wire and the
certificate issued. These are case files (档案): kept RETENTION_CASE_FILES_DAYS from the case's last change
once it is finished, never deleted early; at the end of the period they are anonymised (the applicant's name
and number, the scans and the certificate's PDF go; the case's facts, the decision and the licence number,
and the SHA-256 of every file stay)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db.models import Max, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind, final_statuses

from .models import REVIEW_TRANSITIONS, Certificate, ExtensionRequest, ReviewCase, ReviewEvent, ReviewMaterial

THIRTY_YEARS = 30 * 365
ANONYMISED_ID = "-"


def _audit():
    return apps.get_model("review", "ReviewCaseAudit")


def case_files_due(cutoff: dt.datetime) -> QuerySet[ReviewCase]:
    """Finished cases whose last change (event, delivery) was before the cutoff, still naming their applicant."""
    return (
        ReviewCase.objects.filter(status__in=final_statuses(REVIEW_TRANSITIONS))
        .exclude(applicant_name="")
        .alias(
            last_change=Greatest(Coalesce(Max("events__at"), "received_at"), Coalesce("delivered_at", "received_at"))
        )
        .filter(last_change__lt=cutoff)
    )


def case_files_anonymise(pks: list[Any]) -> int:
    files = [m.file for m in ReviewMaterial.objects.filter(case_id__in=pks).exclude(file="")]
    files += [c.file for c in Certificate.objects.filter(case_id__in=pks).exclude(file="")]
    for stored in files:
        if stored.name:
            stored.storage.delete(stored.name)
    ReviewMaterial.objects.filter(case_id__in=pks).update(file="")
    Certificate.objects.filter(case_id__in=pks).update(file="", holder="")
    # The ID number column may not be empty (the encrypted field stores "" as NULL, which it refuses): a dash,
    # encrypted like any value, which no look-up matches and every mask shows as "*".
    blank = {"applicant_name": "", "applicant_id_number": ANONYMISED_ID, "agent_name": "", "agent_id_masked": ""}
    _audit().objects.filter(pgh_obj_id__in=pks).update(**blank)
    return ReviewCase.objects.filter(pk__in=pks).update(**blank)


registry.register_kind(
    RecordKind(
        "review.case_files",
        _("办件档案（含接收的材料与证照）"),
        "RETENTION_CASE_FILES_DAYS",
        Action.ANONYMISE,
        case_files_due,
        _("档案法及《机关文件材料归档范围和文书档案保管期限规定》：办件档案定期30年，期满前不删除"),
        apply=case_files_anonymise,
        covers=(ReviewMaterial, ReviewEvent, Certificate, ExtensionRequest),
        minimum_days=THIRTY_YEARS,
        audit_models=(_audit(),),
    )
)
