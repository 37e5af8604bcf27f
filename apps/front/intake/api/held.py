"""Held cases (仅收件, or held after a one-time notice) at the hall: list, search, materials added, another
notice, refusal."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsClerk
from govservice.api import DomainError, MultipartApiView

from ..selectors import (
    held_cases_for_staff,
)
from ..services import (
    case_hold_supplement,
    case_notify_received,
    case_refuse_received,
)
from .applicant import idcard_like
from .window import MULTIPART, NOTICE_BODY, CaseSerializer, uploads_from


class HeldCaseSerializer(CaseSerializer):
    """A case the hall holds, for its clerks: the applicant masked, the intake limit and the notice."""

    applicant = serializers.CharField(source="citizen.masked_name")
    notice_outstanding = serializers.BooleanField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "applicant",
            "intake_deadline",
            "notice_items",
            "notice_sent_at",
            "notice_answered_at",
            "notice_outstanding",
        ]


class HeldCaseListApi(APIView):
    """The cases the hall holds (收件, or waiting on a one-time notice), the nearest intake limit first;
    ``?number=`` or ``?name=`` narrows them (an ID number is searched with POST …/search/)."""

    permission_classes = [IsClerk]

    @extend_schema(
        parameters=[OpenApiParameter("number", str, required=False), OpenApiParameter("name", str, required=False)],
        responses=HeldCaseSerializer(many=True),
    )
    def get(self, request):
        query = (request.query_params.get("number") or request.query_params.get("name") or "")[:64]
        if idcard_like(query):
            raise DomainError(_("请用 POST 查询身份证号码，证件号码不得出现在网址中。"), code="invalid")
        cases = held_cases_for_staff(user=request.user, query=query).select_related("citizen")[:100]
        return Response(HeldCaseSerializer(cases, many=True).data)


class HeldSearchSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=64, help_text="办件编号、身份证号码或姓名")


class HeldCaseSearchApi(APIView):
    """The held cases found by case number, the applicant's ID number (compared through its blind index)
    or name, posted so that an ID number never rides in an address or a log line."""

    permission_classes = [IsClerk]

    @extend_schema(request=HeldSearchSerializer, responses=HeldCaseSerializer(many=True))
    def post(self, request):
        serializer = HeldSearchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cases = held_cases_for_staff(user=request.user, query=serializer.validated_data["q"])[:100]
        return Response(HeldCaseSerializer(cases, many=True).data)


class HeldMaterialsApi(MultipartApiView):
    """The applicant brought materials for a case the hall holds: added to the same case (an outstanding
    one-time notice is answered, the five working days run again)."""

    permission_classes = [IsClerk]

    @extend_schema(request=MULTIPART, responses={200: HeldCaseSerializer})
    def post(self, request, number):
        case = case_hold_supplement(clerk=request.user, number=number, uploads=uploads_from(request))
        return Response(HeldCaseSerializer(case).data)


class HeldNoticeApi(MultipartApiView):
    """一次性告知 on a case the hall holds: ``items`` (repeat the field), with the materials just brought."""

    permission_classes = [IsClerk]

    @extend_schema(request=NOTICE_BODY, responses={200: HeldCaseSerializer})
    def post(self, request, number):
        case = case_notify_received(
            clerk=request.user, number=number, items=request.data.getlist("items"), uploads=uploads_from(request)
        )
        return Response(HeldCaseSerializer(case).data)


class HeldRefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    refer_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class HeldRefuseApi(APIView):
    """不予受理 of a case the hall holds: ``reason`` (required) and ``refer_to``."""

    permission_classes = [IsClerk]

    @extend_schema(request=HeldRefuseSerializer, responses={200: HeldCaseSerializer})
    def post(self, request, number):
        serializer = HeldRefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = case_refuse_received(clerk=request.user, number=number, **serializer.validated_data)
        return Response(HeldCaseSerializer(case).data)
