"""Rating by SMS link (DOMAIN.md §7): people who did not rate on the spot may rate within 5 working days
(RATING_LINK_WORKDAYS). The periodic job invites once per service event; the link is signed, expires,
and works once, without a login."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.front.floor.models import Ticket, TicketStatus
from apps.front.intake.models import Case
from apps.front.notifications.services import notify
from apps.front.ratings.conf import ratings_conf
from apps.shared.workcalendar.selectors import calendar_get
from govservice.api import Conflict, DomainError
from govservice.lib.workdays import CalendarUnknown

from .. import tokens
from ..models import Evaluation, EvaluationChannel, Invitation, Rectification, ServiceKind
from .evaluations import RATEABLE_CASE_STATUSES, _submit_case, _submit_ticket

# Events older than this are never invited (bounds the sweep; the link would have expired anyway).
LOOKBACK_DAYS = 21
BATCH = 200

LINK_INVALID = gettext_lazy("评价链接无效。")


def invitation_token(invitation: Invitation) -> str:
    return tokens.make(invitation.id, salt=tokens.INVITATION_SALT)


def fix_token(rectification: Rectification) -> str:
    return tokens.make(rectification.id, salt=tokens.FIX_SALT)


def _expiry(event_day: dt.date) -> dt.datetime:
    last_day = calendar_get().add_workdays(event_day, ratings_conf.RATING_LINK_WORKDAYS)
    return timezone.make_aware(dt.datetime.combine(last_day, dt.time(23, 59, 59)))


def invitation_for_token(token: str) -> Invitation:
    """The invitation behind a link, whatever its state (404 for a forged or unknown link)."""
    invitation_id = tokens.read(token, salt=tokens.INVITATION_SALT)
    invitation = (
        Invitation.objects.select_related("case__matter", "case__hall", "ticket__matter", "ticket__hall")
        .filter(id=invitation_id)
        .first()
        if invitation_id
        else None
    )
    if invitation is None:
        raise DomainError(LINK_INVALID, code="link_invalid")
    return invitation


def invitation_check(invitation: Invitation) -> None:
    """Refuse a used or expired link with a clear answer."""
    if invitation.used_at is not None:
        raise Conflict(_("该评价链接已使用，每次服务只能评价一次。"), code="already_rated")
    if timezone.now() > invitation.expires_at:
        raise DomainError(_("评价链接已过期（有效期为办结后5个工作日）。"), code="link_expired")


@transaction.atomic
def evaluation_submit_by_invitation(*, token: str, score: Any, comment: Any = "", tags: Any = None) -> Evaluation:
    """Rate through the SMS link: the signed token is the proof, the link works once."""
    invitation = invitation_for_token(token)
    invitation_check(invitation)
    # Claim the link first: two taps at once give one evaluation and one clear 409.
    if not Invitation.objects.filter(id=invitation.id, used_at__isnull=True).update(used_at=timezone.now()):
        raise Conflict(_("该评价链接已使用，每次服务只能评价一次。"), code="already_rated")
    if invitation.case_id is not None:
        case = Case.objects.select_related("matter", "hall").get(id=invitation.case_id)
        return _submit_case(
            case=case,
            citizen=invitation.citizen,
            score=score,
            comment=comment,
            tags=tags,
            channel=EvaluationChannel.SMS,
        )
    # The check constraint: an invitation without a case has a ticket.
    assert invitation.ticket_id is not None
    ticket = Ticket.objects.select_related("matter", "citizen", "hall").get(id=invitation.ticket_id)
    return _submit_ticket(ticket=ticket, score=score, comment=comment, tags=tags, channel=EvaluationChannel.SMS)


def rectification_for_fix_token(token: str) -> Rectification:
    rectification_id = tokens.read(token, salt=tokens.FIX_SALT)
    rectification = (
        Rectification.objects.select_related("evaluation", "evaluation__matter", "hall")
        .filter(id=rectification_id)
        .first()
        if rectification_id
        else None
    )
    if rectification is None:
        raise DomainError(LINK_INVALID, code="link_invalid")
    return rectification


def _invite(
    *, fields: dict[str, Any], event_day: dt.date, recipient, case: Case | None, context: dict[str, str]
) -> bool:
    try:
        expires_at = _expiry(event_day)
    except CalendarUnknown:
        # The link's last day falls in a year whose holidays are unpublished: invite once it is published
        # (the next sweeps retry; LOOKBACK_DAYS bounds how long), rather than stop the whole sweep.
        return False
    if timezone.now() > expires_at:
        return False
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(**fields, citizen=recipient, expires_at=expires_at)
            notify(
                recipient=recipient,
                event="rating.invitation",
                case=case,
                context=context
                | {
                    "expires": timezone.localdate(expires_at).isoformat(),
                    "link": f"{settings.PUBLIC_BASE_URL}/rate/{invitation_token(invitation)}/",
                },
            )
    except IntegrityError:  # another run invited first
        return False
    return True


def invitations_send_due(*, now: dt.datetime | None = None) -> int:
    """Invite by SMS link, once, everyone whose service ended and who has not rated it: cases once decided,
    hall tickets RATING_INVITE_DELAY_MINUTES after the window finished (time to rate on the spot first).
    Safe to run twice: one invitation per event (unique), and the insert is the claim."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=LOOKBACK_DAYS)
    sent = 0
    cases = (
        Case.objects.filter(status__in=RATEABLE_CASE_STATUSES, decided_at__gte=since, evaluation__isnull=True)
        .exclude(id__in=Invitation.objects.filter(case__isnull=False).values("case_id"))
        .select_related("citizen", "matter", "hall")
        .order_by("decided_at")[:BATCH]
    )
    for case in cases:
        sent += _invite(
            fields={"kind": ServiceKind.CASE, "case": case},
            event_day=timezone.localdate(case.decided_at),
            recipient=case.citizen,
            case=case,
            context={"hall": case.hall.name},
        )
    tickets = (
        Ticket.objects.filter(
            status=TicketStatus.DONE,
            citizen__isnull=False,
            finished_at__gte=since,
            finished_at__lte=now - dt.timedelta(minutes=ratings_conf.RATING_INVITE_DELAY_MINUTES),
            evaluation__isnull=True,
        )
        .exclude(id__in=Invitation.objects.filter(ticket__isnull=False).values("ticket_id"))
        .select_related("citizen", "matter", "hall")
        .order_by("finished_at")[:BATCH]
    )
    for ticket in tickets:
        assert ticket.finished_at is not None  # filtered above
        sent += _invite(
            fields={"kind": ServiceKind.TICKET, "ticket": ticket},
            event_day=timezone.localdate(ticket.finished_at),
            recipient=ticket.citizen,
            case=None,
            context={"hall": ticket.hall.name, "matter": ticket.matter.name, "number": ticket.label},
        )
    return sent
