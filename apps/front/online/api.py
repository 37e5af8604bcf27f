"""The API of online applications (issue 15): the citizen's draft, uploads, submission and status; the hall
clerk's pre-review queue and its outcomes. Errors are the API's ``{"code", "detail"}`` (govservice/api.py),
plus ``errors`` by field key for the application form's answers."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.front.intake.models import Case
from apps.front.intake.services import case_prereview_accept, case_prereview_notice, case_prereview_refuse
from apps.shared.accounts.models import Role
from apps.shared.accounts.permissions import HasRole, IsCitizen, IsClerk
from apps.shared.catalog.api import MatterFieldSerializer
from apps.shared.catalog.models import Bundle
from apps.shared.exchange.contract import DeliveryMethod
from apps.shared.privacy.models import Channel
from govservice.api import status_for

from . import selectors, services
from .models import ApplicationFile, BundleApplication, OnlineApplication
from .responses import material_response
from .selectors import (
    ChecklistItem,
    application_get_for_user,
    applications_for_user,
    bundle_application_get_for_user,
    bundle_applications_of,
    bundle_checklist,
    bundle_fields,
    bundle_matters,
    bundle_statistics,
    bundle_status,
    bundles_active,
    checklist_for,
    form_fields_of,
    prereview_case,
    prereview_queue,
)
from .services import DECLARATION, FormInvalid

# --- Schema: the error body and what each operation refuses with ------------------------------------------


class ApiErrorSerializer(serializers.Serializer):
    """The API's error body (govservice/api.py): a stable code and one sentence in the reader's language;
    ``errors`` (form answers only) by field key."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.CharField(), required=False)  # type: ignore[assignment]


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ApiErrorSerializer, description=description)


NOT_YOURS = _error("not_found: no such application, or not yours (another person's answers 404 too).")
NOT_CITIZEN = _error("A verified citizen only (an unverified account or another role).")
NOT_CLERK = _error("A hall clerk or supervisor only.")
EDIT_ERRORS = {
    400: _error(
        "form_invalid (an answer not what its field takes; errors by field key), invalid_hall, invalid_method, address_invalid, invalid."
    ),
    403: NOT_CITIZEN,
    404: NOT_YOURS,
    409: _error("invalid_state: submitted and not waiting on a one-time notice, so no longer editable."),
    422: _error("wrong_hall, wrong_material."),
}


def _form_invalid(exc: FormInvalid) -> Response:
    return Response({"code": exc.code, "detail": str(exc.message), "errors": exc.errors}, status=status_for(exc))


# --- Serializers ------------------------------------------------------------------------------------------


class ApplicationFileSerializer(serializers.ModelSerializer):
    sent = serializers.BooleanField()

    class Meta:
        model = ApplicationFile
        fields = ["id", "material_key", "original_name", "content_type", "size", "sha256", "uploaded_at", "sent"]


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField(source="material.key")
    name = serializers.CharField(source="material.name")
    # Named like Field.required, which the serializer metaclass leaves alone (it takes declared fields off the class).
    required = serializers.BooleanField(source="material.required")  # type: ignore[assignment]
    state = serializers.ChoiceField(
        choices=[selectors.UPLOADED, selectors.FORM, selectors.HELD, selectors.MISSING, selectors.OPTIONAL],
        help_text="uploaded; form (the online form is this material); held (government holds it: taken from the "
        "vault with the applicant's consent, no need to submit); missing (required, nothing yet); optional.",
    )
    no_need_to_submit = serializers.BooleanField()
    evidence = serializers.SerializerMethodField()
    files = ApplicationFileSerializer(many=True)

    def get_evidence(self, item: ChecklistItem) -> dict | None:
        if item.evidence is None:
            return None
        return {"name": item.evidence.name, "trust_level": item.evidence.trust_level, "issuer": item.evidence.issuer}


class DeliverySerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    recipient_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    recipient_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=400, required=False, allow_blank=True, default="")


