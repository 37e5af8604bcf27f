from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsCitizen, IsClerk
from govservice.api import DomainError

from .models import Case, CaseEvent
from .selectors import case_get_for_citizen, case_get_for_staff, cases_for_citizen, cases_for_staff
from .services import Upload, case_accept


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

    class Meta:
        model = Case
        fields = [
            "number", "status", "sentence", "next_step", "matter", "matter_version", "hall",
            "received_at", "accepted_at", "promised_date", "decision", "decision_reason", "decided_at",
        ]


class CaseDetailSerializer(CaseSerializer):
    events = CaseEventSerializer(many=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events"]


class AcceptResultSerializer(serializers.Serializer):
    number = serializers.CharField()
    query_password = serializers.CharField()
    promised_date = serializers.DateField()
    status = serializers.CharField()


class CaseAcceptApi(APIView):
    """Multipart: files under ``material_<id>`` (a catalogue material) or ``extra``."""

    permission_classes = [IsClerk]
    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": {"type": "object", "additionalProperties": {"type": "string", "format": "binary"}}}, responses={201: AcceptResultSerializer})
    def post(self, request, ticket_id):
        uploads = []
        for field, files in request.FILES.lists():
            if field.startswith("material_") and field[9:].isdigit():
                material_id = int(field[9:])
            elif field == "extra":
                material_id = None
            else:
                raise DomainError(f"未知的文件字段 {field}。 Unknown file field.", code="invalid", status_code=400)
            uploads.extend(Upload(material_id, f) for f in files)
        case, password = case_accept(clerk=request.user, ticket_id=ticket_id, uploads=uploads)
        data = {"number": case.number, "query_password": password, "promised_date": case.promised_date, "status": case.status}
        return Response(AcceptResultSerializer(data).data, status=status.HTTP_201_CREATED)


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
