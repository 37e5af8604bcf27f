"""API tokens (django-rest-knox): what DRF's authtoken lacked — tokens are stored as a digest only, expire
(staff within a working day, citizens after API_TOKEN_HOURS_CITIZEN), end with the API logout and whenever
the password changes, and their owner lists and revokes them (an admin in the admin, knox's AuthToken).

The wire between the sites does not use them (it signs each request); kiosks and tablets have device
tokens of their own (apps/front/floor)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from knox import views as knox_views
from knox.models import AuthToken
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .authentication import TokenAuthentication
from .models import STAFF_ROLES


def token_ttl_for(user) -> dt.timedelta:
    """Staff tokens last a working day; a citizen's a week (settings API_TOKEN_HOURS_*)."""
    hours = settings.API_TOKEN_HOURS_STAFF if user.role in STAFF_ROLES else settings.API_TOKEN_HOURS_CITIZEN
    return dt.timedelta(hours=hours)


TokenAnswer = inline_serializer(
    "TokenAnswer", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
)


class ObtainTokenApi(knox_views.LoginView):
    """A token for a username and password (the same path and body as before: ``{"token": …}``, now also
    its ``expiry``). Wrong credentials count toward the login lockout like the login page, and answer 401
    ``authentication_failed`` (issue 17; a missing field is still 400 ``invalid``)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # What a 401 names: the scheme the token is then used with (DRF would turn a 401 without it into 403).
        return "Token"

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenAnswer})
    def post(self, request, format=None):
        credentials = AuthTokenSerializer(data=request.data, context={"request": request})
        if not credentials.is_valid():
            if set(credentials.errors) == {"non_field_errors"}:
                raise exceptions.AuthenticationFailed(_("用户名或密码错误，或账户尚未启用。"))
            raise exceptions.ValidationError(credentials.errors)
        request.user = credentials.validated_data["user"]
        # Expired tokens of this user go now (the per-request check looks at one token only).
        AuthToken.objects.filter(user=request.user, expiry__lt=timezone.now()).delete()
        return super().post(request, format)

    def create_token(self):
        return AuthToken.objects.create(user=self.request.user, expiry=token_ttl_for(self.request.user))


class LogoutApi(knox_views.LogoutView):
    """Revoke the token this request is made with."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)


class LogoutAllApi(knox_views.LogoutAllView):
    """Revoke every token of the user."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, format=None):
        return super().post(request, format)


class TokenRowSerializer(serializers.Serializer):
    id = serializers.CharField(
        source="token_key", help_text="The token's first characters: enough to name it, never to use it."
    )
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    current = serializers.BooleanField()


class TokenListApi(APIView):
    """The user's own live tokens (never the tokens themselves)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TokenRowSerializer(many=True)})
    def get(self, request):
        current = request.auth.token_key if isinstance(request.auth, AuthToken) else None
        rows = AuthToken.objects.filter(user=request.user, expiry__gt=timezone.now()).order_by("-created")
        data = [
            {"token_key": t.token_key, "created": t.created, "expiry": t.expiry, "current": t.token_key == current}
            for t in rows
        ]
        return Response(TokenRowSerializer(data, many=True).data)


class TokenRevokeApi(APIView):
    """Revoke one of the user's own tokens by its id (404 for anyone else's)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, token_id: str):
        deleted, _rows = AuthToken.objects.filter(user=request.user, token_key=token_id[:15]).delete()
        if not deleted:
            raise exceptions.NotFound("未找到该令牌。")
        return Response(status=status.HTTP_204_NO_CONTENT)
