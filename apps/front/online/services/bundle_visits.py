"""一件事一次办 by one booked hall visit (issue 15 part 3: "one booking or one online submission").

The citizen (or someone acting for them) books ONE visit for a bundle the admin opened to the hall road
(``Bundle.hall_visit``): the appointment is the bundle's lead matter's (its first item) at a hall that receives
every matter of the bundle (``bundle_halls``, the online road's rule of one hall for the whole bundle), booked
through the booking service like any other (its limits, quotas and conditional UPDATE: never oversold). The
bundle's draft (the same one-draft-per-applicant-and-bundle of the online road) is tied to that appointment.

At the window the ticket of that visit shows the bundle's merged form and checklist (``bundle_checklist``,
``bundle_fields``); the clerk's answer fills the draft with what the applicant brought and submits it by the online
road's own ``bundle_application_submit`` with the window channel: one case per matter, linked as the bundle, received
by the hall. Each case handed in now then gets, for the whole visit or part by part, a single matter's outcomes
through intake's services for a case the hall holds: accepted (the clerk saw the originals) and handed to central
with its bundle; one notice of everything missing (the part held, continued when the applicant comes back, withdrawn
by law if never answered); or refused with reasons and remedies (the parts waiting for it dropped, saying what that
means for them). A part that waits for another is sent, as online, once that one is approved. Answering twice (a
double click) answers the first result.

The catalog's rule per road (``catalog.rules.bundle_errors``): a bundle offered online needs every matter
online-capable; one offered only by a hall visit does not. At run time the online submission of a bundle with a
matter that is not online-capable is refused here (``bundle_online_road_check``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.front.booking.models import AppointmentStatus, Slot
from apps.front.booking.services import appointment_book
from apps.front.delivery.conf import delivery_conf
from apps.front.floor.models import Ticket, TicketStatus
from apps.front.floor.services import ticket_get_for_clerk
from apps.front.intake.models import Case
from apps.front.intake.services import (
    appointment_lineage,
    case_accept_received,
    case_notify_received,
    case_refuse_received,
    ticket_served,
)
from apps.shared.accounts.models import User
from apps.shared.catalog.models import Bundle, BundleItem, Matter
from apps.shared.catalog.prerequisites import waiting_among
from apps.shared.privacy.models import Channel
from govservice.api import Conflict, DomainError
from govservice.lib.codes import human_code

from ..models import BundleApplication
from ..selectors import (
    bundle_checklist,
    bundle_fields,
    bundle_get,
    bundle_halls,
    bundle_matters,
    bundle_status,
)
from .acting import acting_check, acting_record
from .bundles import bundle_application_submit
from .drafts import StagedFile, answers_merged, file_stage, file_staged_add, staged_discard

VISIT_NOTE = "预约到大厅一次办"


def _visit_matters(bundle: Bundle) -> list[Matter]:
    """The bundle's matters (lead first) when it may be booked as one hall visit; the refusal otherwise."""
    if not bundle.hall_visit:
        raise DomainError(_("该一件事不提供预约到大厅一次办。"), code="no_visit")
    matters = [m for _item, m in bundle_matters(bundle)]
    if not matters or len(matters) < bundle.items.count():
        raise DomainError(_("该一件事暂不能预约办理。"), code="no_visit")
    return matters


def bundle_visit_offer(bundle: Bundle) -> dict[str, Any] | None:
    """What the bundle's page offers beside the online submission: the lead matter whose slots are booked and the
    halls receiving every matter. None when the bundle is not offered by a hall visit (or no hall can take it)."""
    if not bundle.hall_visit:
        return None
    try:
        matters = _visit_matters(bundle)
    except DomainError:
        return None
    halls = bundle_halls(matters)
    if not halls:
        return None
    return {"lead_matter": matters[0], "halls": halls}


