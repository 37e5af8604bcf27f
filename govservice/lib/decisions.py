"""The outcomes of an approval decision. Both sites use these codes: central decides, the front shows it,
and the wire carries the code between them (行政许可法 Art. 38: approve, or deny with reasons)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Decision(models.TextChoices):
    APPROVED = "approved", _("准予许可")
    DENIED = "denied", _("不予许可")
    PARTLY_APPROVED = "partly_approved", _("部分准予")
