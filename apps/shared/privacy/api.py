"""The citizen's personal information over the API: export, consents, account deletion (front only)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .consents import consents_for
from .models import Channel
from .permissions import IsVerifiedCitizen
from .services import account_delete, export_json


class ConsentSerializer(serializers.Serializer):
    purpose = serializers.CharField()
    purpose_label = serializers.CharField()
    version = serializers.CharField()
    text = serializers.CharField()
    channel = serializers.CharField()
    reference = serializers.CharField()
    given_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)


class DeleteAccountSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class DeletedSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ExportApi(APIView):
    """Everything this site holds about me, as one JSON document (a download; at most PRIVACY_EXPORTS_PER_DAY a
    day, each one logged). The zip with my own files is on the page /me/privacy/."""

    permission_classes = [IsVerifiedCitizen]

    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request):
        response = HttpResponse(
            export_json(user=request.user, channel=Channel.API), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="my-data-{timezone.localdate().isoformat()}.json"'
        return response


class ConsentListApi(APIView):
    """The consents I gave, each with the text I was shown."""

    permission_classes = [IsVerifiedCitizen]

    @extend_schema(responses={200: ConsentSerializer(many=True)})
    def get(self, request):
        return Response(ConsentSerializer(consents_for(request.user), many=True).data)


class AccountDeleteApi(APIView):
    """Delete my account (the password again); 409 ``open_case`` / ``upcoming_appointment`` while either exists.
    Every token of the account ends, this one included."""

    permission_classes = [IsVerifiedCitizen]

    @extend_schema(request=DeleteAccountSerializer, responses={200: DeletedSerializer})
    def post(self, request):
        serializer = DeleteAccountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account_delete(user=request.user, password=serializer.validated_data["password"], channel=Channel.API)
        return Response({"detail": _("您的账户已注销。感谢您使用云窗口。")})
