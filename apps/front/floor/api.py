"""Hall API: kiosks (``Authorization: Terminal <token>``) issue tickets; clerks call and move them."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsClerk
from govservice.schema import IdNumberField

from .models import GreenReason, Terminal, Ticket
from .selectors import estimated_wait_minutes, kiosk_matters, people_ahead, window_post_for, workbench_for
from .services import (
    checkin_by_code,
    terminal_authenticate,
    ticket_call_next,
    ticket_finish,
    ticket_mark_missed,
    ticket_park,
    ticket_recall,
    ticket_resume,
    ticket_start,
    ticket_transfer,
    ticket_walk_in,
)


class TerminalAuthentication(BaseAuthentication):
    """``Authorization: Terminal <device token>``: a kiosk is a device, not a person."""

    keyword = "Terminal"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith(self.keyword + " "):
            return None
        terminal = terminal_authenticate(header[len(self.keyword) + 1 :].strip())
        if terminal is None:
            raise AuthenticationFailed(_("终端令牌无效。"))
        request.terminal = terminal
        return (None, terminal)

    def authenticate_header(self, request):
        return self.keyword


class TerminalAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TerminalAuthentication
    name = "terminalToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Terminal <device token>"}


class IsTerminal(BasePermission):
    def has_permission(self, request, view) -> bool:
        return isinstance(getattr(request, "auth", None), Terminal)


class TicketSerializer(serializers.ModelSerializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the API's field name; DRF's metaclass pops it
    matter = serializers.CharField(source="matter.name")
    group = serializers.CharField(source="group.name")
    window = serializers.IntegerField(source="window.number", allow_null=True)
    people_ahead = serializers.SerializerMethodField()
    estimated_wait_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "label",
            "status",
            "matter",
            "group",
            "display_name",
            "priority",
            "green_reason",
            "window",
            "recalls",
            "checked_in_at",
            "called_at",
            "people_ahead",
            "estimated_wait_minutes",
        ]

    def get_people_ahead(self, ticket) -> int:
        if not hasattr(ticket, "_ahead"):
            ticket._ahead = people_ahead(ticket)
        return ticket._ahead

    def get_estimated_wait_minutes(self, ticket) -> int:
        return estimated_wait_minutes(ticket, ahead=self.get_people_ahead(ticket))


class PrintedTicketSerializer(TicketSerializer):
    """What the kiosk prints: the ticket with its rating code (only in the issuing kiosk's answer, never in
    the workbench's or the queue's)."""

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "rating_code"]


class CheckinSerializer(serializers.Serializer):
    # An appointment code, or an 18-character ID number read from the ID card.
    code = serializers.CharField(max_length=18)


class WalkInSerializer(serializers.Serializer):
    # The matter chosen at the kiosk, or the late appointment it comes from (else 400 matter_required).
    schema_extra = {
        "anyOf": [
            {"required": ["matter"], "properties": {"matter": {"pattern": "\\S"}}},
            {"required": ["appointment_code"], "properties": {"appointment_code": {"pattern": "\\S"}}},
        ]
    }

    matter = serializers.CharField(max_length=64, required=False, allow_blank=True, help_text="事项实施编码")
    green_channel = serializers.ChoiceField(choices=GreenReason.choices, required=False, allow_blank=True)
    id_number = IdNumberField(required=False, allow_blank=True, help_text="可选：核验年龄、关联实名账户；不保存")
    appointment_code = serializers.CharField(
        max_length=18, required=False, allow_blank=True, help_text="逾时签到的预约码（或读卡所得身份证号码）"
    )


class TerminalCheckinApi(APIView):
    authentication_classes = [TerminalAuthentication]
    permission_classes = [IsTerminal]

    @extend_schema(request=CheckinSerializer, responses={201: PrintedTicketSerializer})
    def post(self, request):
        serializer = CheckinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = checkin_by_code(terminal=request.auth, code=serializer.validated_data["code"])
        return Response(PrintedTicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class TerminalWalkInApi(APIView):
    """现场取号. Send ``Idempotency-Key`` so that a retry returns the first ticket."""

    authentication_classes = [TerminalAuthentication]
    permission_classes = [IsTerminal]

    @extend_schema(request=WalkInSerializer, responses={201: PrintedTicketSerializer})
    def post(self, request):
        serializer = WalkInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = ticket_walk_in(
            terminal=request.auth,
            matter_code=data.get("matter", "").strip(),
            green_channel=data.get("green_channel", ""),
            id_number=data.get("id_number", ""),
            appointment_code=data.get("appointment_code", ""),
            idempotency_key=request.headers.get("Idempotency-Key", "")[:64],
        )
        return Response(PrintedTicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


KioskMatterSerializer = inline_serializer(
    "KioskGroup",
    {
        "letter": serializers.CharField(),
        "group": serializers.CharField(),
        "matters": inline_serializer(
            "KioskMatter", {"code": serializers.CharField(), "name": serializers.CharField()}, many=True
        ),
    },
    many=True,
)


class TerminalMattersApi(APIView):
    """The matters this kiosk's hall serves, by window group."""

    authentication_classes = [TerminalAuthentication]
    permission_classes = [IsTerminal]

    @extend_schema(responses={200: KioskMatterSerializer})
    def get(self, request):
        return Response(
            [
                {
                    "letter": g.group.letter,
                    "group": g.group.name,
                    "matters": [{"code": m.code, "name": m.name} for m in g.matters],
                }
                for g in kiosk_matters(hall=request.auth.hall)
            ]
        )


