"""Acting for others: whom the signed-in person may act for now and how, the principal's cases within the
agent's scope, and the principal's appointments, booked and cancelled by the agent."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from apps.front.booking.models import Appointment, GreenCategory
from apps.front.booking.selectors import MAX_ID
from govservice.throttling import BookingThrottle

from ..selectors import (
    Principal,
    appointments_for_agent,
    case_get_for_agent,
    cases_for_agent,
    principal_for_agent,
    principals_for_agent,
)
from ..services import agent_book, agent_cancel
from .common import ActingCaseSerializer, CitizenApi, MandateSerializer, valid


class ActingAppointmentSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.name")
    hall = serializers.CharField(source="hall.name")
    start = serializers.DateTimeField(source="slot.start")
    agent = serializers.CharField(source="agent.real_name", allow_null=True, default=None)

    class Meta:
        model = Appointment
        fields = ["code", "status", "matter", "matter_code", "hall", "start", "agent", "created_at"]


class PrincipalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="account.pk")
    kind = serializers.CharField(source="account.applicant_kind")
    name = serializers.CharField()
    credit_code = serializers.CharField(source="company.credit_code", allow_null=True, default=None)
    as_representative = serializers.BooleanField(source="is_representative")
    mandates = MandateSerializer(many=True)


class AgentBookSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    matter = serializers.CharField(max_length=64)
    green_category = serializers.ChoiceField(
        choices=GreenCategory.choices, required=False, allow_blank=True, default=""
    )


def _principal(request, principal_id: int) -> Principal:
    """Someone the signed-in person may act for now; 404 for anyone else."""
    return principal_for_agent(agent=request.user, principal_id=principal_id)


class ActingListApi(CitizenApi):
    """Whom the signed-in person may act for now, and how (a revoked or expired mandate is not listed)."""

    @extend_schema(responses=PrincipalSerializer(many=True))
    def get(self, request):
        return Response(PrincipalSerializer(principals_for_agent(agent=request.user), many=True).data)


class ActingCasesApi(CitizenApi):
    """The principal's cases within the agent's scope (never the principal's other cases)."""

    @extend_schema(responses=ActingCaseSerializer(many=True))
    def get(self, request, principal_id):
        principal = _principal(request, principal_id)
        return Response(ActingCaseSerializer(cases_for_agent(agent=request.user, principal=principal), many=True).data)


class ActingCaseDetailApi(CitizenApi):
    @extend_schema(responses=ActingCaseSerializer)
    def get(self, request, principal_id, number):
        principal = _principal(request, principal_id)
        return Response(
            ActingCaseSerializer(case_get_for_agent(agent=request.user, principal=principal, number=number)).data
        )


class ActingAppointmentsApi(CitizenApi):
    """The principal's appointments the agent may see; POST books one for the principal."""

    def get_throttles(self):
        return [BookingThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=ActingAppointmentSerializer(many=True))
    def get(self, request, principal_id):
        principal = _principal(request, principal_id)
        return Response(
            ActingAppointmentSerializer(appointments_for_agent(agent=request.user, principal=principal), many=True).data
        )

    @extend_schema(
        request=AgentBookSerializer,
        responses={201: ActingAppointmentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request, principal_id):
        principal = _principal(request, principal_id)
        data = valid(AgentBookSerializer, request.data)
        appointment = agent_book(
            agent=request.user,
            principal=principal,
            slot_id=data["slot"],
            matter_code=data["matter"],
            idempotency_key=request.headers.get("Idempotency-Key", "")[:64],
            green_category=data["green_category"],
        )
        return Response(ActingAppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class ActingAppointmentCancelApi(CitizenApi):
    @extend_schema(request=None, responses=ActingAppointmentSerializer)
    def post(self, request, principal_id, code):
        principal = _principal(request, principal_id)
        return Response(
            ActingAppointmentSerializer(agent_cancel(agent=request.user, principal=principal, code=code)).data
        )
