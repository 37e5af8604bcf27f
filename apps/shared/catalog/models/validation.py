"""How a catalog row checks itself: the credit code's validator, and ``clean()`` reporting what the catalogue
checker (``apps.shared.catalog.rules``) finds wrong with the row."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, router

from govservice.lib import creditcode


def validate_credit_code(value: str) -> None:
    """GB 32100-2015 in full (govservice/lib/creditcode.py): shape, alphabet and check character."""
    try:
        creditcode.parse(value)
    except creditcode.InvalidCreditCode as exc:
        raise ValidationError(str(exc), code="invalid_credit_code") from None


class RulesInCleanMixin:
    """Model validation checks the unique constraints only: the check constraints repeat the rules of
    ``apps.shared.catalog.rules``, which ``clean()`` reports with messages that say what to fix. A model names
    its row's rules in ``rule_errors()``."""

    def rule_errors(self) -> dict[str, list[str]] | list[str]:
        """The row's broken rules: by field (``"__all__"`` when no single field is to blame), or a list."""
        raise NotImplementedError

    def clean(self) -> None:
        errors = self.rule_errors()
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        errors: dict = {}
        using = router.db_for_write(self.__class__, instance=self)
        for constraint in self._meta.constraints:  # type: ignore[attr-defined]
            if not isinstance(constraint, models.UniqueConstraint):
                continue
            try:
                constraint.validate(self.__class__, self, exclude=exclude, using=using)
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
