"""One evaluation per service event (DOMAIN.md §7): 一事一评 for a case, 一次一评 for a served hall ticket."""

from __future__ import annotations

import hmac
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.front.booking.models import GroupMatter, StaffPost, WindowGroup
from apps.front.floor.models import Ticket, TicketStatus
from apps.front.intake.models import Case, CaseStatus
from apps.shared.accounts.models import User
from govservice.api import Conflict, DomainError
from govservice.lib import ratelimit

from .. import selectors
from ..models import TAGS_BY_SCORE, Evaluation, EvaluationChannel, ServiceKind
from .rectifications import rectification_open

# Tries at the kiosk per ticket number, hall and day: the six-digit code cannot be guessed in them.
KIOSK_RATING_TRIES = 10

# A case can be rated once central has decided it (the service is complete from the citizen's view).
RATEABLE_CASE_STATUSES = (CaseStatus.DECIDED, CaseStatus.RESULT_READY, CaseStatus.DELIVERED, CaseStatus.CLOSED)
COMMENT_MAX = 500


def evaluation_validate(*, score: Any, tags: Any, comment: Any) -> tuple[int, list[str], str]:
    """Check a rating as typed: a level 1–5, tags from that level's fixed list, a comment of ≤ 500 characters."""
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise DomainError(_("请选择评价等级。"), code="invalid_score") from None
    if not 1 <= value <= 5:
        raise DomainError(_("评价等级应为1至5。"), code="invalid_score")
    if tags is None:
        tags = []
    if not isinstance(tags, list | tuple) or not all(isinstance(t, str) for t in tags):
        raise DomainError(_("评价标签格式有误。"), code="invalid_tags")
    allowed = TAGS_BY_SCORE[value]
    unknown = [t for t in tags if t not in allowed]
    if unknown:
        raise DomainError(_("评价标签与所选等级不符。"), code="invalid_tags")
    comment = (comment or "").strip() if isinstance(comment, str) or comment is None else None
    if comment is None:
        raise DomainError(_("意见建议格式有误。"), code="invalid_comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(_("意见建议不能超过%(n)s字。") % {"n": COMMENT_MAX}, code="invalid_comment")
    return value, list(dict.fromkeys(tags)), comment


def responsible_unit_for_case(case: Case) -> WindowGroup | None:
    """The window group of the receiving hall that handles the case's matter; else the accepting clerk's group."""
    link = (
        GroupMatter.objects.select_related("group")
        .filter(group__hall_id=case.hall_id, matter_code=case.matter.code)
        .order_by("group__letter")
        .first()
    )
    if link is not None:
        return link.group
    post = (
        StaffPost.objects.select_related("window__group").filter(user_id=case.clerk_id).first()
        if case.clerk_id is not None
        else None
    )
    if post is not None and post.window is not None and post.window.hall_id == case.hall_id:
        return post.window.group
    return None


def _create(*, fields: dict[str, Any], score: int, tags: list[str], comment: str, channel: str) -> Evaluation:
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                **fields, score=score, tags=tags, comment=comment, channel=channel, created_at=timezone.now()
            )
    except IntegrityError:
        raise Conflict(_("该次服务已评价过，每次服务只能评价一次。"), code="already_rated") from None
    if evaluation.is_bad:
        rectification_open(evaluation=evaluation)
    return evaluation


@transaction.atomic
def evaluation_submit(
    *,
    citizen: User,
    case_number: str,
    score: Any,
    comment: Any = "",
    tags: Any = None,
    channel: str = EvaluationChannel.WEB,
) -> Evaluation:
    """一事一评: one evaluation per case, by its applicant, once a decision exists. A 差评 opens a rectification."""
    case = Case.objects.select_related("matter", "hall").filter(number=case_number, citizen=citizen).first()
    if case is None:
        raise DomainError(_("未找到该办件。"), code="not_found")
    return _submit_case(case=case, citizen=citizen, score=score, comment=comment, tags=tags, channel=channel)


def _submit_case(*, case: Case, citizen: User, score: Any, comment: Any, tags: Any, channel: str) -> Evaluation:
    if case.status not in RATEABLE_CASE_STATUSES:
        raise DomainError(_("办件办结后才能评价。"), code="too_early")
    value, tags, comment = evaluation_validate(score=score, tags=tags, comment=comment)
    fields = {
        "kind": ServiceKind.CASE,
        "case": case,
        "citizen": citizen,
        "hall": case.hall,
        "unit": responsible_unit_for_case(case),
        "matter": case.matter,
        "department_id": case.matter.department_id,
    }
    return _create(fields=fields, score=value, tags=tags, comment=comment, channel=channel)


@transaction.atomic
def evaluation_submit_for_ticket(
    *,
    ticket_id: int,
    hall_id: int,
    score: Any,
    comment: Any = "",
    tags: Any = None,
    channel: str,
    citizen: User | None = None,
) -> Evaluation:
    """一次一评: the service at a window, rated on the spot (terminal, window tablet) or by SMS link.
    The rater is the ticket's citizen (None for a walk-in without an account: an anonymous rating)."""
    ticket = Ticket.objects.select_related("matter", "citizen", "hall").filter(id=ticket_id, hall_id=hall_id).first()
    if ticket is None:
        raise DomainError(_("未找到该号码。"), code="not_found")
    return _submit_ticket(ticket=ticket, score=score, comment=comment, tags=tags, channel=channel)


def ticket_for_kiosk_rating(*, hall_id: int, label: str, code: str) -> Ticket:
    """The finished ticket a citizen at the kiosk shows they hold: today's number and the rating code printed
    on it. The numbers run A001, A002…; without the code anyone could rate (or 差评) another's service."""
    label = label.strip().upper()
    # Keyed by the hall's day (the ticket numbers start again each day). The limiter's windows are fixed on
    # the epoch; a week-long one splits a hall day at most once a week (a UTC day turned at 08:00 here).
    ident = f"{hall_id}:{timezone.localdate():%Y%m%d}:{label}"
    allowed, _retry_after = ratelimit.hit("kiosk-rating", ident, limit=KIOSK_RATING_TRIES, window_seconds=7 * 86400)
    if not allowed:
        raise DomainError(_("该号码今天尝试次数过多，请用窗口评价器或短信链接评价。"), code="too_many_tries")
    ticket = selectors.done_ticket_by_label(hall_id=hall_id, label=label)
    if ticket is None or not hmac.compare_digest(ticket.rating_code.encode(), code.strip().encode()):
        raise DomainError(_("未找到今天已办结的该号码，或评价码不符，请核对小票。"), code="not_found")
    return ticket


def _submit_ticket(*, ticket: Ticket, score: Any, comment: Any, tags: Any, channel: str) -> Evaluation:
    if ticket.status != TicketStatus.DONE:
        raise DomainError(_("窗口办结后才能评价本次服务。"), code="too_early")
    value, tags, comment = evaluation_validate(score=score, tags=tags, comment=comment)
    fields = {
        "kind": ServiceKind.TICKET,
        "ticket": ticket,
        "citizen": ticket.citizen,
        "hall": ticket.hall,
        "unit_id": ticket.group_id,
        "matter": ticket.matter,
        "department_id": ticket.matter.department_id,
    }
    return _create(fields=fields, score=value, tags=tags, comment=comment, channel=channel)
