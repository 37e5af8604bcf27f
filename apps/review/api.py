from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsApprover
from govservice.lib.masking import mask_id_staff

from .models import Decision, ReviewCase, ReviewMaterial
from .selectors import case_get_for_approver, cases_for_approver
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

    class Meta:
        model = ReviewCase
        fields = [
            "id", "front_number", "platform", "matter", "department", "hall_name", "applicant_name", "applicant_id_masked",
            "status", "accepted_at", "promised_date", "received_at", "decision", "decision_reason", "decided_at",
        ]

    def get_applicant_id_masked(self, case) -> str:
        return mask_id_staff(case.applicant_id_number)


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
    response = FileResponse(material.file.open("rb"), content_type=material.content_type)
    response["Content-Disposition"] = f'inline; filename="material-{material.id}"'
    return response
