"""API of this app, included under /api/v1/ (govservice/urls_common.py; registration only at the front)."""

from django.urls import path

from .api import MeApi, PasswordResetApi, PasswordResetConfirmApi, RegisterApi, RegisterConfirmApi, RegisterResendApi
from .tokens import LogoutAllApi, LogoutApi, ObtainTokenApi, TokenListApi, TokenRevokeApi

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
    # Token auth for terminals' helpers, integrations and scripts; pages use sessions.
    path("auth/token/", ObtainTokenApi.as_view(), name="api-token"),
    path("auth/logout/", LogoutApi.as_view(), name="api-logout"),
    path("auth/logout-all/", LogoutAllApi.as_view(), name="api-logout-all"),
    path("auth/tokens/", TokenListApi.as_view(), name="api-tokens"),
    path("auth/tokens/<str:token_id>/", TokenRevokeApi.as_view(), name="api-token-revoke"),
]

# Citizens register at the front only (govservice/urls_front.py).
register_urlpatterns = [
    path("accounts/register/", RegisterApi.as_view(), name="api-register"),
    path("accounts/register/confirm/", RegisterConfirmApi.as_view(), name="api-register-confirm"),
    path("accounts/register/resend/", RegisterResendApi.as_view(), name="api-register-resend"),
    path("accounts/password-reset/", PasswordResetApi.as_view(), name="api-password-reset"),
    path("accounts/password-reset/confirm/", PasswordResetConfirmApi.as_view(), name="api-password-reset-confirm"),
]
