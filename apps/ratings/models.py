"""好差评: the citizen's rating of a service (DOMAIN.md §7)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.intake.models import Case


class Score(models.IntegerChoices):
    # DOMAIN.md §7: 1 = best; 4 and 5 are 差评.
    VERY_SATISFIED = 1, _("非常满意")
    SATISFIED = 2, _("满意")
    BASICALLY_SATISFIED = 3, _("基本满意")
    DISSATISFIED = 4, _("不满意")
    VERY_DISSATISFIED = 5, _("非常不满意")


class Evaluation(models.Model):
    """一事一评: one evaluation per case."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="evaluation")
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluations")
    score = models.PositiveSmallIntegerField(choices=Score.choices)
    comment = models.CharField(max_length=500, blank=True)
    channel = models.CharField(max_length=16, default="web")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="evaluation_score_range")
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.score}"

    @property
    def is_bad(self) -> bool:
        return self.score >= Score.DISSATISFIED
