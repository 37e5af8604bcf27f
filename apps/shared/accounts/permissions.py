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
    roles = frozenset({Role.CITIZEN})


class IsClerk(HasRole):
    roles = frozenset({Role.CLERK, Role.HALL_SUPERVISOR})


class IsApprover(HasRole):
    roles = frozenset({Role.APPROVER, Role.CENTRAL_SUPERVISOR, Role.ADMIN})
