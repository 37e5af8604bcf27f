"""Reads for one online application: whose it is, the checklist of what it still needs, the hall's pre-review."""

from __future__ import annotations

from collections.abc import Sequence
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
from apps.front.mandates.models import MandateKind
from apps.front.mandates.selectors import principals_for_agent
from apps.shared.accounts.models import User
from apps.shared.catalog.formfields import form_values_display
from apps.shared.catalog.models import Material, Matter, MatterField, OnlineDepth
from apps.shared.catalog.prerequisites import prerequisites
from apps.shared.catalog.rules import APPLICATION_FORM_KEY

from ..models import ApplicationFile, BundleApplication, OnlineApplication

# What an application's checklist says of each material.
UPLOADED, FORM, HELD, MISSING, OPTIONAL = "uploaded", "form", "held", "missing", "optional"
# A 一件事 part's material that a part it waits for issues (出生登记's 出生医学证明, issued by the step before it): the
# applicant does not bring what the bundle itself produces; the department reads it from the sibling case.
PRODUCED = "produced"


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


def acting_scope_q(user: User, *, by_matter: bool = True) -> Q:
    """The applications of others that ``user`` may see now as their agent (mandates in force, as
    ``mandates.selectors.cases_for_agent``): all of a company's for its legal representative; for a company's
    经办人 those of the matters authorised; for a person's 代办人 only those they filed themselves in the matters
    authorised, never the principal's own. ``by_matter`` False (a bundle application): whom, not which matter —
    every write checks each matter of the bundle."""
    scope = Q(pk__in=[])
    for principal in principals_for_agent(agent=user):
        if principal.is_representative:
            scope |= Q(applicant=principal.account)
            continue
        for mandate in principal.mandates:
            if not mandate.may_apply:
                continue
            one = Q(applicant=principal.account)
            if mandate.kind != MandateKind.STAFF:
                one &= Q(filed_by=user)
            if mandate.case_id is not None:
                one &= Q(case_id=mandate.case_id) if by_matter else Q(pk__in=[])
            elif by_matter and not mandate.all_matters:
                one &= Q(matter_code__in=mandate.matter_codes)
            scope |= one
    return scope


def applicant_for(*, actor: User, principal_id: int | None) -> User:
    """Whose application ``actor`` starts: their own (no principal named), or a principal who gave them a mandate
    (in force or not: the mandates' rule then says why not) or a company they represent; 404 for anyone else."""
    if principal_id is None or principal_id == actor.pk:
        return actor
    principal = (
        User.objects.filter(pk=principal_id)
        .filter(Q(mandates_given__agent=actor) | Q(company__representative=actor))
        .distinct()
        .first()
    )
    if principal is None:
        raise Http404
    return principal


def applications_of(user: User) -> QuerySet[OnlineApplication]:
    """The applications a person may see and act on: their own (those an agent filed for them too), and those
    they may follow as someone's agent now (a revoked or expired mandate shows nothing)."""
    return OnlineApplication.objects.filter(Q(applicant=user) | acting_scope_q(user))


def applications_for_user(*, user: User) -> QuerySet[OnlineApplication]:
    return (
        applications_of(user)
        .select_related("matter", "hall", "case__matter", "applicant", "filed_by")
        .prefetch_related("case__documents")
        .order_by("-updated_at", "-id")
    )


def application_get_for_user(*, user: User, code: str) -> OnlineApplication:
    """404 when the application is not this person's."""
    return get_object_or_404(
        applications_of(user).select_related("matter__department", "hall", "case", "applicant", "filed_by"),
        code=str(code)[:16],
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
        return self.state in (FORM, HELD, PRODUCED)


def produced_before(matter_results: Sequence[str]) -> set[str]:
    """The names of what earlier steps issue (their ``result_name``), which a later step's materials of the same
    name are covered by."""
    return {name for name in matter_results if name}


def prerequisite_results(application: OnlineApplication) -> set[str]:
    """What the parts this bundle part waits for (directly or through another) issue."""
    return produced_before(
        [before.matter.result_name for before in prerequisites(application, lambda part: part.waits_for)]
    )


def vault_held(application: OnlineApplication | BundleApplication, matter: Matter) -> dict[int, EvidenceItem]:
    """What government holds for the matter's materials in the applicant's evidence vault, by material id: only
    for an application the applicant fills in themselves (taking from the vault is their consent to give; an
    agent uploads what the principal gave them)."""
    if application.filed_by_id != application.applicant_id:
        return {}
    return evidence_usable_online(citizen=application.applicant, matter=matter)


def form_fields_of(matter: Matter) -> list[MatterField]:
    return list(matter.form_fields.all())


def checklist_for(application: OnlineApplication) -> list[ChecklistItem]:
    """The matter's materials, each with what covers it. Government's own evidence (A, B) counts only where
    nothing was uploaded for it: an upload is the applicant's choice to give a newer copy."""
    matter = application.matter
    files_by_key = files_by_material(application)
    held = vault_held(application, matter)
    has_form = matter.form_fields.exists()
    produced = prerequisite_results(application) if application.waits_for_id else set()
    items = []
    for material in matter.materials.all():
        files = files_by_key.get(material.key, [])
        is_form = material.key == APPLICATION_FORM_KEY and has_form
        state = material_state(
            files=files,
            is_form=is_form,
            held=material.id in held,
            required=material.required,
            produced=material.name in produced,
        )
        items.append(
            ChecklistItem(material, state, files=files, evidence=held.get(material.id) if state == HELD else None)
        )
    return items


def material_state(
    *, files: list[ApplicationFile], is_form: bool, held: bool, required: bool, produced: bool = False
) -> str:
    """The one rule of a checklist's item (an application's or a bundle's): what was uploaded first (the
    applicant's choice to give a newer copy), then the online form that is the material, then what an earlier step
    of the bundle issues, then what government holds (taken from the vault on consent), else missing (required) or
    optional."""
    if files:
        return UPLOADED
    if is_form:
        return FORM
    if produced:
        return PRODUCED
    if held:
        return HELD
    return MISSING if required else OPTIONAL


def files_by_material(application: OnlineApplication | BundleApplication) -> dict[str, list[ApplicationFile]]:
    found: dict[str, list[ApplicationFile]] = {}
    for stored in application.files.all():
        found.setdefault(stored.material_key, []).append(stored)
    return found


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
