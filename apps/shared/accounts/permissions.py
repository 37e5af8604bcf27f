from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from .models import Role


class HasRole(BasePermission):
    roles: frozenset[str] = frozenset()
    message = _("您无权执行此操作。")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in self.roles)


class IsCitizen(HasRole):
    """A real-name verified citizen (DOMAIN.md §8): an account that has not proved its phone and identity
    acts on nothing (accounts/middleware.py says the same to pages)."""

    roles = frozenset({Role.CITIZEN})

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and request.user.is_real_name_verified


class IsClerk(HasRole):
    roles = frozenset({Role.CLERK, Role.HALL_SUPERVISOR})


class IsApprover(HasRole):
    roles = frozenset({Role.APPROVER, Role.CENTRAL_SUPERVISOR, Role.ADMIN})
