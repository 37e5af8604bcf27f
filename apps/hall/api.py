from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsClerk

from .models import Terminal, Ticket
from .services import checkin_by_code, people_ahead, terminal_authenticate, ticket_call_next


class TerminalAuthentication(BaseAuthentication):
    """``Authorization: Terminal <device token>``: a kiosk is a device, not a person."""

    keyword = "Terminal"

    def authenticate(self, request):
        header = request.headers.get("Authorization", "")
        if not header.startswith(self.keyword + " "):
            return None
        terminal = terminal_authenticate(header[len(self.keyword) + 1 :].strip())
        if terminal is None:
            raise AuthenticationFailed("终端令牌无效。 Invalid terminal token.")
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
    label = serializers.CharField()
    matter = serializers.CharField(source="matter.name")
    group = serializers.CharField(source="group.name")
    window = serializers.IntegerField(source="window.number", allow_null=True)
    people_ahead = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = ["id", "label", "status", "matter", "group", "display_name", "priority", "window", "checked_in_at", "people_ahead"]

    def get_people_ahead(self, ticket) -> int:
        return people_ahead(ticket)


class CheckinSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16)


class TerminalCheckinApi(APIView):
    authentication_classes = [TerminalAuthentication]
    permission_classes = [IsTerminal]

    @extend_schema(request=CheckinSerializer, responses={201: TicketSerializer})
    def post(self, request):
        serializer = CheckinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = checkin_by_code(terminal=request.auth, code=serializer.validated_data["code"])
        return Response(TicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class CallNextApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(request=None, responses={200: TicketSerializer, 204: None})
    def post(self, request):
        ticket = ticket_call_next(clerk=request.user)
        if ticket is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(TicketSerializer(ticket).data)
