"""The FAQ of a matter, grown from answered tickets that a supervisor publishes."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from apps.shared.accounts.models import Role, User
from govservice.api import Conflict, DomainError

from ..models import FaqEntry, TicketAction
from .handling import lock_for_staff
from .records import BODY_MAX, event_record, supervises, text_required

# A published FAQ holds no personal data: no ID number, no phone number, not the asker's name.
_ID_RE = re.compile(r"\d{17}[\dXx]|\d{15}")
_PHONE_RE = re.compile(r"1[3-9]\d{9}")


@transaction.atomic
def faq_publish(*, supervisor: User, code: str, question: str, answer: str) -> FaqEntry:
    """A supervisor publishes an answered ticket, edited, as a question and answer of its matter."""
    if supervisor.role not in (Role.HALL_SUPERVISOR, Role.ADMIN):
        raise DomainError(_("只有主管可以发布常见问题。"), code="not_supervisor")
    ticket = lock_for_staff(user=supervisor, code=code)
    if not supervises(supervisor, ticket):
        raise DomainError(_("只有本大厅主管可以发布常见问题。"), code="not_supervisor")
    if ticket.first_answered_at is None:
        raise Conflict(_("只能发布已答复的工单。"), code="not_answered")
    question = text_required(question, field="question", label=_("问题"), maximum=300)
    answer = text_required(answer, field="answer", label=_("答复"), maximum=BODY_MAX)
    names = [n for n in (ticket.citizen.real_name if ticket.citizen else "", ticket.contact_name) if len(n) >= 2]
    for text in (question, answer):
        if _ID_RE.search(text) or _PHONE_RE.search(text) or any(n in text for n in names):
            raise DomainError(
                _("常见问题不能包含姓名、身份证号码或电话号码，请删除个人信息后再发布。"), code="personal_data"
            )
    entry = FaqEntry.objects.create(
        matter_code=ticket.matter.code, question=question, answer=answer, source_ticket=ticket, published_by=supervisor
    )
    event_record(ticket, TicketAction.FAQ, actor=supervisor, from_status=ticket.status)
    return entry


@transaction.atomic
def faq_unpublish(*, supervisor: User, entry_id: int) -> None:
    if supervisor.role not in (Role.HALL_SUPERVISOR, Role.ADMIN):
        raise DomainError(_("只有主管可以撤下常见问题。"), code="not_supervisor")
    if not FaqEntry.objects.filter(id=entry_id, is_published=True).update(is_published=False):
        raise DomainError(_("未找到该常见问题。"), code="not_found")
