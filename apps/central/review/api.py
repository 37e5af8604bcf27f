from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsApprover
from govservice.lib.filetypes import EXTENSIONS, FILE_VIEWER_CSP, UNKNOWN_TYPE, is_viewable, sniff
from govservice.lib.masking import mask_id_staff

from . import services
from .models import REVIEW_STEPS, Decision, ReviewCase, ReviewMaterial, SpecialProcedure
from .selectors import case_get_for_approver, case_sla, cases_for_approver
from .services import case_decide


class ReviewMaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewMaterial
        fields = ["id", "name", "content_type", "size", "sha256"]


class ReviewCaseSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.name")
    department = serializers.CharField(source="department.name")
    platform = serializers.CharField(source="platform.code")
    applicant_id_masked = serializers.SerializerMethodField()
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)
    step_name = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()
    due_date = serializers.SerializerMethodField()

    class Meta:
        model = ReviewCase
        fields = [
            "id", "front_number", "platform", "matter", "department", "hall_name", "applicant_name", "applicant_id_masked",
            "status", "assignee", "step", "step_name", "sla", "due_date", "accepted_at", "promised_date", "received_at",
            "decision", "decision_reason", "decided_at", "correction_items", "correction_deadline", "extended_days",
            "result_issued_at", "delivery_method", "delivery_region", "delivered_at", "delivered_method", "delivery_tracking_number",
        ]

    def get_applicant_id_masked(self, case) -> str:
        return mask_id_staff(case.applicant_id_number)

    def get_step_name(self, case) -> str:
        return str(REVIEW_STEPS[case.step])

    def get_sla(self, case) -> str:
        return str(case_sla(case)[0])

    def get_due_date(self, case) -> str | None:
        due = case_sla(case)[1]
        return due.isoformat() if due else None


class ReviewCaseDetailSerializer(ReviewCaseSerializer):
    materials = ReviewMaterialSerializer(many=True)

    class Meta(ReviewCaseSerializer.Meta):
        fields = [*ReviewCaseSerializer.Meta.fields, "materials"]


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReviewCaseListApi(APIView):
    permission_classes = [IsApprover]

    @extend_schema(responses=ReviewCaseSerializer(many=True))
    def get(self, request):
        return Response(ReviewCaseSerializer(cases_for_approver(user=request.user)[:200], many=True).data)


class ReviewCaseDetailApi(APIView):
    permission_classes = [IsApprover]

    @extend_schema(responses=ReviewCaseDetailSerializer)
    def get(self, request, case_id):
        return Response(ReviewCaseDetailSerializer(case_get_for_approver(user=request.user, case_id=case_id)).data)


class ReviewCaseDecideApi(APIView):
    permission_classes = [IsApprover]

    @extend_schema(request=DecideSerializer, responses=ReviewCaseSerializer)
    def post(self, request, case_id):
        serializer = DecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = case_decide(approver=request.user, case_id=case_id, **serializer.validated_data)
        return Response(ReviewCaseSerializer(case).data)


def material_file_response(*, user, case_id: int, material_id: int) -> FileResponse:
    """Stream a material to an approver of the case's department (404 for anyone else)."""
    case = case_get_for_approver(user=user, case_id=case_id)
    material = get_object_or_404(ReviewMaterial, case=case, id=material_id)
    with material.file.open("rb") as handle:
        head = handle.read(16)
    # Sniffed again at serving: rows stored before central sniffed on receipt carry the sender's word.
    content_type = sniff(head) or UNKNOWN_TYPE
    response = FileResponse(material.file.open("rb"), content_type=content_type)
    disposition = "inline" if is_viewable(content_type) else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="material-{material.id}{EXTENSIONS.get(content_type, "")}"'
    response["Content-Security-Policy"] = FILE_VIEWER_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


class CorrectionSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField(max_length=300), min_length=1)
    deadline = serializers.DateField()


class SpecialSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SpecialProcedure.choices)
    reason = serializers.CharField(max_length=2000)
    expected_days = serializers.IntegerField(min_value=1, max_value=365)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    approver = serializers.IntegerField()


class ResultSerializer(serializers.Serializer):
    valid_years = serializers.IntegerField(min_value=1, max_value=30, required=False, allow_null=True, default=None)


class CaseActionApi(APIView):
    """POST /api/v1/cases/<id>/<action>/ — one review action, through one service each."""

    permission_classes = [IsApprover]
    actions = {
        "claim": (None, lambda user, case_id, data: services.case_claim(approver=user, case_id=case_id)),
        "release": (None, lambda user, case_id, data: services.case_release(approver=user, case_id=case_id)),
        "assign": (AssignSerializer, lambda user, case_id, data: services.case_assign(supervisor=user, case_id=case_id, approver_id=data["approver"])),
        "pass": (ReasonSerializer, lambda user, case_id, data: services.case_step(approver=user, case_id=case_id, forward=True, note=data["reason"])),
        "return": (ReasonSerializer, lambda user, case_id, data: services.case_step(approver=user, case_id=case_id, forward=False, note=data["reason"])),
        "correction": (CorrectionSerializer, lambda user, case_id, data: services.case_request_correction(approver=user, case_id=case_id, **data)),
        "special": (SpecialSerializer, lambda user, case_id, data: services.case_start_special_procedure(approver=user, case_id=case_id, **data)),
        "special-end": (ReasonSerializer, lambda user, case_id, data: services.case_end_special_procedure(approver=user, case_id=case_id, note=data["reason"])),
        "extend": (ReasonSerializer, lambda user, case_id, data: services.case_extend(approver=user, case_id=case_id, reason=data["reason"])),
        "result": (ResultSerializer, lambda user, case_id, data: services.case_issue_result(approver=user, case_id=case_id, **data).case),
    }

    @extend_schema(request=None, responses=ReviewCaseSerializer)
    def post(self, request, case_id, action):
        if action not in self.actions:
            raise NotFound(_("没有这个操作。"))
        serializer_class, perform = self.actions[action]
        data = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        case = perform(request.user, case_id, data)
        return Response(ReviewCaseSerializer(case_get_for_approver(user=request.user, case_id=case.id)).data)
