"""The window's intake over the API: the case's serializers, the outcomes at a ticket (accept, notice, refuse,
receive), the acceptance of a received case, and the case lists."""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsCitizen, IsClerk
from govservice.api import DomainError, MultipartApiView

from ..models import Case, CaseEvent
from ..selectors import (
    case_get_for_citizen,
    case_get_for_staff,
    cases_for_citizen,
    cases_for_staff,
)
from ..services import (
    Reuse,
    Upload,
    case_accept,
    case_accept_received,
    case_notify_missing,
    case_receive,
    case_refuse,
)


class CaseEventSerializer(serializers.ModelSerializer):
    to_status_display = serializers.CharField(source="get_to_status_display")

    class Meta:
        model = CaseEvent
        fields = ["to_status", "to_status_display", "actor_label", "note", "at"]


class CaseSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.name")
    matter_version = serializers.IntegerField(source="matter.version")
    hall = serializers.CharField(source="hall.name")
    sentence = serializers.CharField()
    next_step = serializers.CharField()
    commitment_outstanding = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Case
        fields = [
            "number",
            "status",
            "sentence",
            "next_step",
            "matter",
            "matter_version",
            "hall",
            "received_at",
            "accepted_at",
            "promised_date",
            "decision",
            "decision_reason",
            "decided_at",
            "remedies",
            "correction_items",
            "correction_deadline",
            "procedure_note",
            "withdraw_requested_at",
            # Issue 13: the acceptance by law, and the 容缺 commitment's follow-up.
            "deemed_accepted_at",
            "commitment_items",
            "commitment_deadline",
            "commitment_outstanding",
            "commitment_met_at",
            "commitment_broken_at",
        ]


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events"]


def uploads_from(request) -> list[Upload]:
    """Files under ``material_<id>`` (a catalogue material) or ``extra``."""
    uploads: list[Upload] = []
    for field, files in request.FILES.lists():
        if field.startswith("material_") and field[9:].isdigit():
            material_id = int(field[9:])
        elif field == "extra":
            material_id = None
        else:
            # A name the body's schema cannot rule out (OpenAPI 3.0 has no pattern for property names): a rule of
            # this matter's checklist, like a material id that is not the matter's (issue 17; was 400 invalid).
            raise DomainError(_("未知的文件字段 %(field)s。") % {"field": field}, code="wrong_material")
        uploads.extend(Upload(material_id, f) for f in files)
    return uploads


def reuses_from(data) -> list[Reuse]:
    """``reuse_<material id>=<evidence id>``; ``original_checked_<evidence id>=true`` for C-level items."""
    reuses = []
    for field, value in data.items():
        if field.startswith("reuse_") and field[6:].isdigit() and str(value).isdigit():
            checked = data.get(f"original_checked_{value}") in ("true", "1", "on")
            reuses.append(Reuse(int(field[6:]), int(value), checked))
    return reuses


# The intake uploads' bodies, exactly (issue 17): files under ``material_<material id>`` (one or more each,
# the matter's checklist names the ids) or ``extra``; each operation's text fields by name. OpenAPI 3.0 has
# no pattern for property names, so the files are the body's additional properties and the description says
# their names.
FILES = {"type": "array", "items": {"type": "string", "format": "binary"}}
FILE_FIELDS = (
    "Files: `material_<id>` for a material of the matter's checklist (repeat the field for several files), "
    "`extra` for anything else; PDF, JPEG or PNG (a PDF must open), each at most UPLOAD_MAX_BYTES."
)
TEXT = {"type": "string"}
TRUE = {"type": "string", "description": "true, 1 or on: yes; anything else: no"}


def multipart(description: str = "", **text: dict) -> dict:
    """A multipart body of files (FILE_FIELDS) and the named text fields."""
    return {
        "multipart/form-data": {
            "type": "object",
            "description": f"{FILE_FIELDS} {description}".strip(),
            "properties": {"extra": FILES, **text},
            "additionalProperties": {"oneOf": [{"type": "string", "format": "binary"}, FILES]},
        }
    }


MULTIPART = multipart()
REUSES = (
    "Vault evidence instead of a scan: `reuse_<material id>=<evidence id>`, and `original_checked_<evidence id>=true` "
    "for an applicant's own upload (level C) whose original was seen."
)
ACCEPT_BODY = multipart(
    REUSES,
    commitment_items={"type": "array", "items": TEXT, "description": "容缺: the names of deferrable materials owed"},
    commitment_signed={
        **TRUE,
        "description": "The applicant signed the 容缺 commitment (needed with commitment_items)",
    },
    vault_consent={**TRUE, "description": "The applicant agreed to the use of their vault (needed with reuse_<id>)"},
)
REFUSE_BODY = multipart(
    reason={**TEXT, "description": "不予受理的理由 (required: 422 reason_required)"},
    refer_to={
        **TEXT,
        "maxLength": 200,
        "description": "应向何机关申请 (at most 200 characters: 422 refer_to_too_long)",
    },
)
NOTICE_BODY = multipart(
    items={"type": "array", "items": TEXT, "description": "需补正的全部事项, one per field (422 items_required)"}
)


