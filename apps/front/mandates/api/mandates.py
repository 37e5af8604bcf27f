"""A person's mandates: the ones they gave and hold, and the acts done under them; giving a 委托书 for one matter
or one case, pending until the SMS code sent to the principal's phone comes back; its detail, the code sent
again, the revocation (for a company's mandates, by its legal representative)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from govservice.throttling import client_ip

from ..models import Mandate
from ..selectors import (
    acts_for_principal,
    companies_represented,
    mandate_get_for_principal,
    mandates_given,
    mandates_held,
)
from ..services import mandate_code_resend, mandate_confirm, mandate_grant, mandate_revoke
from .common import AgentNamedSerializer, CitizenApi, MandateEventSerializer, MandateSerializer, optional_text, valid


class MandateDetailSerializer(MandateSerializer):
    events = MandateEventSerializer(many=True)

    class Meta(MandateSerializer.Meta):
        fields = [*MandateSerializer.Meta.fields, "events"]


class MandateListSerializer(serializers.Serializer):
    """The person's mandates: those they gave, those they hold, and every act done under the ones they gave."""

    given = MandateSerializer(many=True)
    held = MandateSerializer(many=True)
    acts = MandateEventSerializer(many=True)


class MandateGrantSerializer(AgentNamedSerializer):
    matter_code = optional_text(64)
    case_number = optional_text(32)


class ConfirmSerializer(serializers.Serializer):
    code = serializers.RegexField(r"^\s*\d{6}\s*$", max_length=12)


class RevokeSerializer(serializers.Serializer):
    reason = optional_text(200)


class MandateListCreateApi(CitizenApi):
    """The mandates the signed-in person gave and holds; POST gives one (a 委托书 for one matter or one case),
    pending until the SMS code sent to the principal's phone comes back (…/confirm/)."""

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
        data = valid(MandateGrantSerializer, request.data)
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


class MandateDetailApi(CitizenApi):
    @extend_schema(responses=MandateDetailSerializer)
    def get(self, request, number):
        mandate = _managed(request.user, number)
        mandate = (
            Mandate.objects.select_related("principal", "agent", "case")
            .prefetch_related("events__actor")
            .get(pk=mandate.pk)
        )
        return Response(MandateDetailSerializer(mandate).data)


class MandateConfirmApi(CitizenApi):
    @extend_schema(request=ConfirmSerializer, responses=MandateSerializer)
    def post(self, request, number):
        data = valid(ConfirmSerializer, request.data)
        mandate_get_for_principal(principal=request.user, number=number)
        return Response(
            MandateSerializer(mandate_confirm(principal=request.user, number=number, code=data["code"].strip())).data
        )


class MandateResendApi(CitizenApi):
    @extend_schema(request=None, responses={202: MandateSerializer})
    def post(self, request, number):
        mandate_get_for_principal(principal=request.user, number=number)
        mandate = mandate_code_resend(principal=request.user, number=number, address=client_ip(request))
        return Response(MandateSerializer(mandate).data, status=status.HTTP_202_ACCEPTED)


class MandateRevokeApi(CitizenApi):
    """The principal (a company: its legal representative) revokes: effective at once."""

    @extend_schema(request=RevokeSerializer, responses=MandateSerializer)
    def post(self, request, number):
        data = valid(RevokeSerializer, request.data)
        _managed(request.user, number)
        return Response(MandateSerializer(mandate_revoke(by=request.user, number=number, reason=data["reason"])).data)
