"""一件事一次办 by one booked hall visit: the citizen books it; the window reads the bundle's merged form and
checklist on the ticket of that visit and accepts it (one case per matter, linked as the bundle)."""

from __future__ import annotations

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsCitizen, IsClerk
from apps.shared.catalog.api import MatterFieldSerializer
from govservice.api import MultipartApiView

from ..selectors import applicant_for
from ..services.bundle_visits import (
    ACCEPT,
    NOTICE,
    REFUSE,
    PartOutcome,
    bundle_visit_book,
    bundle_visit_decide,
    bundle_visit_sheet,
)
from ..services.drafts import FormInvalid
from .bundles import BundleChecklistItemSerializer, BundleStatusSerializer, _bundle_body
from .common import NOT_CLERK, START_ERRORS, _error, _form_invalid, principal_field

MAX_ID = 2**63 - 1


class BundleVisitSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A slot of the bundle's lead matter.")
    principal = principal_field()


class BundleVisitApi(APIView):
    """Book ONE hall visit for a bundle (``Bundle.hall_visit``): a slot of its lead matter (its first item) at a
    hall that receives every matter; the bundle's draft goes with the appointment to the window."""

    permission_classes = [IsCitizen]

    @extend_schema(
        request=BundleVisitSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        responses={
            201: inline_serializer(
                "BundleVisitBooked", {"code": serializers.CharField(), "appointment": serializers.CharField()}
            ),
            400: _error("invalid: no slot, or not a number."),
            **START_ERRORS,
            404: _error("not_found: no such bundle or slot."),
            409: _error("slot_full, duplicate, limit_reached … (the booking's refusals)."),
            422: _error(
                "no_visit (not offered by a hall visit), matter_not_served (the hall lacks a matter), wrong_group."
            ),
        },
    )
    def post(self, request, code):
        serializer = BundleVisitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = bundle_visit_book(
            applicant=applicant_for(actor=request.user, principal_id=data.get("principal")),
            actor=request.user,
            bundle_code=code,
            slot_id=data["slot"],
            idempotency_key=request.headers.get("Idempotency-Key", "")[:64],
        )
        assert application.appointment is not None
        body = {**_bundle_body(request, application.code), "appointment": application.appointment.code}
        return Response(body, status=status.HTTP_201_CREATED)


class BundleTicketSerializer(serializers.Serializer):
    code = serializers.CharField(source="application.code")
    bundle = serializers.CharField(source="application.bundle.code")
    bundle_name = serializers.CharField(source="application.bundle.name")
    applicant_name = serializers.CharField(source="application.applicant.real_name")
    submitted_at = serializers.DateTimeField(source="application.submitted_at", allow_null=True)
    matters = serializers.SerializerMethodField()
    form = MatterFieldSerializer(many=True)
    form_values = serializers.JSONField(source="application.form_values")
    checklist = BundleChecklistItemSerializer(many=True)
    status = BundleStatusSerializer(help_text="The bundle's one status with each part, once answered at the window.")

    def get_matters(self, sheet) -> list[str]:
        return [m.name for m in sheet["matters"]]


class BundleTicketApi(APIView):
    """The window's view of a bundle's ticket: the merged form and the merged checklist (each material once, with
    the matters needing it)."""

    permission_classes = [IsClerk]

    @extend_schema(responses={200: BundleTicketSerializer, 403: NOT_CLERK, 404: _error("not_found")})
    def get(self, request, ticket_id):
        return Response(BundleTicketSerializer(bundle_visit_sheet(clerk=request.user, ticket_id=ticket_id)).data)


class BundleTicketAcceptApi(MultipartApiView):
    """Accept the bundle at the window: ``form_values`` (a JSON object, the merged form's answers), one file per
    material key as ``material_<key>``, ``vault_consent``. One case per matter, linked as the bundle, accepted and
    handed to central; a dependent part waits. A second click answers the first result (200)."""

    permission_classes = [IsClerk]

    @extend_schema(
        request=inline_serializer(
            "BundleTicketAccept",
            {
                "form_values": serializers.CharField(required=False),
                "vault_consent": serializers.BooleanField(required=False),
            },
        ),
        responses={
            200: BundleTicketSerializer,
            201: BundleTicketSerializer,
            400: _error("form_invalid, consent_required."),
            403: NOT_CLERK,
            404: _error("not_found: not a bundle's ticket."),
            409: _error("invalid_state: not called."),
            422: _error("form_incomplete, materials_missing, wrong_material, file_type …"),
        },
    )
    def post(self, request, ticket_id):
        return _answer(request, ticket_id, PartOutcome(), {})


def _json(request, name: str, default: str, *, wrong: str):
    raw = request.data.get(name) or default
    try:
        return json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise serializers.ValidationError({name: wrong}) from None