@transaction.atomic
def bundle_visit_book(
    *, applicant: User, actor: User, bundle_code: str, slot_id: int, idempotency_key: str = ""
) -> BundleApplication:
    """Book the one hall visit of a bundle: the lead matter's slot at a hall that receives every matter, through
    the booking service (its rules and its conditional UPDATE); the bundle's draft is tied to that appointment.
    A retry with the same Idempotency-Key answers the first booking."""
    if not applicant.is_real_name_verified:
        raise DomainError(_("请先完成实名认证再预约。"), code="forbidden")
    bundle = bundle_get(bundle_code)
    matters = _visit_matters(bundle)
    authority = acting_check(applicant=applicant, actor=actor, matters=matters)
    slot = Slot.objects.select_related("hall").filter(id=slot_id).first()
    if slot is None:
        raise DomainError(_("该时段不存在。"), code="not_found")
    if slot.hall_id not in {h.id for h in bundle_halls(matters)}:
        raise DomainError(_("该大厅不能一次受理该一件事的全部事项，请选择其他大厅。"), code="matter_not_served")
    appointment = appointment_book(
        citizen=applicant,
        slot_id=slot.id,
        matter_code=matters[0].code,
        idempotency_key=idempotency_key,
        agent=actor if authority is not None else None,
    )
    application = (
        BundleApplication.objects.select_for_update()
        .filter(applicant=applicant, bundle=bundle, submitted_at__isnull=True)
        .first()
    )
    if application is None:
        application = BundleApplication.objects.create(
            code=human_code(10),
            applicant=applicant,
            filed_by=actor,
            bundle=bundle,
            hall=slot.hall,
            appointment=appointment,
            delivery_method=delivery_conf.DELIVERY_DEFAULT_METHOD,
        )
    elif application.appointment_id != appointment.id:
        previous = application.appointment
        if previous is not None and previous.status == AppointmentStatus.BOOKED and previous.id != appointment.id:
            raise Conflict(_("该一件事已有有效预约，请先取消或改约。"), code="duplicate")
        application.appointment, application.hall = appointment, slot.hall
        application.save(update_fields=["appointment", "hall", "updated_at"])
    acting_record(authority, actor=actor, reference=appointment.code, note=f"{bundle.name}：{VISIT_NOTE}")
    return application


def bundle_for_ticket(ticket: Ticket, *, lock: bool = False) -> BundleApplication | None:
    """The bundle application brought to the window by this ticket's appointment (or one it was rescheduled
    from), if any."""
    if not ticket.appointment_id:
        return None
    found = BundleApplication.objects.filter(appointment_id__in=appointment_lineage(ticket.appointment_id))
    if lock:
        found = found.select_for_update(of=("self",))
    return found.select_related("bundle", "hall", "applicant").order_by("-id").first()


def bundle_ticket_elsewhere(*, ticket: Ticket) -> str:
    """Intake's ``ticket_elsewhere`` hook: a bundle's visit is accepted on the bundle's window page."""
    if bundle_for_ticket(ticket) is None:
        return ""
    return reverse("bundle_ticket", args=[ticket.id])


def bundle_visit_sheet(*, clerk: User, ticket_id: int) -> dict[str, Any]:
    """What the window shows for a bundle's ticket: the merged form and the merged checklist (the online road's)."""
    ticket = ticket_get_for_clerk(clerk=clerk, ticket_id=ticket_id)
    application = bundle_for_ticket(ticket)
    if application is None:
        raise DomainError(_("该号码不是一件事预约。"), code="not_found")
    items = bundle_matters(application.bundle)
    matters = [m for _item, m in items]
    by_code = {m.code: m for m in matters}
    waiting = waiting_among(item for item, _m in items)
    return {
        "application": application,
        "matters": matters,
        # What the window answers now, part by part; a part waiting for another is sent once that one is approved.
        "answered_now": [m for m in matters if m.code not in waiting],
        "waiting": [(m, by_code[waiting[m.code]]) for m in matters if m.code in waiting],
        "form": bundle_fields(matters),
        "checklist": bundle_checklist(application),
        "status": bundle_status(application),
    }


