from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsCitizen, IsClerk
from apps.shared.accounts.selectors import citizen_verified_by_id_number
from apps.shared.catalog.selectors import matter_known_or_404
from govservice.api import DomainError
from govservice.schema import IdNumberField
from govservice.throttling import BookingThrottle

from .models import Appointment, GreenCategory, Hall, Slot, WaitlistEntry
from .selectors import (
    MAX_ID,
    appointment_get_for_citizen,
    appointments_for_citizen,
    halls_for_matter,
    slot_rows_open_for,
    waitlist_for_citizen,
)
from .services import (
    appointment_book,
    appointment_book_by_staff,
    appointment_cancel,
    appointment_reschedule,
    waitlist_accept,
    waitlist_join,
    waitlist_leave,
)


class HallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Hall
        fields = ["id", "code", "name", "address", "opening_hours"]


class SlotSerializer(serializers.ModelSerializer):
    remaining = serializers.IntegerField(source="free", help_text="网上可约的剩余名额")
    group = serializers.CharField(source="group.name")

    class Meta:
        model = Slot
        fields = ["id", "date", "start", "end", "capacity", "remaining", "group"]


class AppointmentSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.name")
    matter_code = serializers.CharField()
    hall = serializers.CharField(source="hall.name")
    address = serializers.CharField(source="hall.address")
    start = serializers.DateTimeField(source="slot.start")
    end = serializers.DateTimeField(source="slot.end")

    class Meta:
        model = Appointment
        fields = [
            "code",
            "status",
            "matter",
            "matter_code",
            "hall",
            "address",
            "start",
            "end",
            "created_at",
            "quota",
            "green_category",
            "strike",
            "cancel_reason",
        ]


class BookSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    matter = serializers.CharField(max_length=64)
    green_category = serializers.ChoiceField(
        choices=GreenCategory.choices, required=False, allow_blank=True, default=""
    )


class HallsForMatterApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = HallSerializer
    pagination_class = None

    queryset = Hall.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        matter_known_or_404(self.kwargs["code"])
        return halls_for_matter(self.kwargs["code"])


