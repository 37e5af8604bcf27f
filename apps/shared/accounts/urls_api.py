"""API of this app, included under /api/v1/ (govservice/urls_common.py; registration only at the front)."""

from django.urls import path

from .api import MeApi, PasswordResetApi, PasswordResetConfirmApi, RegisterApi, RegisterConfirmApi, RegisterResendApi

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
]

# Citizens register at the front only (govservice/urls_front.py).
register_urlpatterns = [
    path("accounts/register/", RegisterApi.as_view(), name="api-register"),
    path("accounts/register/confirm/", RegisterConfirmApi.as_view(), name="api-register-confirm"),
    path("accounts/register/resend/", RegisterResendApi.as_view(), name="api-register-resend"),
    path("accounts/password-reset/", PasswordResetApi.as_view(), name="api-password-reset"),
    path("accounts/password-reset/confirm/", PasswordResetConfirmApi.as_view(), name="api-password-reset-confirm"),
]
