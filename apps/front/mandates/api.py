"""The API of legal persons and the people acting for others (DOMAIN.md §9): a company registered by its legal
representative, its 经办人; a person's 委托书, confirmed by SMS code, revoked at any time; what an agent may act
on, and the acts; the window's check of the person acting and the paper letter it scans."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.front.booking.models import Appointment, GreenCategory
from apps.front.booking.selectors import MAX_ID
from apps.front.intake.models import Case
from apps.shared.accounts.permissions import IsCitizen, IsClerk
from govservice.api import MultipartApiView
from govservice.throttling import BookingThrottle, client_ip

from .models import Company, Mandate, MandateEvent
from .selectors import (
    Principal,
    acts_for_principal,
    appointments_for_agent,
    case_get_for_agent,
    cases_for_agent,
    companies_represented,
    company_get_for_representative,
    mandate_get_for_principal,
    mandates_given,
    mandates_held,
    principal_for_agent,
    principals_for_agent,
)
from .services import (
    agent_book,
    agent_cancel,
    company_agent_grant,
    company_register,
    mandate_code_resend,
    mandate_confirm,
    mandate_grant,
    mandate_record_paper,
    mandate_revoke,
    window_check,
)

# --- Shapes ------------------------------------------------------------------------------------------------


class MandateEventSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display")
    actor = serializers.SerializerMethodField()

    class Meta:
        model = MandateEvent
        fields = ["kind", "kind_display", "actor", "reference", "note", "at"]

    def get_actor(self, event) -> str:
        return event.actor.display_name if event.actor is not None else ""


class MandateSerializer(serializers.ModelSerializer):
    principal = serializers.CharField(source="principal.real_name")
    agent = serializers.CharField(source="agent.real_name")
    agent_masked_id = serializers.CharField(source="agent.masked_id")
    case = serializers.CharField(source="case.number", allow_null=True, default=None)
    status_display = serializers.CharField(source="get_status_display")
    in_force = serializers.SerializerMethodField()
    letter_url = serializers.SerializerMethodField()

    class Meta:
        model = Mandate
        fields = [
            "number",
            "kind",
            "principal",
            "agent",
            "agent_masked_id",
            "all_matters",
            "matter_codes",
            "case",
            "may_apply",
            "may_collect",
            "valid_from",
            "valid_until",
            "form",
            "status",
            "status_display",
            "in_force",
            "confirmed_at",
            "revoked_at",
            "revoke_reason",
            "created_at",
            "letter_url",
        ]

    def get_in_force(self, mandate) -> bool:
        from django.utils import timezone

        return mandate.in_force(timezone.localdate())

    def get_letter_url(self, mandate) -> str:
        return reverse("mandates:letter", args=[mandate.number]) if mandate.letter else ""


class MandateDetailSerializer(MandateSerializer):
    events = MandateEventSerializer(many=True)

    class Meta(MandateSerializer.Meta):
        fields = [*MandateSerializer.Meta.fields, "events"]


class CompanySerializer(serializers.ModelSerializer):
    representative = serializers.CharField(source="representative.real_name")

    class Meta:
        model = Company
        fields = ["credit_code", "name", "representative", "verified_at", "verified_via"]


class ActingCaseSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.name")
    matter_code = serializers.CharField(source="matter.code")
    hall = serializers.CharField(source="hall.name")
    status_display = serializers.CharField(source="get_status_display")
    sentence = serializers.CharField()
    next_step = serializers.CharField()
    agent = serializers.CharField(source="agent.real_name", allow_null=True, default=None)

    class Meta:
        model = Case
        fields = [
            "number",
            "matter",
            "matter_code",
            "hall",
            "status",
            "status_display",
            "sentence",
            "next_step",
            "received_at",
            "promised_date",
            "agent",
        ]


class ActingAppointmentSerializer(serializers.ModelSerializer):
    matter = serializers.CharField(source="matter.name")
    hall = serializers.CharField(source="hall.name")
    start = serializers.DateTimeField(source="slot.start")
    agent = serializers.CharField(source="agent.real_name", allow_null=True, default=None)

    class Meta:
        model = Appointment
        fields = ["code", "status", "matter", "matter_code", "hall", "start", "agent", "created_at"]


class MandateListSerializer(serializers.Serializer):
    """The person's mandates: those they gave, those they hold, and every act done under the ones they gave."""

    given = MandateSerializer(many=True)
    held = MandateSerializer(many=True)
    acts = MandateEventSerializer(many=True)


class PrincipalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="account.pk")
    kind = serializers.CharField(source="account.applicant_kind")
    name = serializers.CharField()
    credit_code = serializers.CharField(source="company.credit_code", allow_null=True, default=None)
    as_representative = serializers.BooleanField(source="is_representative")
    mandates = MandateSerializer(many=True)


# --- Input -------------------------------------------------------------------------------------------------


class CompanyRegisterSerializer(serializers.Serializer):
    credit_code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    consent = serializers.BooleanField(default=False)


class AgentNamedSerializer(serializers.Serializer):
    agent_id_number = serializers.CharField(max_length=32)
    agent_name = serializers.CharField(max_length=64)
    may_apply = serializers.BooleanField(default=True)
    may_collect = serializers.BooleanField(default=True)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)


class CompanyAgentSerializer(AgentNamedSerializer):
    all_matters = serializers.BooleanField(default=False)
    matter_codes = serializers.ListField(child=serializers.CharField(max_length=64), max_length=100, default=list)


class MandateGrantSerializer(AgentNamedSerializer):
    matter_code = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    case_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class ConfirmSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^\s*\d{6}\s*$", max_length=12)


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AgentBookSerializer(serializers.Serializer):
    slot = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    matter = serializers.CharField(max_length=64)
    green_category = serializers.ChoiceField(
        choices=GreenCategory.choices, required=False, allow_blank=True, default=""
    )


class WindowCheckSerializer(serializers.Serializer):
    person_id_number = serializers.CharField(max_length=32)
    principal_id_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class WindowCheckResultSerializer(serializers.Serializer):
    ticket = serializers.CharField(source="ticket.label")
    applicant = serializers.CharField(source="ticket.citizen.real_name")
    applicant_kind = serializers.CharField(source="ticket.citizen.applicant_kind")
    agent = serializers.CharField(source="ticket.agent.real_name", allow_null=True, default=None)
    as_representative = serializers.SerializerMethodField()
    mandate = serializers.CharField(source="authority.mandate.number", allow_null=True, default=None)

    def get_as_representative(self, check) -> bool:
        return check.authority is not None and check.authority.as_representative


class PaperMandateSerializer(serializers.Serializer):
    principal_id_number = serializers.CharField(max_length=32)
    agent_id_number = serializers.CharField(max_length=32)
    matter_code = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    case_number = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    may_apply = serializers.BooleanField(default=True)
    may_collect = serializers.BooleanField(default=True)
    valid_until = serializers.DateField(required=False, allow_null=True, default=None)
    scan = serializers.FileField()


