"""The review actions of the API, one operation each (POST /api/v1/cases/<id>/<action>/: claim, assign, pass, return,
correction, special procedure, extension, transfer, void, result): each body's serializer, the service it calls, and
the views built from CASE_ACTIONS. The case list, a case, its decision and its materials are api.py."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsApprover

from . import services
from .api import ReviewCaseSerializer
from .models import (
    SpecialProcedure,
)
from .selectors import case_get_for_approver


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