class CaseStateSerializer(serializers.ModelSerializer):
    """Where the submitted application stands: its case (the one lifecycle), and the documents issued."""

    sentence = serializers.CharField()
    next_step = serializers.CharField()
    notice_outstanding = serializers.BooleanField()
    documents = serializers.SerializerMethodField()
    booking_url = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "number",
            "status",
            "sentence",
            "next_step",
            "received_at",
            "intake_deadline",
            "prereview_deadline",
            "accepted_at",
            "deemed_accepted_at",
            "promised_date",
            "notice_items",
            "notice_outstanding",
            "refusal_reason",
            "refer_to",
            "decision",
            "documents",
            "booking_url",
        ]

    def get_documents(self, case: Case) -> list[dict]:
        return [
            {
                "kind": d.kind,
                "title": str(d.get_kind_display()),
                "verification_code": d.verification_code,
                "url": reverse("document", args=[d.verification_code]),
            }
            for d in case.documents.all()
        ]

    def get_booking_url(self, case: Case) -> str:
        """The one visit to have an original checked, booked for this matter (最多跑一次); empty when none is needed."""
        return reverse("matter", args=[case.matter.code]) + "#booking" if case.needs_original_visit else ""


class ApplicationSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.name")
    matter_code = serializers.CharField()
    matter_version = serializers.IntegerField(source="matter.version")
    hall = serializers.IntegerField(source="hall_id")
    hall_name = serializers.CharField(source="hall.name")
    is_draft = serializers.BooleanField()
    editable = serializers.BooleanField()
    case = CaseStateSerializer(allow_null=True)

    class Meta:
        model = OnlineApplication
        fields = [
            "code",
            "matter",
            "matter_code",
            "matter_version",
            "hall",
            "hall_name",
            "is_draft",
            "editable",
            "created_at",
            "updated_at",
            "submitted_at",
            "resubmitted_at",
            "case",
        ]


class ApplicationDetailSerializer(ApplicationSerializer):
    form = serializers.SerializerMethodField()
    form_values = serializers.JSONField()
    checklist = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField()
    declaration = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "form", "form_values", "checklist", "delivery", "declaration"]

    @extend_schema_field(MatterFieldSerializer(many=True))
    def get_form(self, application: OnlineApplication) -> list[dict]:
        return list(MatterFieldSerializer(form_fields_of(application.matter), many=True).data)

    @extend_schema_field(ChecklistItemSerializer(many=True))
    def get_checklist(self, application: OnlineApplication) -> list[dict]:
        return list(ChecklistItemSerializer(checklist_for(application), many=True).data)

    def get_delivery(self, application: OnlineApplication) -> dict:
        return {
            "method": application.delivery_method,
            "recipient_name": application.recipient_name,
            "recipient_phone": application.recipient_phone or "",
            "address": application.address or "",
        }

    def get_declaration(self, application: OnlineApplication) -> str:
        return DECLARATION


# --- The citizen ------------------------------------------------------------------------------------------


class StartSerializer(serializers.Serializer):
    matter = serializers.CharField(max_length=64, help_text="The matter's implementation code.")
    hall = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Required when several halls receive the matter."
    )