def _valid(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Companies -------------------------------------------------------------------------------------------


class CompanyListCreateApi(APIView):
    """The companies the signed-in person represents; POST opens one's account (checked against the register)."""

    permission_classes = [IsCitizen]

    @extend_schema(responses=CompanySerializer(many=True))
    def get(self, request):
        return Response(CompanySerializer(companies_represented(user=request.user), many=True).data)

    @extend_schema(request=CompanyRegisterSerializer, responses={201: CompanySerializer})
    def post(self, request):
        data = _valid(CompanyRegisterSerializer, request.data)
        company = company_register(
            representative=request.user, credit_code=data["credit_code"], name=data["name"], consent=data["consent"]
        )
        return Response(CompanySerializer(company).data, status=status.HTTP_201_CREATED)


class CompanyAgentsApi(APIView):
    """The company's 经办人 (its legal representative only); POST authorises one for all or some matters."""

    permission_classes = [IsCitizen]

    @extend_schema(responses=MandateSerializer(many=True))
    def get(self, request, credit_code):
        company = company_get_for_representative(user=request.user, credit_code=credit_code)
        return Response(MandateSerializer(mandates_given(principal=company.account), many=True).data)

    @extend_schema(request=CompanyAgentSerializer, responses={201: MandateSerializer})
    def post(self, request, credit_code):
        company = company_get_for_representative(user=request.user, credit_code=credit_code)
        data = _valid(CompanyAgentSerializer, request.data)
        mandate = company_agent_grant(representative=request.user, company=company, **data)
        return Response(MandateSerializer(mandate).data, status=status.HTTP_201_CREATED)


class CompanyCasesApi(APIView):
    """Every case of the company, for its legal representative (agents: /acting/<id>/cases/)."""

    permission_classes = [IsCitizen]

    @extend_schema(responses=ActingCaseSerializer(many=True))
    def get(self, request, credit_code):
        company = company_get_for_representative(user=request.user, credit_code=credit_code)
        principal = Principal(account=company.account, company=company, mandates=())
        return Response(ActingCaseSerializer(cases_for_agent(agent=request.user, principal=principal), many=True).data)


# --- A person's mandates ---------------------------------------------------------------------------------


class MandateListCreateApi(APIView):
    """The mandates the signed-in person gave and holds; POST gives one (a 委托书 for one matter or one case),
    pending until the SMS code sent to the principal's phone comes back (…/confirm/)."""

    permission_classes = [IsCitizen]

    @extend_schema(operation_id="v1_mandates_list", responses=MandateListSerializer)
    def get(self, request):
        listed = {
            "given": mandates_given(principal=request.user),
            "held": mandates_held(agent=request.user),
            "acts": acts_for_principal(principal=request.user),
        }
        return Response(MandateListSerializer(listed).data)

    @extend_schema(request=MandateGrantSerializer, responses={201: MandateSerializer})
    def post(self, request):
        data = _valid(MandateGrantSerializer, request.data)
        mandate = mandate_grant(principal=request.user, address=client_ip(request), **data)
        return Response(MandateSerializer(mandate).data, status=status.HTTP_201_CREATED)


def _managed(user, number: str) -> Mandate:
    """A mandate the person gave, or one of a company they represent; 404 for anyone else's."""
    mandate = Mandate.objects.select_related("principal").filter(number=number).first()
    if mandate is not None and mandate.principal_id != user.pk:
        represented = {c.account_id for c in companies_represented(user=user)}
        if mandate.principal_id not in represented:
            mandate = None
    if mandate is None:
        raise Http404
    return mandate


class MandateDetailApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(responses=MandateDetailSerializer)
    def get(self, request, number):
        mandate = _managed(request.user, number)
        mandate = (
            Mandate.objects.select_related("principal", "agent", "case")
            .prefetch_related("events__actor")
            .get(pk=mandate.pk)
        )
        return Response(MandateDetailSerializer(mandate).data)


class MandateConfirmApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(request=ConfirmSerializer, responses=MandateSerializer)
    def post(self, request, number):
        data = _valid(ConfirmSerializer, request.data)
        mandate_get_for_principal(principal=request.user, number=number)
        return Response(
            MandateSerializer(mandate_confirm(principal=request.user, number=number, code=data["code"].strip())).data
        )


class MandateResendApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(request=None, responses={202: MandateSerializer})
    def post(self, request, number):
        mandate_get_for_principal(principal=request.user, number=number)
        mandate = mandate_code_resend(principal=request.user, number=number, address=client_ip(request))
        return Response(MandateSerializer(mandate).data, status=status.HTTP_202_ACCEPTED)


class MandateRevokeApi(APIView):
    """The principal (a company: its legal representative) revokes: effective at once."""

    permission_classes = [IsCitizen]

    @extend_schema(request=RevokeSerializer, responses=MandateSerializer)
    def post(self, request, number):
        data = _valid(RevokeSerializer, request.data)
        _managed(request.user, number)
        return Response(MandateSerializer(mandate_revoke(by=request.user, number=number, reason=data["reason"])).data)


# --- Acting for others -----------------------------------------------------------------------------------


class ActingListApi(APIView):
    """Whom the signed-in person may act for now, and how (a revoked or expired mandate is not listed)."""

    permission_classes = [IsCitizen]

    @extend_schema(responses=PrincipalSerializer(many=True))
    def get(self, request):
        return Response(PrincipalSerializer(principals_for_agent(agent=request.user), many=True).data)


class ActingCasesApi(APIView):
    """The principal's cases within the agent's scope (never the principal's other cases)."""

    permission_classes = [IsCitizen]

    @extend_schema(responses=ActingCaseSerializer(many=True))
    def get(self, request, principal_id):
        principal = principal_for_agent(agent=request.user, principal_id=principal_id)
        return Response(ActingCaseSerializer(cases_for_agent(agent=request.user, principal=principal), many=True).data)


class ActingCaseDetailApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(responses=ActingCaseSerializer)
    def get(self, request, principal_id, number):
        principal = principal_for_agent(agent=request.user, principal_id=principal_id)
        return Response(
            ActingCaseSerializer(case_get_for_agent(agent=request.user, principal=principal, number=number)).data
        )


class ActingAppointmentsApi(APIView):
    """The principal's appointments the agent may see; POST books one for the principal."""

    permission_classes = [IsCitizen]

    def get_throttles(self):
        return [BookingThrottle()] if self.request.method == "POST" else []

    @extend_schema(responses=ActingAppointmentSerializer(many=True))
    def get(self, request, principal_id):
        principal = principal_for_agent(agent=request.user, principal_id=principal_id)
        return Response(
            ActingAppointmentSerializer(appointments_for_agent(agent=request.user, principal=principal), many=True).data
        )

    @extend_schema(
        request=AgentBookSerializer,
        responses={201: ActingAppointmentSerializer},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def post(self, request, principal_id):
        principal = principal_for_agent(agent=request.user, principal_id=principal_id)
        data = _valid(AgentBookSerializer, request.data)
        appointment = agent_book(
            agent=request.user,
            principal=principal,
            slot_id=data["slot"],
            matter_code=data["matter"],
            idempotency_key=request.headers.get("Idempotency-Key", "")[:64],
            green_category=data["green_category"],
        )
        return Response(ActingAppointmentSerializer(appointment).data, status=status.HTTP_201_CREATED)


class ActingAppointmentCancelApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(request=None, responses=ActingAppointmentSerializer)
    def post(self, request, principal_id, code):
        principal = principal_for_agent(agent=request.user, principal_id=principal_id)
        return Response(
            ActingAppointmentSerializer(agent_cancel(agent=request.user, principal=principal, code=code)).data
        )


# --- The window ----------------------------------------------------------------------------------------------


class WindowCheckApi(APIView):
    """The clerk checks the person at the window for the called ticket: the applicant in person, a company's
    legal representative, or an agent within a mandate in force; the ticket then names both."""

    permission_classes = [IsClerk]

    @extend_schema(request=WindowCheckSerializer, responses=WindowCheckResultSerializer)
    def post(self, request, ticket_id):
        data = _valid(WindowCheckSerializer, request.data)
        check = window_check(clerk=request.user, ticket_id=ticket_id, **data)
        return Response(WindowCheckResultSerializer(check).data)


class PaperMandateApi(MultipartApiView):
    """A signed paper 委托书 scanned at the window: recorded in force at once."""

    permission_classes = [IsClerk]

    @extend_schema(request={"multipart/form-data": PaperMandateSerializer}, responses={201: MandateSerializer})
    def post(self, request):
        data = _valid(PaperMandateSerializer, request.data)
        mandate = mandate_record_paper(clerk=request.user, **data)
        return Response(MandateSerializer(mandate).data, status=status.HTTP_201_CREATED)