def _answer(request, ticket_id: int, whole: PartOutcome, parts: dict[str, PartOutcome]) -> Response:
    """What the acceptance and the outcomes share: the answers, the scans and the consent read from the multipart
    body, the service called, the bundle's sheet answered (201 now, 200 for a second click)."""
    form_values = _json(request, "form_values", "{}", wrong=_("申请表应为“字段标识: 填写内容”的对象。"))
    uploads = [
        (name.removeprefix("material_")[:64], upload)
        for name, files in request.FILES.lists()
        if name.startswith("material_")
        for upload in files
    ]
    consent = str(request.data.get("vault_consent", "")).lower() in ("1", "true", "on", "yes")
    try:
        _application, created = bundle_visit_decide(
            clerk=request.user,
            ticket_id=ticket_id,
            whole=whole,
            parts=parts,
            form_values=form_values,
            uploads=uploads,
            vault_consent=consent,
        )
    except FormInvalid as exc:
        return _form_invalid(exc)
    sheet = bundle_visit_sheet(clerk=request.user, ticket_id=ticket_id)
    return Response(
        BundleTicketSerializer(sheet).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
    )


class PartOutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[ACCEPT, NOTICE, REFUSE], help_text="accept, notice (一次性告知) or refuse (不予受理)."
    )
    items = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        max_length=50,
        help_text="notice: every missing or defective item, at once.",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="refuse: the reason.")
    refer_to = serializers.CharField(required=False, allow_blank=True, help_text="refuse: where to apply instead.")

    def outcome_of(self) -> PartOutcome:
        data = self.validated_data
        return PartOutcome(
            kind=data["outcome"],
            items=tuple(data.get("items", ())),
            reason=data.get("reason", ""),
            refer_to=data.get("refer_to", ""),
        )


def _outcome(data, *, field: str) -> PartOutcome:
    serializer = PartOutcomeSerializer(data=data)
    if not serializer.is_valid():
        raise serializers.ValidationError({field: serializer.errors})
    return serializer.outcome_of()


class BundleTicketOutcomeApi(MultipartApiView):
    """Answer the bundle's visit as a window answers one matter, for the whole visit or part by part: ``outcome``
    (accept, notice, refuse) with ``items`` (a JSON list: every missing item at once), ``reason`` and ``refer_to``
    for the whole visit; ``parts`` (a JSON object, by matter code, each ``{"outcome", "items", "reason",
    "refer_to"}``) for parts answered otherwise. Every part handed in now is received as its own case, linked as the
    bundle: accepted and handed to central, held with a one-time notice (continued at a window when the applicant
    comes back), or refused with its notice (parts waiting for it dropped, saying why). ``form_values``,
    ``material_<key>`` files and ``vault_consent`` as for the acceptance. A second click answers the first result."""

    permission_classes = [IsClerk]

    @extend_schema(
        request=inline_serializer(
            "BundleTicketOutcome",
            {
                "outcome": serializers.ChoiceField(choices=[ACCEPT, NOTICE, REFUSE]),
                "items": serializers.CharField(required=False, help_text="A JSON list of strings."),
                "reason": serializers.CharField(required=False),
                "refer_to": serializers.CharField(required=False),
                "parts": serializers.CharField(required=False, help_text="A JSON object: matter code → outcome."),
                "form_values": serializers.CharField(required=False),
                "vault_consent": serializers.BooleanField(required=False),
            },
        ),
        responses={
            200: BundleTicketSerializer,
            201: BundleTicketSerializer,
            400: _error("invalid (outcome, items, parts), form_invalid, consent_required."),
            403: NOT_CLERK,
            404: _error("not_found: not a bundle's ticket."),
            409: _error("invalid_state: not called; notice_outstanding, intake_limit_passed."),
            422: _error(
                "items_required, reason_required, refer_to_too_long, wrong_matter, part_waits, form_incomplete, "
                "materials_missing, wrong_material, file_type …"
            ),
        },
    )
    def post(self, request, ticket_id):
        items = _json(request, "items", "[]", wrong=_("需补正事项应为列表。"))
        whole = _outcome(
            {
                "outcome": request.data.get("outcome", ""),
                "items": items,
                "reason": request.data.get("reason", ""),
                "refer_to": request.data.get("refer_to", ""),
            },
            field="outcome",
        )
        raw_parts = _json(request, "parts", "{}", wrong=_("分事项处理应为“事项编码: 处理结果”的对象。"))
        if not isinstance(raw_parts, dict) or len(raw_parts) > 50:
            raise serializers.ValidationError({"parts": _("分事项处理应为“事项编码: 处理结果”的对象。")})
        parts = {str(code)[:64]: _outcome(data, field=f"parts.{code}") for code, data in raw_parts.items()}
        return _answer(request, ticket_id, whole, parts)
