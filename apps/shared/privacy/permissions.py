"""Who may use these pages and endpoints: a signed-in, real-name verified citizen. Read from the user's own
properties (accounts' User), since this app sits below accounts and imports none of it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


def is_verified_citizen(user: Any) -> bool:
    return bool(
        user
        and user.is_authenticated
        and getattr(user, "is_citizen", False)
        and getattr(user, "is_real_name_verified", False)
    )


class IsVerifiedCitizen(BasePermission):
    message = _("您无权执行此操作。")

    def has_permission(self, request, view) -> bool:
        return is_verified_citizen(request.user)
