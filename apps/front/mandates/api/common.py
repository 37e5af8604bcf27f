"""What the mandates' API shares: the base view of a citizen's operation, the input's check, and the shapes
more than one resource answers with (a mandate, its events, a case as the person acting sees it, the agent
named in a grant)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers
from rest_framework.views import APIView

from apps.front.intake.models import Case
from apps.shared.accounts.permissions import IsCitizen

from ..models import Mandate, MandateEvent


# No docstring: drf-spectacular would describe every operation without its own by it.
class CitizenApi(APIView):
    permission_classes = [IsCitizen]


def valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def optional_text(max_length: int) -> serializers.CharField:
    """A text input that may be left out or blank (then empty)."""
    return serializers.CharField(max_length=max_length, required=False, allow_blank=True, default="")


class MandateEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    actor = serializers.SerializerMethodField()

    class Meta:
        model = MandateEvent
        fields = ["kind", "kind_display", "actor", "reference", "note", "at"]

    def get_actor(self, event) -> str:
        return event.actor.display_name if event.actor is not None else ""


class MandateSerializer(serializers.ModelSerializer):
    principal = serializers.CharField(source="principal.real_name")
    agent = serializers.CharField(source="agent.real_name")
    agent_masked_id = serializers.CharField(source="agent.masked_id")
    case = serializers.CharField(source="case.number", allow_null=True, default=None)
    status_display = serializers.CharField(source="get_status_display")
    in_force = serializers.SerializerMethodField()
    letter_url = serializers.SerializerMethodField()

    class Meta:
        model = Mandate
        fields = [
            "number",
            "kind",
            "principal",
            "agent",
            "agent_masked_id",
            "all_matters",
            "matter_codes",
            "case",
            "may_apply",
            "may_collect",
            "valid_from",
            "valid_until",
            "form",
            "status",
            "status_display",
            "in_force",
            "confirmed_at",
            "revoked_at",
            "revoke_reason",
            "created_at",
            "letter_url",
        ]

    def get_in_force(self, mandate) -> bool:
        return mandate.in_force(timezone.localdate())

    def get_letter_url(self, mandate) -> str:
        return reverse("mandates:letter", args=[mandate.number]) if mandate.letter else ""


class ActingCaseSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.name")
    matter_code = serializers.CharField(source="matter.code")
    hall = serializers.CharField(source="hall.name")
    status_display = serializers.CharField(source="get_status_display")
    sentence = serializers.CharField()
    next_step = serializers.CharField()
    agent = serializers.CharField(source="agent.real_name", allow_null=True, default=None)

    class Meta:
        model = Case
        fields = [
            "number",
            "matter",
            "matter_code",
            "hall",
            "status",
            "status_display",
            "sentence",
            "next_step",
            "received_at",
            "promised_date",
            "agent",
        ]


class AgentNamedSerializer(serializers.Serializer):
    agent_id_number = serializers.CharField(max_length=32)
    agent_name = serializers.CharField(max_length=64)
    may_apply = serializers.BooleanField(default=True)
    may_collect = serializers.BooleanField(default=True)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
