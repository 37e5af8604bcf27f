"""What the applicant (or the hall for them) sends later: deferred items, pre-filing, supplements, withdrawal,
licences fetched from the library."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsCitizen, IsClerk
from apps.shared.privacy.models import Channel
from govservice.api import DomainError, MultipartApiView
from govservice.lib import idcard

from ..selectors import (
    case_get_for_citizen,
    case_get_for_staff,
)
from ..services import (
    case_commitment_supply,
    case_prefile,
    case_supplement,
    case_withdraw,
)
from ..shared import licences_fetch_for_case
from .window import MULTIPART, CaseSerializer, uploads_from


class StaffDeferredApi(MultipartApiView):
    """Deferred items (容缺) the applicant brought to a window, each under ``material_<id>``."""

    permission_classes = [IsClerk]

    @extend_schema(request=MULTIPART, responses={200: CaseSerializer})
    def post(self, request, number):
        case = case_commitment_supply(actor=request.user, number=number, uploads=uploads_from(request))
        return Response(CaseSerializer(case).data)


class DeferredApi(MultipartApiView):
    """The applicant uploads deferred items (容缺) online, each under ``material_<id>``."""

    permission_classes = [IsCitizen]

    @extend_schema(request=MULTIPART, responses={200: CaseSerializer})
    def post(self, request, number):
        case = case_commitment_supply(actor=request.user, number=number, uploads=uploads_from(request))
        return Response(CaseSerializer(case).data)


def idcard_like(value: str) -> bool:
    """Looks like an ID number (it must not be taken from a query string)."""
    try:
        idcard.parse(value)
    except idcard.InvalidIdNumber:
        return False
    return True


class PrefileApi(MultipartApiView):
    """在线预填: the citizen uploads materials for a booked appointment (repeatable while not yet received)."""

    permission_classes = [IsCitizen]

    @extend_schema(request=MULTIPART, responses={201: CaseSerializer})
    def post(self, request, code):
        case, password = case_prefile(citizen=request.user, appointment_code=code, uploads=uploads_from(request))
        data = CaseSerializer(case).data
        if password:
            data["query_password"] = password
        return Response(data, status=status.HTTP_201_CREATED)


class SupplementApi(MultipartApiView):
    """The citizen answers a correction request with the corrected materials."""

    permission_classes = [IsCitizen]

    @extend_schema(request=MULTIPART, responses={200: CaseSerializer})
    def post(self, request, number):
        case = case_supplement(citizen=request.user, number=number, uploads=uploads_from(request))
        return Response(CaseSerializer(case).data)


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class WithdrawApi(APIView):
    """The citizen withdraws before a decision (confirmed by central if the case is there)."""

    permission_classes = [IsCitizen]

    @extend_schema(request=WithdrawSerializer, responses={202: CaseSerializer})
    def post(self, request, number):
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = case_withdraw(citizen=request.user, number=number, reason=serializer.validated_data["reason"])
        return Response(CaseSerializer(case).data, status=status.HTTP_202_ACCEPTED)


class LicencesFetchSerializer(serializers.Serializer):
    consent = serializers.BooleanField(help_text=_("申请人同意调取其电子证照库中的证照用于本次办件"))


class LicenceHeldSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    issuer = serializers.CharField()
    licence_number = serializers.CharField()
    valid_until = serializers.DateField(allow_null=True)


# The centrals whose library did not answer a fetch, by peer code (their licences could not be fetched).
UNREACHABLE_HEADER = "Licences-Unavailable"


class CaseLicencesApi(APIView):
    """Fetch the applicant's licences this case's matter needs from the libraries of the centrals this
    platform knows (电子证照库), with the applicant's consent: the materials they stand for need not be
    submitted (the evidence ids go with the acceptance like any vault evidence). A central that is away does
    not hide the others' licences: its code is in the ``Licences-Unavailable`` header. The applicant for their
    own case, or a clerk of the case's hall."""

    @extend_schema(
        request=LicencesFetchSerializer,
        responses={200: LicenceHeldSerializer(many=True)},
        parameters=[
            OpenApiParameter(
                UNREACHABLE_HEADER,
                str,
                location=OpenApiParameter.HEADER,
                response=[200],
                description="未能访问的审批后台电子证照库（平台编码，逗号分隔）；其中的证照本次未能调取",
            )
        ],
    )
    def post(self, request, number):
        serializer = LicencesFetchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if IsCitizen().has_permission(request, self):
            case, channel = case_get_for_citizen(citizen=request.user, number=number), Channel.API
        elif IsClerk().has_permission(request, self):
            case, channel = case_get_for_staff(user=request.user, number=number), Channel.WINDOW
        else:
            raise DomainError(_("只有申请人本人或受理窗口可以调取证照。"), code="forbidden")
        fetched = licences_fetch_for_case(
            case=case, by=request.user, consent_given=serializer.validated_data["consent"], channel=channel
        )
        response = Response(LicenceHeldSerializer(fetched.items, many=True).data)
        if fetched.unreachable:
            response[UNREACHABLE_HEADER] = ",".join(peer.code for peer in fetched.unreachable)
        return response
