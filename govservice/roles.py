"""Page access by role (the API uses apps.shared.accounts.permissions)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.utils.translation import gettext as _


def role_required(*roles: str):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.role not in roles:
                return render(request, "error.html", {"message": _("您无权访问此页面。")}, status=403)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
