from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny

from .models import Material, Matter
from .selectors import matter_get, matters_search


class MaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = Material
        fields = ["id", "name", "form", "originals", "copies", "required", "source", "issuer", "notes"]


class MatterListSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name")

    class Meta:
        model = Matter
        fields = ["code", "version", "name", "department", "case_kind", "promised_days", "bookable", "online_depth", "trips"]


class MatterSerializer(MatterListSerializer):
    materials = MaterialSerializer(many=True)

    class Meta(MatterListSerializer.Meta):
        fields = [
            *MatterListSerializer.Meta.fields,
            "legal_days",
            "matter_type",
            "target",
            "remote_ok",
            "charged",
            "fee_description",
            "result_name",
            "e_licence",
            "description",
            "materials",
        ]


class MatterListApi(ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = MatterListSerializer

    def get_queryset(self):
        return matters_search(q=self.request.query_params.get("q", "").strip(), department=self.request.query_params.get("department", ""))

    @extend_schema(parameters=[OpenApiParameter("q", str), OpenApiParameter("department", str)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MatterDetailApi(RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = MatterSerializer

    def get_object(self):
        return matter_get(code=self.kwargs["code"])