class ApplicationListApi(APIView):
    """The citizen's online applications (drafts first updated first), and starting one: ``{"matter", "hall"}``.
    A draft for the same matter is resumed (200) rather than a second one made (201)."""

    permission_classes = [IsCitizen]

    @extend_schema(responses={200: ApplicationSerializer(many=True), 403: NOT_CITIZEN})
    def get(self, request):
        return Response(ApplicationSerializer(applications_for_user(user=request.user)[:100], many=True).data)

    @extend_schema(
        request=StartSerializer,
        responses={
            200: ApplicationDetailSerializer,
            201: ApplicationDetailSerializer,
            400: _error("invalid (no matter), invalid_hall (several halls receive it: choose one)."),
            403: NOT_CITIZEN,
            404: _error("not_found: no such matter."),
            422: _error("not_online (the matter is not applied for online), matter_not_served, wrong_hall."),
        },
    )
    def post(self, request):
        serializer = StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application, created = services.application_start(
            applicant=request.user, actor=request.user, matter_code=data["matter"], hall_id=data.get("hall")
        )
        application = application_get_for_user(user=request.user, code=application.code)
        return Response(
            ApplicationDetailSerializer(application).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class UpdateSerializer(serializers.Serializer):
    form_values = serializers.DictField(
        required=False, help_text="Answers by field key, merged with those saved; an empty answer clears one."
    )
    delivery = DeliverySerializer(required=False)
    hall = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class ApplicationDetailApi(APIView):
    """One application: its form and answers, the checklist (what government holds marked no need to submit),
    the delivery chosen, and once submitted its case's state. PATCH saves the draft (or the completion after a
    one-time notice); DELETE discards a draft."""

    permission_classes = [IsCitizen]

    @extend_schema(responses={200: ApplicationDetailSerializer, 403: NOT_CITIZEN, 404: NOT_YOURS})
    def get(self, request, code):
        return Response(ApplicationDetailSerializer(application_get_for_user(user=request.user, code=code)).data)

    @extend_schema(request=UpdateSerializer, responses={200: ApplicationDetailSerializer, **EDIT_ERRORS})
    def patch(self, request, code):
        serializer = UpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.application_update(
                actor=request.user,
                code=code,
                form_values=data.get("form_values"),
                delivery=data.get("delivery"),
                hall_id=data.get("hall"),
            )
        except FormInvalid as exc:
            return _form_invalid(exc)
        return Response(ApplicationDetailSerializer(application_get_for_user(user=request.user, code=code)).data)

    @extend_schema(
        responses={
            204: None,
            403: NOT_CITIZEN,
            404: NOT_YOURS,
            409: _error("invalid_state: submitted (a submitted application is withdrawn on its case, never deleted)."),
        }
    )
    def delete(self, request, code):
        services.application_discard(actor=request.user, code=code)
        return Response(status=status.HTTP_204_NO_CONTENT)


UPLOAD_FORM = {
    "multipart/form-data": {
        "type": "object",
        "properties": {
            "material": {"type": "string", "description": "The material's key (checklist[].key)."},
            "file": {"type": "string", "format": "binary"},
        },
        "required": ["material", "file"],
    }
}


class ApplicationFilesApi(APIView):
    """Upload one file (PDF, JPEG or PNG, sniffed; the size limit of the window's scans) for one material."""

    permission_classes = [IsCitizen]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=UPLOAD_FORM,
        responses={
            201: ApplicationFileSerializer,
            400: _error("invalid: no file, or no material key."),
            403: NOT_CITIZEN,
            404: NOT_YOURS,
            409: _error("invalid_state (no longer editable), limit_reached (ONLINE_FILES_MAX)."),
            422: _error(
                "wrong_material, file_too_large, file_type (not a PDF, JPEG or PNG), file_rejected (the scanner's finding)."
            ),
        },
    )
    def post(self, request, code):
        upload = request.FILES.get("file")
        material = str(request.data.get("material", "")).strip()
        if upload is None or not material:
            raise serializers.ValidationError({"file": _("请选择文件并指明对应的材料。")})
        row = services.application_upload(actor=request.user, code=code, material_key=material[:64], upload=upload)
        return Response(ApplicationFileSerializer(row).data, status=status.HTTP_201_CREATED)


class ApplicationFileApi(APIView):
    """A file of the application: GET it back, DELETE it while not yet sent."""

    permission_classes = [IsCitizen]

    @extend_schema(responses={(200, "application/octet-stream"): bytes, 403: NOT_CITIZEN, 404: NOT_YOURS})
    def get(self, request, code, file_id):
        row = selectors.application_file_get(user=request.user, code=code, file_id=file_id)
        return material_response(row.file, row.content_type, f"file-{row.id}")

    @extend_schema(
        responses={
            204: None,
            403: NOT_CITIZEN,
            404: NOT_YOURS,
            409: _error("invalid_state: already sent with the application, or no longer editable."),
        }
    )
    def delete(self, request, code, file_id):
        services.application_file_remove(actor=request.user, code=code, file_id=file_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmitSerializer(serializers.Serializer):
    declaration = serializers.BooleanField(help_text="The applicant's declaration (申请人声明) is made: must be true.")
    vault_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Consent to take what government holds from the vault (needed when the checklist has `held` items).",
    )


