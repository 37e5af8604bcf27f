"""Who is at the window and for whom: the applicant of a called ticket and the person acting for them, as the
clerk checked them (the agent's authority is apps/front/mandates's rule; the floor only keeps the answer)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from govservice.lib.errors import Conflict, DomainError
from govservice.lib.masking import mask_name

from ..models import Ticket, TicketAction, TicketStatus
from .calling import ticket_get_for_clerk
from .events import ticket_event_record


@transaction.atomic
def ticket_applicant_set(*, clerk: User, ticket_id: int, citizen: User, agent: User | None, note: str) -> Ticket:
    """Record on a called (or served) ticket of the clerk's hall the applicant and the person acting for them
    (None: the applicant came in person). An appointment's applicant stays its applicant: only who came for
    them changes."""
    ticket = ticket_get_for_clerk(clerk=clerk, ticket_id=ticket_id, lock=True)
    if ticket.status not in (TicketStatus.CALLED, TicketStatus.SERVING):
        raise Conflict(_("请先叫号，再核验办理人。"), code="invalid_state")
    if (
        ticket.appointment_id is not None
        and ticket.appointment is not None
        and ticket.appointment.citizen_id != citizen.pk
    ):
        raise DomainError(_("该号码来自预约，申请人须为预约人。"), code="wrong_applicant")
    display = mask_name(citizen.real_name)
    Ticket.objects.filter(id=ticket.id).update(citizen=citizen, agent=agent, display_name=display)
    ticket.citizen, ticket.agent, ticket.display_name = citizen, agent, display
    ticket_event_record(ticket=ticket, action=TicketAction.APPLICANT, actor=clerk, from_status=ticket.status, note=note)
    return ticket
