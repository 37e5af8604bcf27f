"""A company's account, opened by its legal representative against the register of companies; the 经办人 the
representative authorises; the company's cases, for the representative."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from ..models import Company
from ..selectors import (
    Principal,
    cases_for_agent,
    companies_represented,
    company_get_for_representative,
    mandates_given,
)
from ..services import company_agent_grant, company_register
from .common import ActingCaseSerializer, AgentNamedSerializer, CitizenApi, MandateSerializer, valid


class CompanySerializer(serializers.ModelSerializer):
    representative = serializers.CharField(source="representative.real_name")

    class Meta:
        model = Company
        fields = ["credit_code", "name", "representative", "verified_at", "verified_via"]


class CompanyRegisterSerializer(serializers.Serializer):
    credit_code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    consent = serializers.BooleanField(default=False)


class CompanyAgentSerializer(AgentNamedSerializer):
    all_matters = serializers.BooleanField(default=False)
    matter_codes = serializers.ListField(child=serializers.CharField(max_length=64), max_length=100, default=list)


def _represented(request, credit_code: str) -> Company:
    """A company the signed-in person is the legal representative of; 404 for any other."""
    return company_get_for_representative(user=request.user, credit_code=credit_code)


class CompanyListCreateApi(CitizenApi):
    """The companies the signed-in person represents; POST opens one's account (checked against the register)."""

    @extend_schema(responses=CompanySerializer(many=True))
    def get(self, request):
        return Response(CompanySerializer(companies_represented(user=request.user), many=True).data)

    @extend_schema(request=CompanyRegisterSerializer, responses={201: CompanySerializer})
    def post(self, request):
        data = valid(CompanyRegisterSerializer, request.data)
        company = company_register(
            representative=request.user, credit_code=data["credit_code"], name=data["name"], consent=data["consent"]
        )
        return Response(CompanySerializer(company).data, status=status.HTTP_201_CREATED)


class CompanyAgentsApi(CitizenApi):
    """The company's 经办人 (its legal representative only); POST authorises one for all or some matters."""

    @extend_schema(responses=MandateSerializer(many=True))
    def get(self, request, credit_code):
        company = _represented(request, credit_code)
        return Response(MandateSerializer(mandates_given(principal=company.account), many=True).data)

    @extend_schema(request=CompanyAgentSerializer, responses={201: MandateSerializer})
    def post(self, request, credit_code):
        company = _represented(request, credit_code)
        data = valid(CompanyAgentSerializer, request.data)
        mandate = company_agent_grant(representative=request.user, company=company, **data)
        return Response(MandateSerializer(mandate).data, status=status.HTTP_201_CREATED)


class CompanyCasesApi(CitizenApi):
    """Every case of the company, for its legal representative (agents: /acting/<id>/cases/)."""

    @extend_schema(responses=ActingCaseSerializer(many=True))
    def get(self, request, credit_code):
        company = _represented(request, credit_code)
        principal = Principal(account=company.account, company=company, mandates=())
        return Response(ActingCaseSerializer(cases_for_agent(agent=request.user, principal=principal), many=True).data)