class IntakeResultSerializer(serializers.Serializer):
    number = serializers.CharField()
    query_password = serializers.CharField()
    status = serializers.CharField()
    promised_date = serializers.DateField(allow_null=True)
    intake_deadline = serializers.DateField(allow_null=True)
    documents = serializers.ListField(child=serializers.DictField())


def intake_result(case, password) -> dict:
    return IntakeResultSerializer(
        {
            "number": case.number,
            "query_password": password,
            "status": case.status,
            "promised_date": case.promised_date,
            "intake_deadline": case.intake_deadline,
            "documents": [
                {
                    "kind": d.kind,
                    "verification_code": d.verification_code,
                    "url": reverse("document", args=[d.verification_code]),
                }
                for d in case.documents.all()
            ],
        }
    ).data


class CaseAcceptApi(MultipartApiView):
    """Accept: multipart files; optional ``commitment_items`` (容缺) with ``commitment_signed=true``; vault
    evidence (``reuse_<material id>=<evidence id>``) with the applicant's consent, ``vault_consent=true``."""

    permission_classes = [IsClerk]

    @extend_schema(request=ACCEPT_BODY, responses={201: IntakeResultSerializer})
    def post(self, request, ticket_id):
        case, password = case_accept(
            clerk=request.user,
            ticket_id=ticket_id,
            uploads=uploads_from(request),
            reuses=reuses_from(request.data),
            commitment_items=request.data.getlist("commitment_items"),
            commitment_signed=request.data.get("commitment_signed") in ("true", "1", "on"),
            vault_consent=request.data.get("vault_consent") in ("true", "1", "on"),
        )
        return Response(intake_result(case, password), status=status.HTTP_201_CREATED)


class CaseRefuseApi(MultipartApiView):
    """不予受理: ``reason`` (required) and ``refer_to``."""

    permission_classes = [IsClerk]

    @extend_schema(request=REFUSE_BODY, responses={201: IntakeResultSerializer})
    def post(self, request, ticket_id):
        case, password = case_refuse(
            clerk=request.user,
            ticket_id=ticket_id,
            reason=request.data.get("reason", ""),
            refer_to=request.data.get("refer_to", ""),
            uploads=uploads_from(request),
        )
        return Response(intake_result(case, password), status=status.HTTP_201_CREATED)


class CaseNoticeApi(MultipartApiView):
    """一次性告知: ``items`` (repeat the field once per item)."""

    permission_classes = [IsClerk]

    @extend_schema(request=NOTICE_BODY, responses={201: IntakeResultSerializer})
    def post(self, request, ticket_id):
        case, password = case_notify_missing(
            clerk=request.user, ticket_id=ticket_id, items=request.data.getlist("items"), uploads=uploads_from(request)
        )
        return Response(intake_result(case, password), status=status.HTTP_201_CREATED)


class CaseReceiveApi(MultipartApiView):
    """收件 only; decide within 5 working days."""

    permission_classes = [IsClerk]

    @extend_schema(request=MULTIPART, responses={201: IntakeResultSerializer})
    def post(self, request, ticket_id):
        case, password = case_receive(clerk=request.user, ticket_id=ticket_id, uploads=uploads_from(request))
        return Response(intake_result(case, password), status=status.HTTP_201_CREATED)


class ReceivedCaseAcceptApi(MultipartApiView):
    """Accept a case the hall already holds, with the items the applicant brought back."""

    permission_classes = [IsClerk]

    @extend_schema(request=ACCEPT_BODY, responses={200: CaseSerializer})
    def post(self, request, number):
        case = case_accept_received(
            clerk=request.user,
            number=number,
            uploads=uploads_from(request),
            reuses=reuses_from(request.data),
            commitment_items=request.data.getlist("commitment_items"),
            commitment_signed=request.data.get("commitment_signed") in ("true", "1", "on"),
            vault_consent=request.data.get("vault_consent") in ("true", "1", "on"),
        )
        return Response(CaseSerializer(case).data)


class CaseListApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(responses=CaseSerializer(many=True))
    def get(self, request):
        return Response(CaseSerializer(cases_for_citizen(citizen=request.user), many=True).data)


class CaseDetailApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, number):
        return Response(CaseDetailSerializer(case_get_for_citizen(citizen=request.user, number=number)).data)


class HallCaseListApi(APIView):
    """The clerk's view of the cases received at their hall."""

    permission_classes = [IsClerk]

    @extend_schema(responses=CaseSerializer(many=True))
    def get(self, request):
        return Response(CaseSerializer(cases_for_staff(user=request.user)[:200], many=True).data)


class HallCaseDetailApi(APIView):
    permission_classes = [IsClerk]

    @extend_schema(responses=CaseDetailSerializer)
    def get(self, request, number):
        return Response(CaseDetailSerializer(case_get_for_staff(user=request.user, number=number)).data)
