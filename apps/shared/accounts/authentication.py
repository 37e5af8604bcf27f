"""How an API request proves who it is: a knox token (apps/shared/accounts/tokens.py issues them). A module
of its own because DRF reads it from settings while knox's views are being defined."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions

from . import tokencache

REVOKED = "令牌已失效，请重新登录。"
# Knox's own answer to an unknown token, translated by the catalogues that already carry it (DRF's).
INVALID = "Invalid token."


class TokenAuthentication(KnoxTokenAuthentication):
    """Knox's check, and a token made before the password last changed no longer opens anything. The token
    is found by tokencache (a statement written once, a short cache that a revocation ends at once)."""

    def authenticate_credentials(self, token: bytes):
        try:
            # A token is hex; the header reaches here as its Latin-1 bytes, which need not be UTF-8 ("Token é").
            text = token.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(gettext(INVALID)) from None
        hit = tokencache.cached(text)
        if hit is not None:
            _user, auth_token = hit
            if not self._expired(auth_token):
                return self.validate_user(auth_token)
        for candidate in tokencache.lookup(text):
            auth_token = candidate.token
            if self._cleanup_token(auth_token) or not tokencache.digest_matches(text, auth_token.digest):
                continue
            if knox_settings.AUTO_REFRESH and auth_token.expiry:
                self.renew_token(auth_token)
            answer = self.validate_user(auth_token)
            tokencache.keep(candidate)
            return answer
        raise exceptions.AuthenticationFailed(gettext(INVALID))

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        changed = user.password_changed_at
        if changed is not None and token.created < changed:
            token.delete()
            raise exceptions.AuthenticationFailed(REVOKED)
        return user, token

    @staticmethod
    def _expired(auth_token) -> bool:
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()

    def _cleanup_token(self, auth_token) -> bool:
        # Only this token's own expiry: knox also walks every other token of the user on each request
        # (one more query per API call); the others are dropped when their owner next asks for a token.
        if self._expired(auth_token):
            auth_token.delete()
            return True
        return False


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
