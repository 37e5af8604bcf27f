from django import forms
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsApprover
from apps.shared.workcalendar.selectors import calendar_get
from govservice.lib.filetypes import EXTENSIONS, FILE_VIEWER_CSP, UNKNOWN_TYPE, is_viewable, sniff
from govservice.lib.masking import mask_id_staff

from . import services
from .forms import CaseQueryForm
from .models import (
    REVIEW_STEPS,
    Decision,
    ExtensionRequest,
    ExtensionStatus,
    ReviewCase,
    ReviewMaterial,
    SpecialProcedure,
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
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class TransferSerializer(serializers.Serializer):
    department = serializers.CharField(max_length=32, help_text="转至部门的编码")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ResultSerializer(serializers.Serializer):
    valid_years = serializers.IntegerField(min_value=1, max_value=30, required=False, allow_null=True, default=None)


# One review action each: what the holder of a case does (claim, release, pass, return, correction, special,
# special-end, extend: a request, result) and what a central supervisor does (assign, take-over,
# extend-approve, extend-refuse, transfer, void), each through its one service.


def _claim(user, case_id, data):
    return services.case_claim(approver=user, case_id=case_id)


def _release(user, case_id, data):
    return services.case_release(approver=user, case_id=case_id)


def _assign(user, case_id, data):
    return services.case_assign(supervisor=user, case_id=case_id, approver_id=data["approver"], reason=data["reason"])


def _take_over(user, case_id, data):
    return services.case_take_over(supervisor=user, case_id=case_id, reason=data["reason"])


def _pass(user, case_id, data):
    return services.case_step(approver=user, case_id=case_id, forward=True, note=data["reason"])


def _return(user, case_id, data):
    return services.case_step(approver=user, case_id=case_id, forward=False, note=data["reason"])


def _correction(user, case_id, data):
    return services.case_request_correction(approver=user, case_id=case_id, **data)


def _special(user, case_id, data):
    return services.case_start_special_procedure(approver=user, case_id=case_id, **data)


def _special_end(user, case_id, data):
    return services.case_end_special_procedure(approver=user, case_id=case_id, note=data["reason"])


def _extend(user, case_id, data):
    # The holder asks; a central supervisor approves or refuses (行政许可法 Art. 42).
    return services.case_extension_request(approver=user, case_id=case_id, reason=data["reason"])


def _extend_approve(user, case_id, data):
    return services.case_extension_approve(supervisor=user, case_id=case_id, note=data["reason"])


def _extend_refuse(user, case_id, data):
    return services.case_extension_refuse(supervisor=user, case_id=case_id, reason=data["reason"])


def _transfer(user, case_id, data):
    return services.case_transfer(
        supervisor=user, case_id=case_id, department_code=data["department"], reason=data["reason"]
    )


def _void(user, case_id, data):
    return services.case_void(supervisor=user, case_id=case_id, reason=data["reason"])


def _result(user, case_id, data):
    return services.case_issue_result(approver=user, case_id=case_id, **data).case


# action -> (its body's serializer or None, what it does, what it is: the operation's summary).
CASE_ACTIONS = {
    "claim": (None, _claim, "认领办件（由本人办理）"),
    "release": (None, _release, "放回待认领"),
    "assign": (AssignSerializer, _assign, "指派给本部门的审批人（中心主管）"),
    "take-over": (ReasonSerializer, _take_over, "接手他人办理的办件（中心主管，须说明理由）"),
    "pass": (ReasonSerializer, _pass, "本环节通过，进入下一环节"),
    "return": (ReasonSerializer, _return, "退回上一环节"),
    "correction": (CorrectionSerializer, _correction, "要求申请人补正（列明全部事项和期限）"),
    "special": (SpecialSerializer, _special, "启动特别程序（听证、检验、检测、专家评审等，时间不计入时限）"),
    "special-end": (ReasonSerializer, _special_end, "结束特别程序"),
    "extend": (ReasonSerializer, _extend, "申请延期（由负责人批准）"),
    "extend-approve": (ReasonSerializer, _extend_approve, "批准延期申请（中心主管）"),
    "extend-refuse": (ReasonSerializer, _extend_refuse, "不批准延期申请（中心主管）"),
    "transfer": (TransferSerializer, _transfer, "移送其他部门（中心主管，须说明理由）"),
    "void": (ReasonSerializer, _void, "作废办件（中心主管，须说明理由）"),
    "result": (ResultSerializer, _result, "出具审批结果（决定书、证照）"),
}


class CaseActionView(APIView):
    """POST /api/v1/cases/<id>/<action>/ — one review action (CASE_ACTIONS): its body read by its serializer,
    done by its service, answered with the case as it is now."""

    permission_classes = [IsApprover]
    serializer_class: type[serializers.Serializer] | None = None

    @staticmethod
    def perform(user, case_id, data):  # pragma: no cover - every action's view sets its own
        raise NotImplementedError

    def post(self, request, case_id, **kwargs):
        data = {}
        if self.serializer_class is not None:
            serializer = self.serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        case = self.perform(request.user, case_id, data)
        return Response(ReviewCaseSerializer(case_get_for_approver(user=request.user, case_id=case.id)).data)


def case_action_view(action: str) -> type[CaseActionView]:
    """The view of one action, an operation of its own in the schema with its own body (issue 17)."""
    serializer_class, perform, summary = CASE_ACTIONS[action]
    view = type(
        f"Case{action.title().replace('-', '')}Api",
        (CaseActionView,),
        {"serializer_class": serializer_class, "perform": staticmethod(perform), "__module__": __name__},
    )
    operation = extend_schema(
        operation_id=f"cases_{action.replace('-', '_')}",
        summary=summary,
        request=serializer_class,
        responses=ReviewCaseSerializer,
    )
    return extend_schema_view(post=operation)(view)


class CaseActionApi(CaseActionView):
    """The one route every action had before each became an operation of its own (same paths; README
    "Changes"): what no action's route matched, such as an unknown action, answers 404. Not in the schema."""

    actions = CASE_ACTIONS

    @extend_schema(exclude=True)
    def post(self, request, case_id, action):
        raise NotFound(_("没有这个操作。"))
