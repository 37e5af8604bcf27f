from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsCitizen

from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "channel", "subject", "body", "status", "created_at"]


class InboxApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(responses=NotificationSerializer(many=True))
    def get(self, request):
        rows = Notification.objects.filter(recipient=request.user, channel="inbox").order_by("-created_at")[:100]
        return Response(NotificationSerializer(rows, many=True).data)
