"""The application form (申请表) as a PDF (govservice/lib/pdf.py, WeasyPrint): one of the case's materials, which
central's staff read like any other. An online application makes it at submission (services/applications.py), a
remote-window session when central concludes it (apps/front/remote/services/outcomes.py); both make it here, so
that the two carry the same applicant, matter and answers, laid out alike. The ID number shows its public mask,
as on all paper."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from apps.front.booking.models import Hall
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Matter
from govservice.lib.masking import mask_id_public
from govservice.lib.pdf import render_pdf


def application_form_pdf(
    *,
    title: str,
    code: str,
    matter: Matter,
    hall: Hall,
    applicant: User,
    answers: Sequence[tuple[str, str]],
    materials: Sequence[tuple[str, str]],
    at: dt.datetime,
    declaration: str = "",
    via: str = "",
    confirmed: str = "",
) -> bytes:
    """The form ``code`` names, for ``applicant`` at ``hall``, made at ``at`` (shown in local time): ``answers``
    as (label, answer as people read it), ``materials`` as (name, state: "held", "form", "produced", "optional" or
    ""). ``declaration`` is the applicant's promise, left out when empty. ``via`` and ``confirmed`` say how it
    came and how the applicant confirmed it, when not 网上申报 with the real-name sign-in (what the form says
    without them)."""
    return render_pdf(
        "online/application_form_pdf.html",
        {
            "title": title,
            "code": code,
            "matter": matter,
            "department": matter.department.name,
            "hall": hall.name,
            "applicant": applicant.real_name,
            "applicant_id": mask_id_public(applicant.id_number or ""),
            "answers": answers,
            "materials": materials,
            "declaration": declaration,
            "submitted": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
            "via": via,
            "confirmed": confirmed,
        },
    )