class SubmitResultSerializer(ApplicationDetailSerializer):
    query_password = serializers.CharField(help_text="The case's query password: given on the first submission only.")

    class Meta(ApplicationDetailSerializer.Meta):
        fields = [*ApplicationDetailSerializer.Meta.fields, "query_password"]


class ApplicationSubmitApi(APIView):
    """Submit: the hall receives the application now (行政许可法 Art. 32's five working days and the pre-review
    limit start). After a one-time notice the same call resubmits the completed application into the same case."""

    permission_classes = [IsCitizen]

    @extend_schema(
        request=SubmitSerializer,
        responses={
            200: SubmitResultSerializer,
            201: SubmitResultSerializer,
            400: _error("consent_required (the checklist takes vault evidence), invalid, address_invalid."),
            403: NOT_CITIZEN,
            404: NOT_YOURS,
            409: _error("invalid_state: already submitted and not waiting on a one-time notice."),
            422: _error(
                "declaration_required, form_incomplete (every unanswered required field, errors by key), materials_missing (every missing material named), calendar_unknown."
            ),
        },
    )
    def post(self, request, code):
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        first = application_get_for_user(user=request.user, code=code).is_draft
        try:
            application, password = services.application_submit(
                actor=request.user,
                code=code,
                declaration=data["declaration"],
                vault_consent=data["vault_consent"],
                channel=Channel.API,
            )
        except FormInvalid as exc:
            return _form_invalid(exc)
        body = ApplicationDetailSerializer(application_get_for_user(user=request.user, code=application.code)).data
        body["query_password"] = password
        return Response(body, status=status.HTTP_201_CREATED if first else status.HTTP_200_OK)


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
        responses={200: PrereviewDetailSerializer, **OUTCOME_ERRORS, 422: _error("calendar_unknown and the like.")},
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


# --- 一件事一次办: bundles -------------------------------------------------------------------------------------


class BundleItemSerializer(serializers.Serializer):
    matter_code = serializers.CharField()
    after = serializers.CharField(
        help_text="The code of the matter whose approval this one waits for; empty: in parallel."
    )


class BundleSerializer(serializers.ModelSerializer):
    items = BundleItemSerializer(many=True)

    class Meta:
        model = Bundle
        fields = ["code", "name", "life_event", "description", "items"]


