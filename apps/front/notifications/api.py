from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsCitizen

from .selectors import inbox_for
from .serializers import NotificationSerializer, PreferenceSerializer
from .services import gateway_callback_receive, inbox_mark_read, preference_for, preference_update


class InboxApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(responses=NotificationSerializer(many=True))
    def get(self, request):
        return Response(NotificationSerializer(inbox_for(request.user), many=True).data)


class InboxReadApi(APIView):
    """Mark one of my inbox messages read."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request, notification_id: int):
        message = inbox_mark_read(user=request.user, notification_id=notification_id)
        return Response(NotificationSerializer(message).data)


def _preference_data(preference) -> dict:
    return {"sms": preference.sms, "email": preference.email, "inbox": True, "language": preference.language}


class PreferenceApi(APIView):
    """The signed-in person's channel choices. The in-app inbox is always on."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PreferenceSerializer)
    def get(self, request):
        return Response(_preference_data(preference_for(request.user)))

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer)
    def put(self, request):
        serializer = PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preference = preference_update(user=request.user, **serializer.validated_data)
        return Response(_preference_data(preference))


@csrf_exempt  # machine-to-machine: authenticated by the gateway's HMAC signature, not a session
@require_POST
def sms_callback(request):
    """Delivery receipts from the SMS gateway (signed with SMS_GATEWAY_KEY, see apps/front/notifications/channels.py)."""
    result = gateway_callback_receive(
        headers=request.headers, method=request.method, path=request.path, body=request.body
    )
    return JsonResponse(result.data, status=result.status_code, json_dumps_params={"ensure_ascii": False})
