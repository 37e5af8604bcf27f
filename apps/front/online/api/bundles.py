"""一件事一次办: the bundles, the citizen's bundle application, and the statistics."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.models import Role
from apps.shared.accounts.permissions import HasRole, IsCitizen
from apps.shared.catalog.api import MatterFieldSerializer
from apps.shared.catalog.models import Bundle
from apps.shared.privacy.models import Channel
from govservice.api import MultipartApiView

from .. import services
from ..models import BundleApplication
from ..selectors import (
    applicant_for,
    bundle_application_get_for_user,
    bundle_applications_of,
    bundle_checklist,
    bundle_fields,
    bundle_matters,
    bundle_statistics,
    bundle_status,
    bundles_active,
)
from ..services import DECLARATION, FormInvalid
from .applications import (
    UPLOAD_FORM,
    SubmitSerializer,
    UpdateSerializer,
)
from .common import (
    EDIT_ERRORS,
    NOT_CITIZEN,
    NOT_YOURS,
    START_ERRORS,
    ApplicationFileSerializer,
    CaseStateSerializer,
    PeopleMixin,
    _error,
    _form_invalid,
    principal_field,
)

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
        fields = ["code", "name", "life_event", "description", "online_submission", "hall_visit", "items"]


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
        help_text="uploaded, form, held (no need to submit: from the vault on consent), produced (no need to submit: "
        "an earlier step of the bundle issues it), missing, optional."
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
    bearing = serializers.CharField(
        help_text="Outcome not: what it means for the bundle's other parts (those waiting for it are not submitted, "
        "the others go on); empty otherwise."
    )
    promised_date = serializers.DateField(allow_null=True)
    case = CaseStateSerializer(source="application.case", allow_null=True)


class BundleStatusSerializer(serializers.Serializer):
    overall = serializers.CharField(help_text="draft, in_progress, completed, completed_with_refusals.")
    sentence = serializers.CharField()
    promised_date = serializers.DateField(allow_null=True, help_text="The latest promise of the parts still open.")
    done = serializers.IntegerField()
    parts = BundlePartSerializer(many=True)


class BundleApplicationSerializer(PeopleMixin, serializers.ModelSerializer):
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
            "applicant_name",
            "agent",
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
    principal = principal_field()


def _bundle_body(request, code: str) -> dict:
    return dict(BundleApplicationSerializer(bundle_application_get_for_user(user=request.user, code=code)).data)


class BundleApplicationListApi(APIView):
    """The citizen's bundle applications, and starting one (``{"bundle", "hall"}``; a draft is resumed: 200)."""

    permission_classes = [IsCitizen]

    @extend_schema(responses={200: BundleApplicationSerializer(many=True), 403: NOT_CITIZEN})
    def get(self, request):
        applications = bundle_applications_of(request.user).select_related("bundle", "hall", "applicant", "filed_by")[
            :50
        ]
        return Response(BundleApplicationSerializer(applications, many=True).data)

    @extend_schema(
        request=BundleStartSerializer,
        responses={
            200: BundleApplicationSerializer,
            201: BundleApplicationSerializer,
            400: _error("invalid, invalid_hall (several halls receive all its matters: choose one)."),
            **START_ERRORS,
        },
    )
    def post(self, request):
        serializer = BundleStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application, created = services.bundle_application_start(
            applicant=applicant_for(actor=request.user, principal_id=data.get("principal")),
            actor=request.user,
            bundle_code=data["bundle"],
            hall_id=data.get("hall"),
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


class BundleFilesApi(MultipartApiView):
    """Upload one file for one material of the merged checklist: it goes to every matter that needs it."""

    permission_classes = [IsCitizen]

    @extend_schema(
        request=UPLOAD_FORM,
        responses={
            201: ApplicationFileSerializer,
            400: _error("invalid: no file, or no material key; form_required: no multipart form at all."),
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