# Call-next answers at every window many times an hour: one TicketSerializer built once per process (a
# ModelSerializer introspects the model to build its fields on every instantiation); to_representation
# reads only the ticket, so the one instance serves every request alike.
_CALLED_TICKET = TicketSerializer()


class CallNextApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(request=None, responses={200: TicketSerializer, 204: None})
    def post(self, request):
        ticket = ticket_call_next(clerk=request.user)
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(_CALLED_TICKET.to_representation(ticket))


class _TicketActionApi(APIView):
    """One clerk action on a ticket at the clerk's window: 404 for another hall's ticket, 409 when its
    status does not allow the action (recall beyond the limit answers 409 ``recall_limit``)."""

    permission_classes = [IsClerk]
    service = staticmethod(ticket_start)

    @extend_schema(request=None, responses={200: TicketSerializer})
    def post(self, request, ticket_id: int):
        ticket = self.service(clerk=request.user, ticket_id=ticket_id)
        return Response(TicketSerializer(ticket).data)


class RecallApi(_TicketActionApi):
    service = staticmethod(ticket_recall)


class MarkMissedApi(_TicketActionApi):
    service = staticmethod(ticket_mark_missed)


class StartApi(_TicketActionApi):
    service = staticmethod(ticket_start)


class FinishApi(_TicketActionApi):
    service = staticmethod(ticket_finish)


class ResumeApi(_TicketActionApi):
    service = staticmethod(ticket_resume)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=100, required=False, allow_blank=True)


class ParkApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(request=NoteSerializer, responses={200: TicketSerializer})
    def post(self, request, ticket_id: int):
        serializer = NoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = ticket_park(clerk=request.user, ticket_id=ticket_id, note=serializer.validated_data.get("note", ""))
        return Response(TicketSerializer(ticket).data)


class TransferSerializer(NoteSerializer):
    group = serializers.IntegerField(help_text="目标窗口组 id（同一大厅）")


class TransferApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(request=TransferSerializer, responses={200: TicketSerializer})
    def post(self, request, ticket_id: int):
        serializer = TransferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = ticket_transfer(
            clerk=request.user, ticket_id=ticket_id, group_id=data["group"], note=data.get("note", "")
        )
        return Response(TicketSerializer(ticket).data)


class QueueTicketSerializer(serializers.ModelSerializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the API's field name; DRF's metaclass pops it
    matter = serializers.CharField(source="matter.name")
    people_ahead = serializers.IntegerField(source="ahead")
    estimated_wait_minutes = serializers.IntegerField(source="wait_minutes")

    class Meta:
        model = Ticket
        fields = [
            "id",
            "label",
            "matter",
            "display_name",
            "priority",
            "green_reason",
            "checked_in_at",
            "people_ahead",
            "estimated_wait_minutes",
        ]


class WorkbenchSerializer(serializers.Serializer):
    window = serializers.IntegerField(source="post.window.number")
    group = serializers.CharField(source="post.window.group.name")
    waiting_count = serializers.IntegerField()
    service_minutes = serializers.FloatField()
    current = TicketSerializer(many=True)
    parked = TicketSerializer(many=True)
    waiting = QueueTicketSerializer(many=True)


class WorkbenchApi(APIView):
    """The clerk's window: its called, serving and parked tickets, and the first 50 of its queue."""

    permission_classes = [IsClerk]

    @extend_schema(responses={200: WorkbenchSerializer})
    def get(self, request):
        return Response(WorkbenchSerializer(workbench_for(post=window_post_for(clerk=request.user))).data)
