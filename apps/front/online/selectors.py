"""Reads for online applications: whose they are, and the checklist of what the application still needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from apps.front.booking.models import Hall
from apps.front.booking.selectors import halls_for_matter
from apps.front.intake.models import Case, EvidenceItem
from apps.front.intake.selectors import (
    case_get_for_staff,
    evidence_usable_online,
    prereview_queue_for_staff,
    prereview_waiting_for_staff,
)
from apps.shared.accounts.models import User
from apps.shared.catalog.formfields import form_values_display
from apps.shared.catalog.models import Material, Matter, MatterField, OnlineDepth

from .models import ApplicationFile, OnlineApplication

# The catalogue's key of a matter's application form (申请书, 申请表): the online form replaces it.
APPLICATION_FORM_KEY = "application-form"
# What an application's checklist says of each material.
UPLOADED, FORM, HELD, MISSING, OPTIONAL = "uploaded", "form", "held", "missing", "optional"


def online_allowed(matter: Matter) -> bool:
    """网上受理 (online depth Ⅲ) or 全程网办 (Ⅳ): the matter may be applied for online (DOMAIN.md §9)."""
    return matter.online_depth >= OnlineDepth.ONLINE_ACCEPTANCE


def online_halls(matter: Matter) -> list[Hall]:
    """The halls that receive (and pre-review) the matter: those with a window group serving it, narrowed to the
    matter's receiving halls when it names some."""
    halls = list(halls_for_matter(matter.code))
    if matter.receiving_halls:
        halls = [h for h in halls if h.code in matter.receiving_halls]
    return halls


def applications_of(user: User) -> QuerySet[OnlineApplication]:
    """The applications a person may see and act on: their own, or those they filled in."""
    return OnlineApplication.objects.filter(Q(applicant=user) | Q(filed_by=user))


def applications_for_user(*, user: User) -> QuerySet[OnlineApplication]:
    return (
        applications_of(user)
        .select_related("matter", "hall", "case__matter")
        .prefetch_related("case__documents")
        .order_by("-updated_at", "-id")
    )


def application_get_for_user(*, user: User, code: str) -> OnlineApplication:
    """404 when the application is not this person's."""
    return get_object_or_404(
        applications_of(user).select_related("matter__department", "hall", "case", "applicant"), code=str(code)[:16]
    )


def application_file_get(*, user: User, code: str, file_id: int) -> ApplicationFile:
    application = application_get_for_user(user=user, code=code)
    return get_object_or_404(application.files.all(), id=file_id)


@dataclass
class ChecklistItem:
    """One material of the application: ``state`` says whether it is uploaded, produced from the online form,
    held by government already (taken from the vault with the applicant's consent: no need to submit), missing
    (required, nothing yet) or optional."""

    material: Material
    state: str
    files: list[ApplicationFile] = field(default_factory=list)
    evidence: EvidenceItem | None = None

    @property
    def no_need_to_submit(self) -> bool:
        return self.state in (FORM, HELD)


def form_fields_of(matter: Matter) -> list[MatterField]:
    return list(matter.form_fields.all())


def checklist_for(application: OnlineApplication) -> list[ChecklistItem]:
    """The matter's materials, each with what covers it. Government's own evidence (A, B) counts only where
    nothing was uploaded for it: an upload is the applicant's choice to give a newer copy."""
    matter = application.matter
    files_by_key: dict[str, list[ApplicationFile]] = {}
    for stored in application.files.all():
        files_by_key.setdefault(stored.material_key, []).append(stored)
    held = evidence_usable_online(citizen=application.applicant, matter=matter)
    has_form = matter.form_fields.exists()
    items = []
    for material in matter.materials.all():
        files = files_by_key.get(material.key, [])
        if files:
            items.append(ChecklistItem(material, UPLOADED, files=files))
        elif material.key == APPLICATION_FORM_KEY and has_form:
            items.append(ChecklistItem(material, FORM))
        elif material.id in held:
            items.append(ChecklistItem(material, HELD, evidence=held[material.id]))
        else:
            items.append(ChecklistItem(material, MISSING if material.required else OPTIONAL))
    return items


# --- The hall's pre-review ----------------------------------------------------------------------------------


def prereview_queue(*, user: User, waiting: bool = False) -> QuerySet[Case]:
    """The clerk's hall's online applications awaiting pre-review (or, ``waiting``, those whose one-time notice
    waits for the applicant), with what the queue shows."""
    qs = prereview_waiting_for_staff(user=user) if waiting else prereview_queue_for_staff(user=user)
    return qs.select_related("matter", "hall", "citizen")


@dataclass
class PrereviewReading:
    """An online application as the clerk reads it: the case, its application, the form's answers."""

    case: Case
    application: OnlineApplication | None
    answers: list[tuple[str, str]]


def prereview_case(*, user: User, number: str) -> PrereviewReading:
    """An online application of the clerk's hall (404 for another hall's, or a window's case)."""
    case = case_get_for_staff(user=user, number=number)
    if not case.online:
        raise Http404
    application = OnlineApplication.objects.filter(case=case).first()
    answers = form_values_display(form_fields_of(case.matter), application.form_values_sent) if application else []
    return PrereviewReading(case=case, application=application, answers=answers)
