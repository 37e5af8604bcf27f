"""The hall's online pre-review: the queue with its limit colours, one application, its outcome."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.front.intake.models import Case
from apps.front.intake.services import case_prereview_accept, case_prereview_notice, case_prereview_refuse
from apps.shared.accounts.permissions import IsClerk

from ..responses import material_response
from ..selectors import (
    prereview_case,
    prereview_queue,
)
from .common import (
    NOT_CLERK,
    _error,
)

# --- The hall's pre-review ----------------------------------------------------------------------------------


class QueueItemSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.name")
    applicant = serializers.CharField(source="citizen.masked_name")
    colour = serializers.SerializerMethodField(
        help_text="The pre-review limit: green, yellow (its last day, or open), red (passed)."
    )
    notice_outstanding = serializers.BooleanField()

    class Meta:
        model = Case
        fields = [
            "number",
            "status",
            "matter",
            "applicant",
            "received_at",
            "prereview_deadline",
            "colour",
            "intake_deadline",
            "notice_outstanding",
            "notice_sent_at",
            "notice_answered_at",
        ]

    def get_colour(self, case: Case) -> str:
        return case.prereview_colour(self.context["today"])


class PrereviewMaterialSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    trust_level = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.CharField()


class PrereviewDetailSerializer(QueueItemSerializer):
    matter_code = serializers.CharField(source="matter.code")
    matter_version = serializers.IntegerField(source="matter.version")
    application = serializers.SerializerMethodField()
    answers = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()
    notice_items = serializers.ListField(child=serializers.CharField())

    class Meta(QueueItemSerializer.Meta):
        fields = [
            *QueueItemSerializer.Meta.fields,
            "matter_code",
            "matter_version",
            "application",
            "answers",
            "materials",
            "notice_items",
            "refusal_reason",
        ]

    def get_application(self, case: Case) -> str:
        return self.context["reading"].application.code if self.context["reading"].application else ""

    def get_answers(self, case: Case) -> list[dict]:
        return [{"label": label, "answer": answer} for label, answer in self.context["reading"].answers]

    def get_materials(self, case: Case) -> list[dict]:
        return [
            {
                "id": m.id,
                "name": m.name,
                "trust_level": m.trust_level,
                "original_name": m.original_name,
                "content_type": m.content_type,
                "uploaded_at": m.uploaded_at,
                "url": reverse("api-prereview-material", args=[case.number, m.id]),
            }
            for m in case.materials.all()
        ]


class PrereviewQueueApi(APIView):
    """The online applications of the clerk's hall awaiting pre-review, the nearest limit first, each with its
    limit's colour; ``?waiting=1`` lists those told by one-time notice and waiting for the applicant instead."""

    permission_classes = [IsClerk]

    @extend_schema(responses={200: QueueItemSerializer(many=True), 403: NOT_CLERK})
    def get(self, request):
        cases = prereview_queue(user=request.user, waiting=request.query_params.get("waiting") in ("1", "true"))
        return Response(QueueItemSerializer(cases[:200], many=True, context={"today": timezone.localdate()}).data)


class PrereviewDetailApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(
        responses={
            200: PrereviewDetailSerializer,
            403: NOT_CLERK,
            404: _error("not_found: no such online application at the clerk's hall."),
        }
    )
    def get(self, request, number):
        reading = prereview_case(user=request.user, number=number)
        return Response(
            PrereviewDetailSerializer(reading.case, context={"today": timezone.localdate(), "reading": reading}).data
        )


class PrereviewMaterialApi(APIView):
    """A material of an online application at the clerk's hall, to read it (served as a file of its own)."""

    permission_classes = [IsClerk]

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 403: NOT_CLERK, 404: _error("not_found.")})
    def get(self, request, number, material_id):
        reading = prereview_case(user=request.user, number=number)
        material = reading.case.materials.filter(id=material_id).first()
        if material is None or not material.file:
            raise Http404
        return material_response(material.file, material.content_type, f"material-{material.id}")


OUTCOME_ERRORS = {
    403: NOT_CLERK,
    404: _error("not_found: no such online application at the clerk's hall."),
    409: _error(
        "invalid_state (already decided), notice_outstanding (a notice waits for the applicant: one notice only), "
        "intake_limit_passed (five working days passed without a decision or notice: accepted by law)."
    ),
}


def _reading(request, number: str) -> dict:
    reading = prereview_case(user=request.user, number=number)
    return PrereviewDetailSerializer(reading.case, context={"today": timezone.localdate(), "reading": reading}).data


class PrereviewAcceptApi(APIView):
    """Accept (受理): the receipt is issued and sent electronically, the case goes to central."""

    permission_classes = [IsClerk]

    @extend_schema(
        request=None,
        responses={
            200: PrereviewDetailSerializer,
            **OUTCOME_ERRORS,
            409: _error(
                "invalid_state (already decided), notice_outstanding (a notice waits for the applicant: one notice only), "
                "intake_limit_passed (five working days passed without a decision or notice: accepted by law), "
                "calendar_unknown (the working-day calendar of the year the promised date falls in is not published yet)."
            ),
            422: _error("materials_missing, commitment_invalid, commitment_refused, commitment_unsigned."),
        },
    )
    def post(self, request, number):
        case_prereview_accept(clerk=request.user, number=number)
        return Response(_reading(request, number))


class NoticeSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField(max_length=300), min_length=1, max_length=50)


class PrereviewNoticeApi(APIView):
    """一次性告知: every missing or defective item at once; the applicant completes the application online."""

    permission_classes = [IsClerk]

    @extend_schema(
        request=NoticeSerializer,
        responses={
            200: PrereviewDetailSerializer,
            **OUTCOME_ERRORS,
            400: _error("invalid: no items."),
            422: _error("items_required."),
        },
    )
    def post(self, request, number):
        serializer = NoticeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case_prereview_notice(clerk=request.user, number=number, items=serializer.validated_data["items"])
        return Response(_reading(request, number))


class RefuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    refer_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PrereviewRefuseApi(APIView):
    """不予受理: the reason, where to apply instead, and the remedies, in a dated notice."""

    permission_classes = [IsClerk]

    @extend_schema(
        request=RefuseSerializer,
        responses={
            200: PrereviewDetailSerializer,
            **OUTCOME_ERRORS,
            400: _error("invalid: no reason."),
            422: _error("reason_required."),
        },
    )
    def post(self, request, number):
        serializer = RefuseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case_prereview_refuse(clerk=request.user, number=number, **serializer.validated_data)
        return Response(_reading(request, number))
