"""What the online applications' API shares: the error body and what each operation refuses with, and
the serializers of one application and of its case's state."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from apps.front.intake.models import Case
from apps.shared.catalog.api import MatterFieldSerializer
from apps.shared.exchange.contract import DeliveryMethod
from govservice.api import status_for
from govservice.schema import ErrorSerializer

from .. import selectors
from ..models import ApplicationFile, OnlineApplication
from ..selectors import (
    ChecklistItem,
    checklist_for,
    form_fields_of,
)
from ..services import DECLARATION, FormInvalid

# --- Schema: the error body and what each operation refuses with ------------------------------------------


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_YOURS = _error("not_found: no such application, or not yours (another person's answers 404 too).")
NOT_CITIZEN = _error("A verified citizen only (an unverified account or another role).")
NOT_CLERK = _error("A hall clerk or supervisor only.")
# Starting an application for someone else (``principal``): the mandates' refusals, as at a window.
START_ERRORS = {
    403: _error(
        "A verified citizen only; acting for a principal: no_mandate, mandate_out_of_scope, mandate_revoked, "
        "mandate_expired, mandate_unconfirmed, mandate_not_yet_valid, agent_not_verified."
    ),
    404: _error("not_found: no such matter or bundle, or a principal who never authorised you."),
    422: _error(
        "not_online, matter_not_served, wrong_hall, agents_not_allowed, matter_not_for_companies, matter_not_for_persons."
    ),
}


def principal_field() -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Apply for someone else: the principal's id (GET /api/v1/acting/), within a mandate in force.",
    )


class PeopleMixin(serializers.Serializer):
    """Both people of an application: whose it is, and who filled it in for them (null: the applicant)."""

    applicant_name = serializers.CharField(source="applicant.real_name")
    agent = serializers.SerializerMethodField()

    def get_agent(self, application) -> str | None:
        if application.filed_by_id == application.applicant_id:
            return None
        return application.filed_by.real_name


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
        choices=[
            selectors.UPLOADED,
            selectors.FORM,
            selectors.HELD,
            selectors.PRODUCED,
            selectors.MISSING,
            selectors.OPTIONAL,
        ],
        help_text="uploaded; form (the online form is this material); held (government holds it: taken from the "
        "vault with the applicant's consent, no need to submit); produced (a 一件事 part: the step it waited for "
        "issues it, no need to submit); missing (required, nothing yet); optional.",
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
        """The one visit to have an original checked, booked for this case (最多跑一次); empty when none is needed."""
        return reverse("original_visit", args=[case.number]) if case.needs_original_visit else ""


class ApplicationSerializer(PeopleMixin, serializers.ModelSerializer):
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
            "applicant_name",
            "agent",
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
