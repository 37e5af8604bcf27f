"""What 好差评 holds about people, for the personal-information lifecycle (apps/shared/privacy): an evaluation
names its rater and may carry a comment; once its period ends it is anonymised (score, tags, channel, hall,
unit, matter and department stay for the statistics; the rater, the comment and the call-back notes go). SMS
rating links are deleted. Rating stays voluntary and the rater's identity protected (DOMAIN.md §7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.shared.accounts.models import User
from apps.shared.privacy import registry
from apps.shared.privacy.registry import Action, RecordKind

from .models import Callback, Evaluation, Invitation, Rectification, RectificationEvent

LOCAL = _("无法定期限，按本地做法设定（可配置）")


def evaluations_due(cutoff: dt.datetime) -> QuerySet[Evaluation]:
    return Evaluation.objects.filter(created_at__lt=cutoff).filter(Q(citizen__isnull=False) | ~Q(comment=""))


def evaluations_anonymise(pks: list[Any]) -> int:
    # None is how an evaluation without a rater reads already (a walk-in rated at the terminal).
    done = Evaluation.objects.filter(pk__in=pks).update(citizen=None, comment="")
    # The unit's own texts about the rater (the reply to them, call-back notes, the trail's notes) go too; what
    # was fixed and the fix's rating stay.
    Rectification.objects.filter(evaluation_id__in=pks).update(fix_comment="", reply="")
    Callback.objects.filter(rectification__evaluation_id__in=pks).update(summary="")
    RectificationEvent.objects.filter(rectification__evaluation_id__in=pks).update(note="")
    return done


def invitations_due(cutoff: dt.datetime) -> QuerySet[Invitation]:
    return Invitation.objects.filter(created_at__lt=cutoff)


registry.register_kind(
    RecordKind(
        "ratings.evaluations",
        _("好差评评价"),
        "RETENTION_RATINGS_DAYS",
        Action.ANONYMISE,
        evaluations_due,
        LOCAL,
        apply=evaluations_anonymise,
        covers=(Rectification, RectificationEvent, Callback),
    )
)
registry.register_kind(
    RecordKind(
        "ratings.invitations", _("短信评价链接"), "RETENTION_RATINGS_DAYS", Action.DELETE, invitations_due, LOCAL
    )
)


def export_evaluations(user: User) -> list[dict[str, Any]]:
    return [
        {
            "event": e.event_label,
            "kind": e.kind,
            "score": e.score,
            "score_label": str(e.get_score_display()),
            "tags": e.tag_labels,
            "comment": e.comment,
            "channel": e.channel,
            "created_at": e.created_at,
        }
        for e in Evaluation.objects.filter(citizen=user).select_related("case", "ticket", "ticket__group")
    ]


def erase(user: User) -> dict[str, int]:
    """Ratings become anonymous ones (kept for the statistics); unused rating links go."""
    return {
        "evaluations": Evaluation.objects.filter(citizen=user).update(citizen=None),
        "invitations": Invitation.objects.filter(citizen=user).delete()[0],
    }


registry.register_export("ratings", export_evaluations)
registry.register_eraser("ratings", erase)
