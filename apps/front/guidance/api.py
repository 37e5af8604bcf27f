"""API of guidance: a matter's guided questions, answering them into a saved checklist, reading it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shared.accounts.permissions import IsCitizen
from govservice.api import DomainError
from govservice.parsers import JSONParser
from govservice.throttling import client_ip

from .selectors import (
    NOT_NEEDED,
    checklist_get,
    checklists_for_citizen,
    current_matter,
    matter_checklist,
    questions_for_matter,
    vault_marks,
    with_marks,
)
from .services import checklist_save


class QuestionSerializer(serializers.Serializer):
    key = serializers.CharField()
    text = serializers.CharField()
    help_text = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.help_text
    kind = serializers.CharField()
    options = serializers.SerializerMethodField()

    def get_options(self, question) -> list[dict[str, str]]:
        return [{"value": v, "label": label} for v, label in question.option_list()]


class VaultSerializer(serializers.Serializer):
    held = serializers.BooleanField()
    level = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label


class ItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    form = serializers.CharField()
    originals = serializers.IntegerField()
    copies = serializers.IntegerField()
    issuer = serializers.CharField(allow_blank=True)
    source = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.source
    notes = serializers.CharField(allow_blank=True)
    status = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    vault = VaultSerializer(allow_null=True, required=False)


class ChecklistSerializer(serializers.Serializer):
    code = serializers.CharField()
    matter_code = serializers.CharField(source="matter.code")
    matter = serializers.CharField(source="matter.name")
    matter_version = serializers.IntegerField(source="matter.version")
    answers = serializers.DictField(child=serializers.CharField())
    items = serializers.SerializerMethodField()
    excluded = serializers.SerializerMethodField()
    appointment = serializers.CharField(source="appointment.code", allow_null=True, default=None)
    created_at = serializers.DateTimeField()

    def get_items(self, checklist) -> list[dict[str, Any]]:
        marks = self.context.get("marks", {})
        items = with_marks([i for i in checklist.items if i["status"] != NOT_NEEDED], marks)
        return list(ItemSerializer(items, many=True).data)

    def get_excluded(self, checklist) -> list[dict[str, Any]]:
        return list(
            ItemSerializer([{**i, "vault": None} for i in checklist.items if i["status"] == NOT_NEEDED], many=True).data
        )


class MatterGuideSerializer(serializers.Serializer):
    matter_code = serializers.CharField()
    matter = serializers.CharField()
    version = serializers.IntegerField()
    items = ItemSerializer(many=True)
    questions = QuestionSerializer(many=True)


class AnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(help_text="{问题标识: 回答}，是/否问题回答 yes 或 no")


class MatterGuideApi(APIView):
    """The matter's one-time checklist and its guided questions; for a logged-in citizen, items the
    government already holds are marked ``vault.held``."""

    permission_classes = [AllowAny]

    @extend_schema(responses=MatterGuideSerializer)
    def get(self, request, code):
        matter = current_matter(code)
        marks = vault_marks(user=request.user, matter=matter)
        return Response(
            {
                "matter_code": matter.code,
                "matter": matter.name,
                "version": matter.version,
                "items": ItemSerializer(with_marks(matter_checklist(matter).items, marks), many=True).data,
                "questions": QuestionSerializer(questions_for_matter(matter.code), many=True).data,
            }
        )


class ChecklistCreateApi(APIView):
    """Answer the questions; the checklist is saved (a citizen's in their account, otherwise under a
    shareable code). Answers not an object: 400; unknown questions, missing or invalid answers: 422 (the
    matter's questions, GET /api/v1/guidance/matters/<code>/), with a message in the reader's language."""

    permission_classes = [AllowAny]
    # The answers are an object: JSON only (a form would carry them as text).
    parser_classes = [JSONParser]

    @extend_schema(request=AnswersSerializer, responses={201: ChecklistSerializer})
    def post(self, request, code):
        answers = request.data.get("answers") if hasattr(request.data, "get") else None
        if not isinstance(answers, dict):
            raise DomainError(_("请以 {问题标识: 回答} 的形式提交回答。"), code="answers_invalid")
        checklist = checklist_save(matter_code=code, raw_answers=answers, user=request.user, ip=client_ip(request))
        marks = vault_marks(user=request.user, matter=checklist.matter) if checklist.citizen_id else {}
        return Response(ChecklistSerializer(checklist, context={"marks": marks}).data, status=status.HTTP_201_CREATED)


class ChecklistDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ChecklistSerializer)
    def get(self, request, code):
        checklist = checklist_get(code=code, user=request.user)
        marks = vault_marks(user=request.user, matter=checklist.matter) if checklist.citizen_id else {}
        return Response(ChecklistSerializer(checklist, context={"marks": marks}).data)


class MyChecklistsApi(APIView):
    permission_classes = [IsCitizen]

    @extend_schema(responses=ChecklistSerializer(many=True))
    def get(self, request):
        return Response(ChecklistSerializer(checklists_for_citizen(citizen=request.user)[:100], many=True).data)