class BundleListApi(APIView):
    """The life-event bundles (一件事) that can be applied for online, each with its matters."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: BundleSerializer(many=True)})
    def get(self, request):
        return Response(BundleSerializer(bundles_active(), many=True).data)


class BundleChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # popped by the serializer metaclass
    matters = serializers.ListField(
        child=serializers.CharField(), help_text="The matters that need it: uploaded once, sent to each."
    )
    state = serializers.CharField(
        help_text="uploaded, form, held (no need to submit: from the vault on consent), missing, optional."
    )
    no_need_to_submit = serializers.BooleanField()
    files = ApplicationFileSerializer(many=True)


class BundlePartSerializer(serializers.Serializer):
    code = serializers.CharField(source="application.code")
    matter = serializers.CharField(source="matter.name")
    matter_code = serializers.CharField(source="matter.code")
    state = serializers.CharField(
        help_text="waiting (for its prerequisite's approval), dropped (not submitted: see sentence), case."
    )
    outcome = serializers.CharField(help_text="open, approved, not (refused, denied, withdrawn, dropped …).")
    sentence = serializers.CharField()
    promised_date = serializers.DateField(allow_null=True)
    case = CaseStateSerializer(source="application.case", allow_null=True)


class BundleStatusSerializer(serializers.Serializer):
    overall = serializers.CharField(help_text="draft, in_progress, completed, completed_with_refusals.")
    sentence = serializers.CharField()
    promised_date = serializers.DateField(allow_null=True, help_text="The latest promise of the parts still open.")
    done = serializers.IntegerField()
    parts = BundlePartSerializer(many=True)


class BundleApplicationSerializer(serializers.ModelSerializer):
    bundle = serializers.CharField(source="bundle.code")
    bundle_name = serializers.CharField(source="bundle.name")
    hall = serializers.IntegerField(source="hall_id")
    hall_name = serializers.CharField(source="hall.name")
    is_draft = serializers.BooleanField()
    editable = serializers.BooleanField()
    form = serializers.SerializerMethodField()
    form_values = serializers.JSONField()
    checklist = serializers.SerializerMethodField()
    delivery = serializers.SerializerMethodField()
    declaration = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = BundleApplication
        fields = [
            "code",
            "bundle",
            "bundle_name",
            "hall",
            "hall_name",
            "is_draft",
            "editable",
            "created_at",
            "submitted_at",
            "completed_at",
            "form",
            "form_values",
            "checklist",
            "delivery",
            "declaration",
            "status",
        ]

    @extend_schema_field(MatterFieldSerializer(many=True))
    def get_form(self, application: BundleApplication) -> list[dict]:
        matters = [m for _item, m in bundle_matters(application.bundle)]
        return list(MatterFieldSerializer(bundle_fields(matters), many=True).data)

    @extend_schema_field(BundleChecklistItemSerializer(many=True))
    def get_checklist(self, application: BundleApplication) -> list[dict]:
        return list(BundleChecklistItemSerializer(bundle_checklist(application), many=True).data)

    def get_delivery(self, application: BundleApplication) -> dict:
        return {
            "method": application.delivery_method,
            "recipient_name": application.recipient_name,
            "recipient_phone": application.recipient_phone or "",
            "address": application.address or "",
        }

    def get_declaration(self, application: BundleApplication) -> str:
        return DECLARATION

    @extend_schema_field(BundleStatusSerializer)
    def get_status(self, application: BundleApplication) -> dict:
        return dict(BundleStatusSerializer(bundle_status(application)).data)


class BundleStartSerializer(serializers.Serializer):
    bundle = serializers.CharField(max_length=64)
    hall = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


def _bundle_body(request, code: str) -> dict:
    return dict(BundleApplicationSerializer(bundle_application_get_for_user(user=request.user, code=code)).data)


class BundleApplicationListApi(APIView):
    """The citizen's bundle applications, and starting one (``{"bundle", "hall"}``; a draft is resumed: 200)."""

    permission_classes = [IsCitizen]

    @extend_schema(responses={200: BundleApplicationSerializer(many=True), 403: NOT_CITIZEN})
    def get(self, request):
        applications = bundle_applications_of(request.user).select_related("bundle", "hall", "applicant")[:50]
        return Response(BundleApplicationSerializer(applications, many=True).data)

    @extend_schema(
        request=BundleStartSerializer,
        responses={
            200: BundleApplicationSerializer,
            201: BundleApplicationSerializer,
            400: _error("invalid, invalid_hall (several halls receive all its matters: choose one)."),
            403: NOT_CITIZEN,
            404: _error("not_found: no such bundle."),
            422: _error("not_online, matter_not_served, wrong_hall."),
        },
    )
    def post(self, request):
        serializer = BundleStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application, created = services.bundle_application_start(
            applicant=request.user, actor=request.user, bundle_code=data["bundle"], hall_id=data.get("hall")
        )
        return Response(
            _bundle_body(request, application.code), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class BundleApplicationDetailApi(APIView):
    """One bundle application: the merged form and checklist, the delivery, and once submitted one status with
    each part's. PATCH saves the draft; DELETE discards it."""

    permission_classes = [IsCitizen]

    @extend_schema(responses={200: BundleApplicationSerializer, 403: NOT_CITIZEN, 404: NOT_YOURS})
    def get(self, request, code):
        return Response(_bundle_body(request, code))

    @extend_schema(request=UpdateSerializer, responses={200: BundleApplicationSerializer, **EDIT_ERRORS})
    def patch(self, request, code):
        serializer = UpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.bundle_application_update(
                actor=request.user,
                code=code,
                form_values=data.get("form_values"),
                delivery=data.get("delivery"),
                hall_id=data.get("hall"),
            )
        except FormInvalid as exc:
            return _form_invalid(exc)
        return Response(_bundle_body(request, code))

    @extend_schema(responses={204: None, 403: NOT_CITIZEN, 404: NOT_YOURS, 409: _error("invalid_state: submitted.")})
    def delete(self, request, code):
        services.bundle_application_discard(actor=request.user, code=code)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BundleFilesApi(APIView):
    """Upload one file for one material of the merged checklist: it goes to every matter that needs it."""

    permission_classes = [IsCitizen]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request=UPLOAD_FORM,
        responses={
            201: ApplicationFileSerializer,
            400: _error("invalid: no file, or no material key."),
            403: NOT_CITIZEN,
            404: NOT_YOURS,
            409: _error("invalid_state (submitted), limit_reached."),
            422: _error("wrong_material, file_too_large, file_type, file_rejected."),
        },
    )
    def post(self, request, code):
        upload = request.FILES.get("file")
        material = str(request.data.get("material", "")).strip()
        if upload is None or not material:
            raise serializers.ValidationError({"file": _("请选择文件并指明对应的材料。")})
        row = services.bundle_upload(actor=request.user, code=code, material_key=material[:64], upload=upload)
        return Response(ApplicationFileSerializer(row).data, status=status.HTTP_201_CREATED)


class BundleFileApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(responses={204: None, 403: NOT_CITIZEN, 404: NOT_YOURS, 409: _error("invalid_state: submitted.")})
    def delete(self, request, code, file_id):
        services.bundle_file_remove(actor=request.user, code=code, file_id=file_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BundleSubmitApi(APIView):
    """Submit the bundle once: each matter becomes its own case (the parts with no prerequisite now, in parallel;
    a part waiting for another when that one is approved)."""

    permission_classes = [IsCitizen]

    @extend_schema(
        request=SubmitSerializer,
        responses={
            201: BundleApplicationSerializer,
            400: _error("consent_required, address_invalid, invalid."),
            403: NOT_CITIZEN,
            404: NOT_YOURS,
            409: _error("invalid_state: already submitted."),
            422: _error("declaration_required, form_incomplete (errors by key), materials_missing."),
        },
    )
    def post(self, request, code):
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.bundle_application_submit(
                actor=request.user,
                code=code,
                declaration=data["declaration"],
                vault_consent=data["vault_consent"],
                channel=Channel.API,
            )
        except FormInvalid as exc:
            return _form_invalid(exc)
        return Response(_bundle_body(request, code), status=status.HTTP_201_CREATED)


class IsHallSupervisorOrAdmin(HasRole):
    roles = frozenset({Role.HALL_SUPERVISOR, Role.ADMIN})


class BundleMatterCountSerializer(serializers.Serializer):
    matter = serializers.CharField()
    approved = serializers.IntegerField()
    not_approved = serializers.IntegerField()
    open = serializers.IntegerField()


class BundleStatisticsSerializer(serializers.Serializer):
    bundle = serializers.CharField()
    name = serializers.CharField()
    submitted = serializers.IntegerField()
    completed = serializers.IntegerField(help_text="Every part has its answer (the combined notice went out).")
    all_approved = serializers.IntegerField()
    average_days = serializers.FloatField(allow_null=True, help_text="Submission to the last answer, in days.")
    matters = BundleMatterCountSerializer(many=True)


class BundleStatisticsApi(APIView):
    """一件事 statistics for hall supervisors and administrators: each bundle as one item and per matter, for the
    bundle applications submitted in the last ``days`` (30 by default, at most 366)."""

    permission_classes = [IsHallSupervisorOrAdmin]

    @extend_schema(
        parameters=[OpenApiParameter("days", int, required=False)],
        responses={
            200: BundleStatisticsSerializer(many=True),
            400: _error("invalid: days not a whole number from 1 to 366."),
            403: _error("Hall supervisors and administrators only."),
        },
    )
    def get(self, request):
        raw = request.query_params.get("days", "30")
        if not raw.isdecimal() or not 1 <= int(raw) <= 366:
            raise serializers.ValidationError({"days": _("天数应为1至366的整数。")})
        since = timezone.now() - dt.timedelta(days=int(raw))
        return Response(BundleStatisticsSerializer(bundle_statistics(since=since), many=True).data)
