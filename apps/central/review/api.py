"""The review API of central's approvers: the case list (filters, pagination, SLA readings), a case with its materials
and extension requests, its decision, and a material's file. Each review action is an operation of its own in
api_actions.py."""

from django import forms
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsApprover
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.filetypes import EXTENSIONS, FILE_VIEWER_CSP, UNKNOWN_TYPE, is_viewable, sniff
from govservice.lib.masking import mask_id_staff

from .forms import CaseQueryForm
from .models import (
    REVIEW_STEPS,
    Decision,
    ExtensionRequest,
    ExtensionStatus,
    ReviewCase,
    ReviewMaterial,
)
from .selectors import SlaReading, case_get_for_approver, case_reading, case_readings, cases_search
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
    sla = serializers.SerializerMethodField(
        help_text="承诺时限的颜色：green、yellow、red、paused、unknown（已办结为 green）"
    )
    due_date = serializers.SerializerMethodField()
    legal_sla = serializers.SerializerMethodField(help_text="法定时限（含批准的延期）的颜色，取值同 sla")
    legal_due_date = serializers.SerializerMethodField()
    joint_handling = serializers.BooleanField(
        source="matter.joint_handling", help_text="联合办理（并联审批）：法定45个工作日，可延长15个"
    )
    extension_pending = serializers.SerializerMethodField(help_text="有延期申请待负责人审批")
    transferred_from = serializers.CharField(source="transferred_from.name", allow_null=True, default=None)

    class Meta:
        model = ReviewCase
        fields = [
            "id",
            "front_number",
            "platform",
            "matter",
            "department",
            "hall_name",
            "applicant_name",
            "applicant_id_masked",
            "status",
            "assignee",
            "step",
            "step_name",
            "sla",
            "due_date",
            "accepted_at",
            "promised_date",
            "received_at",
            "decision",
            "decision_reason",
            "decided_at",
            "correction_items",
            "correction_deadline",
            "extended_days",
            "result_issued_at",
            "delivery_method",
            "delivery_region",
            "delivered_at",
            "delivered_method",
            "delivery_tracking_number",
            # Issue 13 (added; the fields above are unchanged).
            "legal_sla",
            "legal_due_date",
            "joint_handling",
            "extension_pending",
            "transferred_from",
            "transfer_reason",
            "void_reason",
            # Issue 17 (added): whether the applicant chose delivery_method (else it is the default, the e-licence).
            "delivery_chosen",
        ]

    def _reading(self, case) -> SlaReading:
        """A list passes the readings of its page in the context (the calendar read once); one case reads its own."""
        given = self.context.get("readings") or {}
        if case.id in given:
            return given[case.id]
        read = self.__dict__.setdefault("_read", {})
        if case.id not in read:
            read[case.id] = case_reading(case, today=timezone.localdate(), calendar=calendar_get())
        return read[case.id]

    def get_applicant_id_masked(self, case) -> str:
        return mask_id_staff(case.applicant_id_number)

    def get_step_name(self, case) -> str:
        return str(REVIEW_STEPS[case.step])

    def get_sla(self, case) -> str:
        return str(self._reading(case).sla or "green")

    def get_due_date(self, case) -> str | None:
        due = self._reading(case).due
        return due.isoformat() if due else None

    def get_legal_sla(self, case) -> str:
        return str(self._reading(case).legal_sla or "green")

    def get_legal_due_date(self, case) -> str | None:
        due = self._reading(case).legal_due
        return due.isoformat() if due else None

    def get_extension_pending(self, case) -> bool:
        annotated = getattr(case, "extension_pending", None)
        if annotated is not None:
            return bool(annotated)
        return case.extension_requests.filter(status=ExtensionStatus.REQUESTED).exists()


class ExtensionRequestSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "days",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]


class ReviewCaseDetailSerializer(ReviewCaseSerializer):
    materials = ReviewMaterialSerializer(many=True)
    extension_requests = ExtensionRequestSerializer(many=True)

    class Meta(ReviewCaseSerializer.Meta):
        fields = [*ReviewCaseSerializer.Meta.fields, "materials", "extension_requests"]


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CasePagination(PageNumberPagination):
    """Pages of the case list with the body still the plain list of cases it always was (README "Changes"):
    the total and the neighbouring pages travel in headers (X-Total-Count, and Link with rel="next"/"prev",
    RFC 8288), so a client that reads the body as a list keeps working."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = gettext_lazy("没有这一页。")  # type: ignore[assignment]  # lazy: the reader's language

    def get_page_size(self, request):
        """``page_size`` from 1 to max_page_size, else 400: a size out of range is said, not silently replaced."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = int(raw) if raw.isdigit() and len(raw) < 6 else 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("每页件数须为 1 到 %(max)d 之间的整数。") % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def get_paginated_response(self, data):
        headers = {"X-Total-Count": str(self.page.paginator.count)}
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        if links:
            headers["Link"] = ", ".join(links)
        return Response(data, headers=headers)

    def get_paginated_response_schema(self, schema):
        return schema


def _query_parameters() -> list[OpenApiParameter]:
    """The list's filters, as CaseQueryForm reads them (one definition for the page and the API)."""
    parameters = []
    for name, field in CaseQueryForm.base_fields.items():
        choices = [str(value) for value, _label in getattr(field, "choices", []) if value != ""]
        parameters.append(
            OpenApiParameter(
                name,
                int if isinstance(field, forms.TypedChoiceField) else str,
                OpenApiParameter.QUERY,
                required=False,
                enum=choices or None,
                description=str(field.label),
            )
        )
    return [
        *parameters,
        OpenApiParameter(
            "page",
            {"type": "integer", "minimum": 1},
            OpenApiParameter.QUERY,
            required=False,
            description="页码，从 1 开始",
        ),
        OpenApiParameter(
            "page_size",
            {"type": "integer", "minimum": 1, "maximum": CasePagination.max_page_size},
            OpenApiParameter.QUERY,
            required=False,
            description="每页件数，默认 50，1 到 200（其他值 400）",
        ),
        OpenApiParameter(
            "X-Total-Count", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[200], description="符合条件的办件总数"
        ),
        OpenApiParameter(
            "Link",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            response=[200],
            description='下一页、上一页（rel="next"、rel="prev"）',
        ),
    ]


class ReviewCaseListApi(APIView):
    """The queue: the cases the user may see, filtered, newest first by default (or most urgent first),
    a page at a time."""

    permission_classes = [IsApprover]

    @extend_schema(parameters=_query_parameters(), responses=ReviewCaseSerializer(many=True))
    def get(self, request):
        form = CaseQueryForm(request.GET)
        if not form.is_valid():
            raise serializers.ValidationError(
                {field: [str(m) for m in errors] for field, errors in form.errors.items()}
            )
        paginator = CasePagination()
        page = paginator.paginate_queryset(cases_search(user=request.user, query=form.query()), request, view=self)
        page = list(page or [])
        data = ReviewCaseSerializer(page, many=True, context={"readings": case_readings(page)}).data
        return paginator.get_paginated_response(data)


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
    response["Content-Disposition"] = (
        f'{disposition}; filename="material-{material.id}{EXTENSIONS.get(content_type, "")}"'
    )
    response["Content-Security-Policy"] = FILE_VIEWER_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response
