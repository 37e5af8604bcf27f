"""The window: the clerk's check of the person acting for the called ticket's applicant, and the signed paper
委托书 scanned there."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsClerk
from govservice.api import MultipartApiView

from ..services import mandate_record_paper, window_check
from .common import MandateSerializer, optional_text, valid


class WindowCheckSerializer(serializers.Serializer):
    person_id_number = serializers.CharField(max_length=32)
    principal_id_number = optional_text(32)


class WindowCheckResultSerializer(serializers.Serializer):
    ticket = serializers.CharField(source="ticket.label")
    applicant = serializers.CharField(source="ticket.citizen.real_name")
    applicant_kind = serializers.CharField(source="ticket.citizen.applicant_kind")
    agent = serializers.CharField(source="ticket.agent.real_name", allow_null=True, default=None)
    as_representative = serializers.SerializerMethodField()
    mandate = serializers.CharField(source="authority.mandate.number", allow_null=True, default=None)

    def get_as_representative(self, check) -> bool:
        return check.authority is not None and check.authority.as_representative


class PaperMandateSerializer(serializers.Serializer):
    principal_id_number = serializers.CharField(max_length=32)
    agent_id_number = serializers.CharField(max_length=32)
    matter_code = optional_text(64)
    case_number = optional_text(32)
    may_apply = serializers.BooleanField(default=True)
    may_collect = serializers.BooleanField(default=True)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    scan = serializers.FileField()


class WindowCheckApi(APIView):
    """The clerk checks the person at the window for the called ticket: the applicant in person, a company's
    legal representative, or an agent within a mandate in force; the ticket then names both."""

    permission_classes = [IsClerk]

    @extend_schema(request=WindowCheckSerializer, responses=WindowCheckResultSerializer)
    def post(self, request, ticket_id):
        data = valid(WindowCheckSerializer, request.data)
        check = window_check(clerk=request.user, ticket_id=ticket_id, **data)
        return Response(WindowCheckResultSerializer(check).data)


class PaperMandateApi(MultipartApiView):
    """A signed paper 委托书 scanned at the window: recorded in force at once."""

    permission_classes = [IsClerk]

    @extend_schema(request={"multipart/form-data": PaperMandateSerializer}, responses={201: MandateSerializer})
    def post(self, request):
        data = valid(PaperMandateSerializer, request.data)
        mandate = mandate_record_paper(clerk=request.user, **data)
        return Response(MandateSerializer(mandate).data, status=status.HTTP_201_CREATED)
