"""An unverified citizen account does nothing but finish its verification.

New registrations are inactive until verified, so Django's authentication already refuses them. This
middleware covers the accounts that were active before real-name verification existed (and any other
active, unverified citizen): signed in, they reach only the verification pages, logout and the
accounts API; every other page sends them to verify (an API answers 403 verification_required). Token
requests are authenticated inside DRF, after middleware: permissions.IsCitizen refuses them there.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from govservice.browser import token_api

from .models import Role

ALLOWED_PREFIXES = (
    "/accounts/",
    "/register/",
    "/password-reset/",
    "/api/v1/accounts/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/readyz",
    "/metrics",
)


class RealNameMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if token_api(request):  # no session user: govservice/browser.py; IsCitizen refuses in the view
            return self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.role == Role.CITIZEN
            # An administrator made with createsuperuser has the default role; staff are not citizens.
            and not user.is_staff
            and not user.is_real_name_verified
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "verification_required", "detail": _("请先完成实名核验。")},
                    status=403,
                    json_dumps_params={"ensure_ascii": False},
                )
            return redirect("accounts:verify")
        return self.get_response(request)
