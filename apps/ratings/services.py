from __future__ import annotations

from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.intake.models import Case, CaseStatus
from govservice.api import Conflict, DomainError

from .models import Evaluation


@transaction.atomic
def evaluation_submit(
    *, citizen: User, case_number: str, score: int, comment: str = "", channel: str = "web"
) -> Evaluation:
    """一事一评: one evaluation per case, by its applicant, once a decision exists."""
    case = Case.objects.filter(number=case_number, citizen=citizen).first()
    if case is None:
        raise DomainError("未找到该办件。 No such case.", code="not_found", status_code=404)
    if case.status not in (CaseStatus.DECIDED, CaseStatus.RESULT_READY, CaseStatus.DELIVERED, CaseStatus.CLOSED):
        raise DomainError("办件办结后才能评价。 You can rate the service once the case is decided.", code="too_early")
    if not 1 <= int(score) <= 5:
        raise DomainError("评价等级应为1至5。 Score must be 1 to 5.", code="invalid")
    try:
        with transaction.atomic():
            return Evaluation.objects.create(
                case=case, citizen=citizen, score=score, comment=comment[:500], channel=channel
            )
    except IntegrityError:
        raise Conflict("该办件已评价过。 This case has already been rated.", code="already_rated") from None