ACCEPT, NOTICE, REFUSE = "accept", "notice", "refuse"


@dataclass(frozen=True)
class PartOutcome:
    """What the window answers for one part of the visit, or for the whole visit, with a single matter's outcomes
    and their legal effects (行政许可法 Art. 32): accept; one written notice of everything missing (``items``,
    一次性告知: the part is received and held, and goes on when the applicant brings them); or refuse (不予受理)
    with the ``reason`` and where to apply instead (``refer_to``), the remedies on the notice."""

    kind: str = ACCEPT
    items: tuple[str, ...] = ()
    reason: str = ""
    refer_to: str = ""


def _outcomes(
    items: Sequence[tuple[BundleItem, Matter]], whole: PartOutcome, parts: Mapping[str, PartOutcome]
) -> dict[str, PartOutcome]:
    """The outcome of each part handed in now (by matter code): the whole visit's, unless the part has its own. A
    part waiting for another is sent when that one is approved and answered then, so it takes none now."""
    matters = {matter.code: matter for _item, matter in items}
    unknown = [code for code in parts if code not in matters]
    if unknown:
        raise DomainError(_("以下事项不属于该一件事：%(codes)s。") % {"codes": "、".join(unknown)}, code="wrong_matter")
    waiting = waiting_among(item for item, _matter in items)
    early = [matters[code].name for code, outcome in parts.items() if code in waiting and outcome.kind != ACCEPT]
    if early:
        raise DomainError(
            _("“%(matters)s”须待前置事项准予后才提交，现在不能对其告知或不予受理。") % {"matters": "、".join(early)},
            code="part_waits",
        )
    chosen = {matter.code: parts.get(matter.code, whole) for _item, matter in items if matter.code not in waiting}
    for outcome in chosen.values():
        if outcome.kind not in (ACCEPT, NOTICE, REFUSE):
            raise DomainError(_("请选择受理、一次性告知或不予受理。"), code="invalid")
    return chosen


def bundle_visit_decide(
    *,
    clerk: User,
    ticket_id: int,
    whole: PartOutcome = PartOutcome(),
    parts: Mapping[str, PartOutcome] | None = None,
    form_values: Mapping[str, Any] | None = None,
    uploads: Sequence[tuple[str, UploadedFile]] = (),
    vault_consent: bool = False,
) -> tuple[BundleApplication, bool]:
    """The window's answer to a bundle's visit, for the whole visit (``whole``) or part by part (``parts``, by
    matter code): the merged form's answers and what the applicant brought (one scan per material key, going to
    every matter needing it) are received as one case per matter, linked as the bundle, as the online road does
    with the window channel; then each case handed in now gets its outcome through intake's own services for a
    case the hall holds — accepted and handed to central, told of everything missing (held, continued when the
    applicant comes back), or refused (and the parts waiting for it dropped, saying why). A dependent part waits
    for its prerequisite as online. Returns the application and whether this call answered it (False: a first
    click did).

    The scans are checked and written to storage before the transaction (and deleted if it does not commit), so
    that no row stays locked while files are read and encrypted."""
    ticket = ticket_get_for_clerk(clerk=clerk, ticket_id=ticket_id)
    application = bundle_for_ticket(ticket)
    if application is None:
        raise DomainError(_("该号码不是一件事预约。"), code="not_found")
    keys = _material_keys(application.bundle)
    if any(key not in keys for key, _upload in uploads):
        raise DomainError(_("上传的材料不属于该一件事。"), code="wrong_material")
    staged: list[StagedFile] = []
    try:
        for key, upload in uploads:
            staged.append(file_stage(upload, material_key=key, prefix=application.code))
        application, answered = _decide(
            clerk=clerk,
            ticket_id=ticket_id,
            whole=whole,
            parts=parts or {},
            form_values=form_values,
            staged=staged,
            vault_consent=vault_consent,
        )
    except BaseException:
        staged_discard(staged)
        raise
    if not answered:
        staged_discard(staged)  # a second click: the first one's files are the application's
    return application, answered


