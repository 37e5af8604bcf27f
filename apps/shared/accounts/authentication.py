"""How an API request proves who it is: a knox token (apps/shared/accounts/tokens.py issues them). A module
of its own because DRF reads it from settings while knox's views are being defined."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions

REVOKED = "令牌已失效，请重新登录。"


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's check, and a token made before the password last changed no longer opens anything."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        changed = user.password_changed_at
        if changed is not None and token.created < changed:
            token.delete()
            raise exceptions.AuthenticationFailed(REVOKED)
        return user, token

    def _cleanup_token(self, auth_token) -> bool:
        # Only this token's own expiry: knox also walks every other token of the user on each request
        # (one more query per API call); the others are dropped when their owner next asks for a token.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


REVOKED = "令牌已失效，请重新登录。"


class TokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema describes the token as before: ``Authorization: Token <token>``."""

    target_class = "apps.shared.accounts.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }
