from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.permissions import IsCitizen

from .models import Evaluation
from .services import evaluation_submit


class EvaluationSerializer(serializers.ModelSerializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)

    class Meta:
        model = Evaluation
        fields = ["score", "comment", "created_at"]
        read_only_fields = ["created_at"]


class EvaluationCreateApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(request=EvaluationSerializer, responses={201: EvaluationSerializer})
    def post(self, request, number):
        serializer = EvaluationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation = evaluation_submit(citizen=request.user, case_number=number, **serializer.validated_data)
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)
