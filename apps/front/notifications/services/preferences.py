"""The citizen's channel choices and the language of their messages."""

from __future__ import annotations

import pghistory
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.shared.accounts.models import User
from govservice.api import DomainError

from ..models import Language, NotificationPreference


def preference_for(user: User) -> NotificationPreference:
    """The person's choices; the defaults (every channel they have, Chinese) when they never chose.
    Not saved: a person who never chose has no row."""
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


@transaction.atomic
def preference_update(*, user: User, sms: bool, email: bool, language: str) -> NotificationPreference:
    """Save the person's channel choices (the inbox cannot be turned off) and language."""
    if language not in Language.values:
        raise DomainError(_("通知语言无效。"), code="invalid_language")
    with pghistory.context(preference_changed_by=user.pk):
        preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        preference.sms, preference.email, preference.language = bool(sms), bool(email), language
        preference.updated_at = timezone.now()
        preference.save(update_fields=["sms", "email", "language", "updated_at"])
    # The cached reverse accessor would otherwise keep the old choices for the rest of this request.
    user.notification_preference = preference
    return preference
