"""The citizen's online application: the draft, its uploads, its submission and where it stands."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsCitizen
from apps.shared.privacy.models import Channel
from govservice.api import MultipartApiView

from .. import selectors, services
from ..responses import material_response
from ..selectors import (
    applicant_for,
    application_get_for_user,
    applications_for_user,
)
from ..services import FormInvalid
from .common import (
    EDIT_ERRORS,
    NOT_CITIZEN,
    NOT_YOURS,
    START_ERRORS,
    ApplicationDetailSerializer,
    ApplicationFileSerializer,
    ApplicationSerializer,
    DeliverySerializer,
    _error,
    _form_invalid,
    principal_field,
)

# --- The citizen ------------------------------------------------------------------------------------------


class StartSerializer(serializers.Serializer):
    matter = serializers.CharField(max_length=64, help_text="The matter's implementation code.")
    hall = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Required when several halls receive the matter."
    )
    principal = principal_field()


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
            **START_ERRORS,
        },
    )
    def post(self, request):
        serializer = StartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application, created = services.application_start(
            applicant=applicant_for(actor=request.user, principal_id=data.get("principal")),
            actor=request.user,
            matter_code=data["matter"],
            hall_id=data.get("hall"),
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


class ApplicationFilesApi(MultipartApiView):
    """Upload one file (PDF, JPEG or PNG, sniffed; the size limit of the window's scans) for one material."""

    permission_classes = [IsCitizen]

    @extend_schema(
        request=UPLOAD_FORM,
        responses={
            201: ApplicationFileSerializer,
            400: _error("invalid: no file, or no material key; form_required: no multipart form at all."),
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
            409: _error(
                "invalid_state: already submitted and not waiting on a one-time notice; calendar_unknown: the working-day "
                "calendar the intake limit needs is not published yet."
            ),
            422: _error(
                "declaration_required, form_incomplete (every unanswered required field, errors by key), materials_missing (every missing material named)."
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
