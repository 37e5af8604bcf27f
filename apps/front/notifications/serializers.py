from rest_framework import serializers

from govservice.fields import BooleanField

from .models import Language, Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event", "channel", "subject", "body", "status", "created_at", "read_at"]


class PreferenceSerializer(serializers.Serializer):
    sms = BooleanField(help_text="短信通知 SMS")
    email = BooleanField(help_text="电子邮件通知 E-mail")
    inbox = serializers.BooleanField(read_only=True, default=True, help_text="站内信，始终开启 In-app inbox, always on")
    language = serializers.ChoiceField(choices=Language.choices, help_text="通知语言 Language of messages")