def _material_keys(bundle: Bundle) -> set[str]:
    return {m.key for _item, matter in bundle_matters(bundle) for m in matter.materials.all()}


@transaction.atomic
def _decide(
    *,
    clerk: User,
    ticket_id: int,
    whole: PartOutcome,
    parts: Mapping[str, PartOutcome],
    form_values: Mapping[str, Any] | None,
    staged: Sequence[StagedFile],
    vault_consent: bool,
) -> tuple[BundleApplication, bool]:
    ticket = ticket_get_for_clerk(clerk=clerk, ticket_id=ticket_id, lock=True)
    application = bundle_for_ticket(ticket, lock=True)
    if application is None:
        raise DomainError(_("该号码不是一件事预约。"), code="not_found")
    if application.submitted_at is not None:
        if ticket.status == TicketStatus.DONE:
            return application, False  # answered already: the same answer, never a second set of cases
        raise Conflict(_("该一件事已在网上提交，无需在窗口再次受理。"), code="invalid_state")
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
        raise Conflict(_("请先叫号再受理。"), code="invalid_state")
    # The person at the window submits (the applicant, or their agent: the online road checks the authority in
    # every matter, as intake's agent_check); the clerk answers. A company applies through a person.
    if ticket.agent is None and application.applicant.is_company:
        raise DomainError(_("法人申请须由法定代表人或经授权的经办人办理，请先核验办理人身份。"), code="agent_required")
    actor = ticket.agent or application.applicant
    if application.hall_id != ticket.hall_id:
        # Received where the visit takes place (a hall receiving every matter, checked when it was booked).
        application.hall = ticket.hall
        application.save(update_fields=["hall", "updated_at"])
    items = bundle_matters(application.bundle)
    matters = [m for _item, m in items]
    outcomes = _outcomes(items, whole, parts)
    if form_values:
        application.form_values = answers_merged(bundle_fields(matters), application.form_values, form_values)
        application.save(update_fields=["form_values", "updated_at"])
    keys = _material_keys(application.bundle)
    for row in staged:
        file_staged_add(application, row, keys=keys, wrong=_("上传的材料不属于该一件事。"))
    bundle_application_submit(
        actor=actor,
        code=application.code,
        declaration=True,
        vault_consent=vault_consent,
        channel=Channel.WINDOW,
        held=[code for code, outcome in outcomes.items() if outcome.kind != ACCEPT],
    )
    sent = list(
        Case.objects.filter(online_application__bundle_application=application).select_related("matter").order_by("id")
    )
    # Received at the window (the window channel: no online pre-review limit, and a part told of what is missing is
    # a case the hall holds, intake's held_q, continued at a window when the applicant comes back), by this clerk.
    # The visit is the lead matter's case's (one case per appointment), which the others name through their bundle.
    Case.objects.filter(id__in=[c.id for c in sent]).update(clerk=clerk)
    lead = next((c for c in sent if c.matter.code == matters[0].code), None)
    if lead is not None:
        Case.objects.filter(id=lead.id).update(appointment_id=ticket.appointment_id)
    for case in sent:
        outcome = outcomes[case.matter.code]
        if outcome.kind == ACCEPT:
            # The clerk had the originals in hand: the scans become B, as at any window.
            case_accept_received(clerk=clerk, number=case.number, uploads=[])
        elif outcome.kind == NOTICE:
            case_notify_received(clerk=clerk, number=case.number, items=list(outcome.items))
        else:
            case_refuse_received(clerk=clerk, number=case.number, reason=outcome.reason, refer_to=outcome.refer_to)
    ticket_served(clerk=clerk, ticket=ticket)
    application.refresh_from_db()
    return application, True
