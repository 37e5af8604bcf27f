"""The one visit of an online application to have its originals seen (最多跑一次): where it stands and the slots
open at the case's hall, booked and cancelled by the applicant or by someone acting for them (services/originals.py:
the mandates' rule on the case at every act, both people recorded)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.front.booking.selectors import MAX_ID
from apps.front.intake.models import Case, OriginalsCheck
from apps.front.intake.services import originals_to_see
from apps.shared.accounts.permissions import IsCitizen
from govservice.throttling import BookingThrottle

from ..services import originals_visit_book, originals_visit_cancel, visit_authority, visit_case_for, visit_slots
from .common import _error

NOT_YOURS_OR_AGENT = _error(
    "not_found: no such case, or neither yours nor one you filed or may follow for its applicant."
)
ACTING_ERRORS = _error(
    "A verified citizen only. Acting for the applicant: mandate_revoked, mandate_expired, mandate_out_of_scope, mandate_unconfirmed, "
    "mandate_not_yet_valid, no_mandate, agent_not_verified (the mandates' rule on this case, checked at each act)."
)


class VisitSlotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class VisitAppointmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.CharField()
    start = serializers.DateTimeField(source="slot.start")
    hall = serializers.CharField(source="hall.name")
    booked_by = serializers.CharField(
        source="agent.real_name",
        allow_null=True,
        default=None,
        help_text="Who booked it for the applicant; null: the applicant.",
    )


class OriginalsVisitSerializer(serializers.Serializer):
    number = serializers.CharField(source="case.number")
    matter = serializers.CharField(source="case.matter.name")
    hall = serializers.CharField(source="case.hall.name")
    applicant_name = serializers.CharField(source="case.citizen.real_name")
    acting = serializers.BooleanField(help_text="The caller acts for the applicant (their authority was checked).")
    needs_visit = serializers.BooleanField(source="case.needs_original_visit")
    originals = serializers.ListField(
        child=serializers.CharField(), help_text="The materials whose originals to bring."
    )
    appointment = VisitAppointmentSerializer(allow_null=True, help_text="The visit booked for the case (the latest).")
    completed_at = serializers.DateTimeField(allow_null=True)
    slots = VisitSlotSerializer(many=True, help_text="Slots open at the case's hall (empty once booked or done).")


class VisitBookSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=MAX_ID)


def _visit(case: Case, *, acting: bool) -> dict:
    check = (
        OriginalsCheck.objects.filter(case=case)
        .select_related("appointment__slot", "appointment__hall", "appointment__agent")
        .first()
    )
    appointment = check.appointment if check is not None else None
    open_to_book = case.needs_original_visit and (
        check is None or (check.completed_at is None and (appointment is None or not appointment.is_active))
    )
    return {
        "case": case,
        "acting": acting,
        "originals": [m.name for m in originals_to_see(case)],
        "appointment": appointment,
        "completed_at": check.completed_at if check is not None else None,
        "slots": visit_slots(case) if open_to_book else [],
    }


class OriginalsVisitApi(APIView):
    """GET: the case's one visit; POST ``{"slot"}``: book it, for the applicant (201). Someone acting for the
    applicant is refused with the reason when their authority does not reach the case now."""

    permission_classes = [IsCitizen]

    def get_throttles(self):
        return [BookingThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses={200: OriginalsVisitSerializer, 403: ACTING_ERRORS, 404: NOT_YOURS_OR_AGENT})
    def get(self, request, number):
        case = visit_case_for(user=request.user, number=number)
        acting = visit_authority(user=request.user, case=case) is not None
        return Response(OriginalsVisitSerializer(_visit(case, acting=acting)).data)

    @extend_schema(
        request=VisitBookSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        responses={
            201: OriginalsVisitSerializer,
            400: _error("invalid (no slot)."),
            403: ACTING_ERRORS,
            404: NOT_YOURS_OR_AGENT,
            409: _error(
                "already_booked, no_visit_needed, invalid_state (checked already, or the case is past it), full."
            ),
            422: _error("wrong_hall (the visit is at the hall that accepted the case), and booking's own refusals."),
        },
    )
    def post(self, request, number):
        serializer = VisitBookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = originals_visit_book(
            actor=request.user,
            number=number,
            slot_id=serializer.validated_data["slot"],
            idempotency_key=request.headers.get("Idempotency-Key", "")[:64],
        )
        case = check.case
        return Response(
            OriginalsVisitSerializer(_visit(case, acting=case.citizen_id != request.user.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class OriginalsVisitCancelApi(APIView):
    """Cancel the case's visit still ahead (it may be booked again)."""

    permission_classes = [IsCitizen]

    @extend_schema(
        request=None,
        responses={
            200: OriginalsVisitSerializer,
            403: ACTING_ERRORS,
            404: NOT_YOURS_OR_AGENT,
            409: _error("invalid_state (no visit ahead), no_visit_needed."),
        },
    )
    def post(self, request, number):
        check = originals_visit_cancel(actor=request.user, number=number)
        case = check.case
        return Response(OriginalsVisitSerializer(_visit(case, acting=case.citizen_id != request.user.pk)).data)
