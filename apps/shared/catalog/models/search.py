"""What the matter search reads besides the matters: the words citizens use for the same thing."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Synonym(models.Model):
    """A group of words a citizen uses for the same thing (社保卡, 社会保障卡); the search tries them all."""

    terms = models.CharField(
        _("同义词组"), max_length=300, help_text=_("两个或以上的词，用逗号分隔，例如：社保卡,社会保障卡")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("同义词")
        verbose_name_plural = _("同义词")

    def __str__(self) -> str:
        return " ↔ ".join(self.term_list())

    def term_list(self) -> list[str]:
        return split_terms(self.terms)

    def clean(self) -> None:
        if len(set(self.term_list())) < 2:
            raise ValidationError({"terms": _("同义词组至少需要两个不同的词，用逗号分隔。")})


def split_terms(text: str) -> list[str]:
    """Words of a comma-separated list; Chinese and ASCII commas, semicolons and the enumeration comma."""
    return [t.strip().lower() for t in re.split(r"[,，;；、\n]", text) if t.strip()]