class SlotListApi(APIView):
    """Open slots for a matter at a hall. Answered from plain rows of one query (the hot read of a booking
    rush: no model instances, no serializer per slot); SlotSerializer describes the shape."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("hall", {"type": "integer", "minimum": 0, "maximum": MAX_ID}, required=True),
            OpenApiParameter("matter", {"type": "string", "minLength": 1}, required=True),
        ],
        responses=SlotSerializer(many=True),
    )
    def get(self, request):
        hall = request.query_params.get("hall", "")
        matter = request.query_params.get("matter", "")
        if not hall.isdecimal() or not matter or int(hall) > MAX_ID:
            raise serializers.ValidationError({"hall": _("请选择大厅和事项。")})
        return Response(slot_rows_open_for(hall_id=int(hall), matter_code=matter))


class AppointmentListCreateApi(APIView):
    permission_classes = [IsCitizen]

    def get_throttles(self):
        return [BookingThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=AppointmentSerializer(many=True))
    def get(self, request):
        return Response(AppointmentSerializer(appointments_for_citizen(citizen=request.user), many=True).data)

    @extend_schema(
        request=BookSerializer,
        responses={201: AppointmentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request):
        data = _plain_booking(request.data)
        if data is None:  # anything but the plain case: BookSerializer validates (and explains) it
            serializer = BookSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        appointment = appointment_book(
            citizen=request.user,
            slot_id=data["slot"],
            matter_code=data["matter"],
            idempotency_key=request.headers.get("Idempotency-Key", "")[:64],
            green_category=data["green_category"],
        )
        return Response(_BOOKED.to_representation(appointment), status=status.HTTP_201_CREATED)


# A booking rush posts this many times a second: one AppointmentSerializer built once per process for the
# answer (a ModelSerializer introspects the model on every instantiation; to_representation only reads).
_BOOKED = AppointmentSerializer()


def _plain_booking(data) -> dict | None:
    """The body of a booking when it is plainly what BookSerializer would accept unchanged (an id in
    range, a matter code that is printable, unpadded and at most 64 characters, no green channel), else
    None. Saves building a serializer per request of a flash crowd; every other body goes through it."""
    if not isinstance(data, dict) or "green_category" in data:
        return None
    slot, matter = data.get("slot"), data.get("matter")
    if type(slot) is not int or not 1 <= slot <= MAX_ID:
        return None
    if type(matter) is not str or not 0 < len(matter) <= 64 or not matter.isprintable() or matter.strip() != matter:
        return None
    return {"slot": slot, "matter": matter, "green_category": ""}


class AppointmentDetailApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(responses=AppointmentSerializer)
    def get(self, request, code):
        return Response(AppointmentSerializer(appointment_get_for_citizen(citizen=request.user, code=code)).data)


class AppointmentCancelApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(request=None, responses=AppointmentSerializer)
    def post(self, request, code):
        appointment = get_object_or_404(Appointment, citizen=request.user, code=code)
        appointment = appointment_cancel(citizen=request.user, appointment_id=appointment.id)
        return Response(AppointmentSerializer(appointment).data)


class RescheduleSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class AppointmentRescheduleApi(APIView):
    permission_classes = [IsCitizen]
    throttle_classes = [BookingThrottle]

    @extend_schema(
        request=RescheduleSerializer,
        responses={201: AppointmentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request, code):
        serializer = RescheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appointment = get_object_or_404(Appointment, citizen=request.user, code=code)
        new = appointment_reschedule(
            citizen=request.user,
            appointment_id=appointment.id,
            slot_id=serializer.validated_data["slot"],
            idempotency_key=request.headers.get("Idempotency-Key", "")[:64],
        )
        return Response(AppointmentSerializer(new).data, status=status.HTTP_201_CREATED)


class WaitlistSerializer(serializers.ModelSerializer):
    hall = serializers.CharField(source="hall.name")
    offered_start = serializers.DateTimeField(source="offered_slot.start", allow_null=True, default=None)

    class Meta:
        model = WaitlistEntry
        fields = ["id", "matter_code", "hall", "date", "status", "offered_start", "offer_expires_at", "created_at"]


class WaitlistJoinSerializer(serializers.Serializer):
    matter = serializers.CharField(max_length=64)
    hall = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    date = serializers.DateField()


class WaitlistApi(APIView):
    """A citizen's waitlist for full days: list, join."""

    permission_classes = [IsCitizen]

    def get_throttles(self):
        return [BookingThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=WaitlistSerializer(many=True))
    def get(self, request):
        return Response(WaitlistSerializer(waitlist_for_citizen(citizen=request.user), many=True).data)

    @extend_schema(request=WaitlistJoinSerializer, responses={201: WaitlistSerializer})
    def post(self, request):
        serializer = WaitlistJoinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = waitlist_join(
            citizen=request.user,
            matter_code=serializer.validated_data["matter"],
            hall_id=serializer.validated_data["hall"],
            date=serializer.validated_data["date"],
        )
        return Response(WaitlistSerializer(entry).data, status=status.HTTP_201_CREATED)


class WaitlistAcceptApi(APIView):
    permission_classes = [IsCitizen]
    throttle_classes = [BookingThrottle]

    @extend_schema(
        request=None,
        responses={201: AppointmentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request, entry_id):
        appointment = waitlist_accept(
            citizen=request.user, entry_id=entry_id, idempotency_key=request.headers.get("Idempotency-Key", "")[:64]
        )
        return Response(AppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class WaitlistLeaveApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(request=None, responses=WaitlistSerializer)
    def post(self, request, entry_id):
        return Response(WaitlistSerializer(waitlist_leave(citizen=request.user, entry_id=entry_id)).data)


class StaffBookSerializer(serializers.Serializer):
    id_number = IdNumberField(help_text="市民的居民身份证号码（只用于查找账户，不回显）")
    slot = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    matter = serializers.CharField(max_length=64)


class StaffBookingResultSerializer(AppointmentSerializer):
    citizen = serializers.CharField(source="citizen.masked_name")

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "citizen"]


class StaffBookingApi(APIView):
    """Phone / on-site booking by hall staff, on the reserved share of a slot at their own hall."""

    permission_classes = [IsClerk]

    @extend_schema(
        request=StaffBookSerializer,
        responses={201: StaffBookingResultSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request):
        serializer = StaffBookSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        citizen = citizen_verified_by_id_number(serializer.validated_data["id_number"])
        if citizen is None:
            raise DomainError(
                _("未找到该身份证号码对应的市民账户，请先为其注册。"),
                code="citizen_not_found",
            )
        appointment = appointment_book_by_staff(
            staff=request.user,
            citizen=citizen,
            slot_id=serializer.validated_data["slot"],
            matter_code=serializer.validated_data["matter"],
            idempotency_key=request.headers.get("Idempotency-Key", "")[:64],
        )
        return Response(StaffBookingResultSerializer(appointment).data, status=status.HTTP_201_CREATED)
