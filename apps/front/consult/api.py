"""Consultation tickets over /api/v1/: citizens ask, follow up, close and rate their own tickets; clerks
take, route, answer and close the tickets of their hall; kiosks ask for a citizen by ID card."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.front.floor.api import IsTerminal, TerminalAuthentication
from apps.shared.accounts.models import Role
from apps.shared.accounts.permissions import HasRole, IsCitizen, IsClerk
from apps.shared.catalog.selectors import matter_known_or_404
from govservice.api import DomainError
from govservice.schema import IdNumberField

from . import services
from .models import ConsultTicket, FaqEntry, TicketKind, TicketMessage
from .reports import GROUPINGS, report_csv, report_scope, ticket_report
from .selectors import (
    faq_for_matter,
    staff_queue,
    ticket_get_for_citizen,
    ticket_get_for_staff,
    tickets_of_citizen,
)


class IsStaffForConsult(HasRole):
    roles = frozenset({Role.CLERK, Role.HALL_SUPERVISOR, Role.ADMIN})


class IsReportReader(HasRole):
    roles = frozenset({Role.HALL_SUPERVISOR, Role.ADMIN})


class ConsultMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketMessage
        fields = ["kind", "body", "at"]


class ConsultTicketSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.code")
    matter_name = serializers.CharField(source="matter.name")
    hall = serializers.CharField(source="hall.name")
    department = serializers.CharField(source="department.name")
    owner = serializers.SerializerMethodField()
    asker = serializers.CharField(source="asker_masked_name")
    asker_phone = serializers.CharField(source="asker_masked_phone")
    # Seconds from the question to the first answer (the 12345 written-answer target is measured on it).
    first_answer_seconds = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = ConsultTicket
        fields = [
            "code",
            "kind",
            "channel",
            "status",
            "title",
            "matter",
            "matter_name",
            "hall",
            "department",
            "owner",
            "asker",
            "asker_phone",
            "created_at",
            "response_due",
            "due_date",
            "extension_days",
            "extension_reason",
            "answered_at",
            "first_answer_seconds",
            "closed_at",
            "rating",
        ]

    def get_owner(self, ticket) -> str:
        if ticket.owner is None:
            return ""
        # Citizens are answered by 工作人员, as on their pages; the name is for colleagues.
        return ticket.owner.display_name if self.context.get("staff") else gettext("工作人员")


class ConsultKioskTicketSerializer(ConsultTicketSerializer):
    """What a kiosk is told of the ticket it filed: not who the account behind the typed ID number is."""

    class Meta(ConsultTicketSerializer.Meta):
        fields = [f for f in ConsultTicketSerializer.Meta.fields if f not in ("asker", "asker_phone", "owner")]


class ConsultTicketDetailSerializer(ConsultTicketSerializer):
    messages = ConsultMessageSerializer(many=True, read_only=True)

    class Meta(ConsultTicketSerializer.Meta):
        fields = [*ConsultTicketSerializer.Meta.fields, "messages"]


class ConsultAskSerializer(serializers.Serializer):
    matter = serializers.CharField(max_length=64, help_text="事项实施编码")
    kind = serializers.ChoiceField(choices=TicketKind.choices, default=TicketKind.CONSULTATION)
    title = serializers.CharField(max_length=100)
    content = serializers.CharField(max_length=2000)
    hall = serializers.IntegerField(required=False, help_text="大厅 id；缺省为办理该事项的第一个大厅")


class ConsultTerminalAskSerializer(ConsultAskSerializer):
    id_number = IdNumberField(help_text="读卡所得身份证号码；不保存")


class ConsultCallSerializer(ConsultAskSerializer):
    caller_name = serializers.CharField(max_length=64)
    caller_phone = serializers.CharField(max_length=20, write_only=True)
    id_number = IdNumberField(required=False, allow_blank=True)


class ConsultBodySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=2000)


class ConsultRouteSerializer(serializers.Serializer):
    department = serializers.CharField(max_length=32, help_text="部门编码")
    note = serializers.CharField(max_length=500)


class ConsultRateSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5, help_text="1 非常满意 … 5 非常不满意")
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ConsultFaqSerializer(serializers.ModelSerializer):
    class Meta:
        model = FaqEntry
        fields = ["id", "question", "answer", "published_at"]


class ConsultFaqPublishSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=300)
    answer = serializers.CharField(max_length=2000)


def _staff(request) -> dict[str, bool]:
    return {"staff": request.user.is_authenticated and request.user.role in IsStaffForConsult.roles}


def _detail(request, ticket: ConsultTicket, code_status: int = status.HTTP_200_OK) -> Response:
    ticket = (
        ConsultTicket.objects.select_related("matter", "hall", "department", "owner", "citizen")
        .prefetch_related("messages")
        .get(pk=ticket.pk)
    )
    return Response(ConsultTicketDetailSerializer(ticket, context=_staff(request)).data, status=code_status)


class TicketListCreateApi(APIView):
    """Citizens: their own tickets, and asking a new question. Staff: their queue."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ConsultTicketSerializer(many=True))
    def get(self, request):
        if request.user.role == Role.CITIZEN:
            rows = list(tickets_of_citizen(user=request.user)[:200])
        elif request.user.role in IsStaffForConsult.roles:
            queue = staff_queue(user=request.user)
            rows = [*queue.unclaimed, *queue.mine, *queue.routed_to_me, *queue.others]
        else:
            rows = []
        return Response(ConsultTicketSerializer(rows, many=True, context=_staff(request)).data)

    @extend_schema(request=ConsultAskSerializer, responses={201: ConsultTicketDetailSerializer})
    def post(self, request):
        if request.user.role != Role.CITIZEN:
            raise DomainError(gettext("只有市民可以提交咨询。"), code="not_citizen")
        data = ConsultAskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        ticket = services.ticket_ask(
            citizen=request.user,
            matter_code=v["matter"],
            kind=v["kind"],
            title=v["title"],
            content=v["content"],
            hall_id=v.get("hall"),
        )
        return _detail(request, ticket, status.HTTP_201_CREATED)


class TicketDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=ConsultTicketDetailSerializer)
    def get(self, request, code):
        if request.user.role == Role.CITIZEN:
            ticket = ticket_get_for_citizen(user=request.user, code=code)
        else:
            ticket = ticket_get_for_staff(user=request.user, code=code)
        return _detail(request, ticket)


class TerminalAskApi(APIView):
    """A kiosk asks for the citizen whose ID card it read (``Authorization: Terminal <token>``)."""

    authentication_classes = [TerminalAuthentication]
    permission_classes = [IsTerminal]

    @extend_schema(request=ConsultTerminalAskSerializer, responses={201: ConsultKioskTicketSerializer})
    def post(self, request):
        data = ConsultTerminalAskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        ticket = services.ticket_ask_at_terminal(
            terminal=request.auth,
            id_number=v["id_number"],
            matter_code=v["matter"],
            kind=v["kind"],
            title=v["title"],
            content=v["content"],
        )
        return Response(ConsultKioskTicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class CallLogApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(request=ConsultCallSerializer, responses={201: ConsultTicketDetailSerializer})
    def post(self, request):
        data = ConsultCallSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        ticket = services.ticket_log_call(
            clerk=request.user,
            matter_code=v["matter"],
            kind=v["kind"],
            title=v["title"],
            content=v["content"],
            caller_name=v["caller_name"],
            caller_phone=v["caller_phone"],
            id_number=v.get("id_number", ""),
        )
        return _detail(request, ticket, status.HTTP_201_CREATED)


class _StaffAction(APIView):
    permission_classes: list[type[BasePermission]] = [IsStaffForConsult]


class ClaimApi(_StaffAction):
    @extend_schema(request=None, responses=ConsultTicketDetailSerializer)
    def post(self, request, code):
        return _detail(request, services.ticket_claim(clerk=request.user, code=code))


class RouteApi(_StaffAction):
    @extend_schema(request=ConsultRouteSerializer, responses=ConsultTicketDetailSerializer)
    def post(self, request, code):
        data = ConsultRouteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _detail(
            request,
            services.ticket_route(
                actor=request.user,
                code=code,
                department_code=data.validated_data["department"],
                note=data.validated_data["note"],
            ),
        )


class ReplyApi(_StaffAction):
    @extend_schema(request=ConsultBodySerializer, responses=ConsultTicketDetailSerializer)
    def post(self, request, code):
        data = ConsultBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _detail(request, services.ticket_reply(actor=request.user, code=code, body=data.validated_data["body"]))


class CloseApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=ConsultTicketDetailSerializer)
    def post(self, request, code):
        if request.user.role == Role.CITIZEN:
            return _detail(request, services.ticket_close_by_citizen(citizen=request.user, code=code))
        return _detail(request, services.ticket_close_by_staff(actor=request.user, code=code))


class FollowUpApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(request=ConsultBodySerializer, responses=ConsultTicketDetailSerializer)
    def post(self, request, code):
        data = ConsultBodySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _detail(
            request, services.ticket_follow_up(citizen=request.user, code=code, body=data.validated_data["body"])
        )


class RateApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(request=ConsultRateSerializer, responses=ConsultTicketDetailSerializer)
    def post(self, request, code):
        data = ConsultRateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        return _detail(
            request,
            services.ticket_rate(citizen=request.user, code=code, score=v["score"], comment=v.get("comment", "")),
        )


class FaqPublishApi(APIView):
    permission_classes = [IsReportReader]

    @extend_schema(request=ConsultFaqPublishSerializer, responses={201: ConsultFaqSerializer})
    def post(self, request, code):
        data = ConsultFaqPublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.faq_publish(supervisor=request.user, code=code, **data.validated_data)
        return Response(ConsultFaqSerializer(entry).data, status=status.HTTP_201_CREATED)


class MatterFaqApi(APIView):
    """Public: the published questions and answers of a matter."""

    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(responses=ConsultFaqSerializer(many=True))
    def get(self, request, code):
        matter_known_or_404(code, current=False)
        return Response(ConsultFaqSerializer(faq_for_matter(code), many=True).data)


def _decimal(value):
    return None if value is None else str(value)


class ReportApi(APIView):
    permission_classes = [IsReportReader]

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=list(GROUPINGS)),
            OpenApiParameter("from", dt.date),
            OpenApiParameter("to", dt.date),
            OpenApiParameter("export", str, enum=["csv"]),
        ],
        responses=inline_serializer(
            "ConsultReportRow",
            {
                "key": serializers.CharField(),
                "name": serializers.CharField(),
                "total": serializers.IntegerField(),
                "responded": serializers.IntegerField(),
                "response_rate": serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True),
                "resolved": serializers.IntegerField(),
                "resolution_rate": serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True),
                "rated": serializers.IntegerField(),
                "satisfied": serializers.IntegerField(),
                "satisfaction_rate": serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True),
                "overdue": serializers.IntegerField(),
                "written": serializers.IntegerField(),
                "written_in_time": serializers.IntegerField(),
                "written_in_time_rate": serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True),
            },
            many=True,
        ),
    )
    def get(self, request):
        scope = report_scope(user=request.user, params=request.query_params)
        rows = ticket_report(tickets=scope.tickets, by=scope.by, today=timezone.localdate())
        if request.query_params.get("export") == "csv":
            return report_csv(rows, by=scope.by, filename=f"consult-{scope.by}.csv")
        return Response(
            [
                {
                    "key": r.key,
                    "name": r.name,
                    "total": r.total,
                    "responded": r.responded,
                    "response_rate": _decimal(r.response_rate),
                    "resolved": r.resolved,
                    "resolution_rate": _decimal(r.resolution_rate),
                    "rated": r.rated,
                    "satisfied": r.satisfied,
                    "satisfaction_rate": _decimal(r.satisfaction_rate),
                    "overdue": r.overdue,
                    "written": r.written,
                    "written_in_time": r.written_in_time,
                    "written_in_time_rate": _decimal(r.written_in_time_rate),
                }
                for r in rows
            ]
        )
