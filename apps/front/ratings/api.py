"""好差评 API: rate a case, rate by SMS link, rate a fix; the unit's rectification actions; the overview."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.front.floor.api import IsTerminal, TerminalAuthentication
from apps.shared.accounts.models import Role
from apps.shared.accounts.permissions import HasRole, IsCitizen
from govservice.fields import BooleanField

from . import selectors, services
from .models import (
    TAGS,
    TAGS_BY_SCORE,
    CallbackOutcome,
    Evaluation,
    EvaluationChannel,
    Rectification,
    RectificationStatus,
    Score,
)
from .services.invitations import invitation_check
from .services.rectifications import rater_masked


class IsRatingsStaff(HasRole):
    roles = frozenset({Role.CLERK, Role.HALL_SUPERVISOR, Role.ADMIN})


class IsSupervisor(HasRole):
    roles = frozenset({Role.HALL_SUPERVISOR, Role.ADMIN})


class RatingInputSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    tags = serializers.ListField(child=serializers.CharField(max_length=32), required=False, default=list)


class EvaluationSerializer(serializers.ModelSerializer):
    tag_labels = serializers.ListField(child=serializers.CharField(), read_only=True)
    event = serializers.CharField(source="event_label", read_only=True)

    class Meta:
        model = Evaluation
        fields = ["kind", "event", "score", "comment", "tags", "tag_labels", "channel", "created_at"]
        read_only_fields = fields


class TagSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named label (the serializer metaclass pops it)


class LevelTagsSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The level's words (非常满意 … 非常不满意)")  # type: ignore[assignment]
    tags = TagSerializer(many=True)


# Keyed by score level, "1" (非常满意) to "5" (非常不满意).
TagsByLevelSerializer = type(
    "TagsByLevelSerializer", (serializers.Serializer,), {str(level): LevelTagsSerializer() for level in Score.values}
)


class TagsApi(APIView):
    """The fixed tag list of each level."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: TagsByLevelSerializer})
    def get(self, request):
        return Response(
            {
                str(level): {
                    "label": str(Score(level).label),
                    "tags": [{"code": t, "label": str(TAGS[t])} for t in tags],
                }
                for level, tags in TAGS_BY_SCORE.items()
            }
        )


class EvaluationCreateApi(APIView):
    """一事一评: the applicant rates a decided case, once."""

    permission_classes = [IsCitizen]

    @extend_schema(request=RatingInputSerializer, responses={201: EvaluationSerializer})
    def post(self, request, number):
        serializer = RatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation = services.evaluation_submit(citizen=request.user, case_number=number, **serializer.validated_data)
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


class TerminalRatingSerializer(RatingInputSerializer):
    number = serializers.CharField(max_length=8, help_text="The number printed on the ticket, e.g. A001.")
    code = serializers.CharField(max_length=6, help_text="The six-digit rating code printed on the ticket.")


class TerminalEvaluationApi(APIView):
    """一次一评 at the kiosk: the number and the rating code printed on today's ticket, once the window has
    finished it."""

    authentication_classes = [TerminalAuthentication]
    permission_classes = [IsTerminal]

    @extend_schema(request=TerminalRatingSerializer, responses={201: EvaluationSerializer})
    def post(self, request):
        serializer = TerminalRatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ticket = services.ticket_for_kiosk_rating(
            hall_id=request.auth.hall_id, label=data.pop("number"), code=data.pop("code")
        )
        evaluation = services.evaluation_submit_for_ticket(
            ticket_id=ticket.id, hall_id=request.auth.hall_id, channel=EvaluationChannel.TERMINAL, **data
        )
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


class InvitationInfoSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="case (一事一评) or ticket (一次一评)")
    matter = serializers.CharField()
    hall = serializers.CharField()
    expires_at = serializers.DateTimeField()


class InvitationApi(APIView):
    """Rating by SMS link: no login, the signed token is the proof; valid 5 working days, once."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(responses={200: InvitationInfoSerializer})
    def get(self, request, token):
        invitation = services.invitation_for_token(token)
        invitation_check(invitation)
        event = invitation.case or invitation.ticket
        assert event is not None  # the check constraint guarantees one event
        return Response(
            {
                "kind": invitation.kind,
                "matter": event.matter.name,
                "hall": event.hall.name,
                "expires_at": invitation.expires_at,
            }
        )

    @extend_schema(request=RatingInputSerializer, responses={201: EvaluationSerializer})
    def post(self, request, token):
        serializer = RatingInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        evaluation = services.evaluation_submit_by_invitation(token=token, **serializer.validated_data)
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


class FixRatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=3)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FixRatedSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RectificationStatus.choices)
    fix_rating = serializers.IntegerField(allow_null=True)


class FixRatingApi(APIView):
    """The citizen rates the fix through the link in the reply message."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=FixRatingSerializer, responses={200: FixRatedSerializer})
    def post(self, request, token):
        serializer = FixRatingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rectification = services.rectification_for_fix_token(token)
        rectification = services.rectification_rate_fix(rectification_id=rectification.id, **serializer.validated_data)
        return Response({"status": rectification.status, "fix_rating": rectification.fix_rating})


class CallbackSerializer(serializers.Serializer):
    called_at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(choices=CallbackOutcome.choices)
    summary = serializers.CharField(max_length=2000)
    called_by = serializers.CharField(source="called_by.display_name", read_only=True)


class RectificationSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    evaluation = EvaluationSerializer(read_only=True)
    unit = serializers.CharField(source="unit.name", default="", read_only=True)
    assignee = serializers.CharField(source="assignee.display_name", default="", read_only=True)
    # Masked for everyone: the clear name and phone only through the logged reveal, for the assignee.
    rater = serializers.SerializerMethodField()
    callbacks = CallbackSerializer(many=True, read_only=True)

    class Meta:
        model = Rectification
        fields = [
            "id",
            "reference",
            "status",
            "evaluation",
            "unit",
            "assignee",
            "rater",
            "due_date",
            "fix",
            "reply",
            "replied_at",
            "fix_rating",
            "fix_comment",
            "fix_rated_at",
            "appeal_status",
            "appeal_due",
            "appeal_reason",
            "appeal_decision_note",
            "callbacks",
        ]
        read_only_fields = fields

    def get_rater(self, obj) -> dict:
        return rater_masked(obj)


class RectificationListApi(APIView):
    permission_classes = [IsRatingsStaff]

    @extend_schema(responses=RectificationSerializer(many=True))
    def get(self, request):
        qs = selectors.rectifications_for_staff(user=request.user).prefetch_related("callbacks__called_by")
        return Response(RectificationSerializer(qs.order_by("due_date", "id")[:200], many=True).data)


class RectificationDetailApi(APIView):
    permission_classes = [IsRatingsStaff]

    @extend_schema(responses=RectificationSerializer)
    def get(self, request, rectification_id):
        rectification = selectors.rectification_get_for_staff(user=request.user, rectification_id=rectification_id)
        return Response(RectificationSerializer(rectification).data)


def _detail(request, rectification_id) -> Response:
    rectification = selectors.rectification_get_for_staff(user=request.user, rectification_id=rectification_id)
    return Response(RectificationSerializer(rectification).data)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None)


class AssignApi(APIView):
    permission_classes = [IsRatingsStaff]

    @extend_schema(request=AssignSerializer, responses=RectificationSerializer)
    def post(self, request, rectification_id):
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.rectification_assign(
            actor=request.user, rectification_id=rectification_id, assignee_id=serializer.validated_data["assignee"]
        )
        return _detail(request, rectification_id)


class RaterSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The rater's name in clear (the call is logged)")
    phone = serializers.CharField(help_text="The rater's phone in clear, or empty")


class RaterApi(APIView):
    """The rater's name and phone in clear, for the assignee; each call is logged (PersonalDataAccess)."""

    permission_classes = [IsRatingsStaff]

    @extend_schema(request=None, responses={200: RaterSerializer})
    def post(self, request, rectification_id):
        return Response(services.rectification_reveal_rater(viewer=request.user, rectification_id=rectification_id))


class CallbackApi(APIView):
    permission_classes = [IsRatingsStaff]

    @extend_schema(request=CallbackSerializer, responses={201: RectificationSerializer})
    def post(self, request, rectification_id):
        serializer = CallbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.rectification_callback_record(
            actor=request.user, rectification_id=rectification_id, **serializer.validated_data
        )
        response = _detail(request, rectification_id)
        response.status_code = status.HTTP_201_CREATED
        return response


class ReplySerializer(serializers.Serializer):
    fix = serializers.CharField(max_length=2000)
    reply = serializers.CharField(max_length=2000)


class ReplyApi(APIView):
    permission_classes = [IsRatingsStaff]

    @extend_schema(request=ReplySerializer, responses=RectificationSerializer)
    def post(self, request, rectification_id):
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.rectification_reply(actor=request.user, rectification_id=rectification_id, **serializer.validated_data)
        return _detail(request, rectification_id)


class AppealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AppealApi(APIView):
    permission_classes = [IsRatingsStaff]

    @extend_schema(request=AppealSerializer, responses=RectificationSerializer)
    def post(self, request, rectification_id):
        serializer = AppealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.rectification_appeal(
            actor=request.user, rectification_id=rectification_id, **serializer.validated_data
        )
        return _detail(request, rectification_id)


class AppealDecisionSerializer(serializers.Serializer):
    upheld = BooleanField()
    note = serializers.CharField(max_length=2000)


class AppealDecisionApi(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(request=AppealDecisionSerializer, responses=RectificationSerializer)
    def post(self, request, rectification_id):
        serializer = AppealDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.rectification_appeal_decide(
            actor=request.user, rectification_id=rectification_id, **serializer.validated_data
        )
        return _detail(request, rectification_id)


class OverviewRowSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The department or matter")  # type: ignore[assignment]
    evaluations = serializers.IntegerField()
    bad = serializers.IntegerField(help_text="差评 counted")
    satisfaction = serializers.FloatField(allow_null=True, help_text="满意率, percent")
    rectification_rate = serializers.FloatField(allow_null=True, help_text="差评整改率, percent")
    callback_rate = serializers.FloatField(allow_null=True, help_text="实名差评回访率, percent")
    fix_satisfaction = serializers.FloatField(allow_null=True, help_text="整改满意率, percent")
    average_score = serializers.FloatField(allow_null=True)


class OverviewSerializer(serializers.Serializer):
    departments = OverviewRowSerializer(many=True)
    matters = OverviewRowSerializer(many=True)


class OverviewApi(APIView):
    permission_classes = [IsSupervisor]

    @extend_schema(responses={200: OverviewSerializer})
    def get(self, request):
        data = selectors.overview(user=request.user)
        return Response(
            {
                key: [
                    {
                        "label": r.label,
                        "evaluations": r.total,
                        "bad": r.bad,
                        "satisfaction": r.satisfaction,
                        "rectification_rate": r.rectification_rate,
                        "callback_rate": r.callback_rate,
                        "fix_satisfaction": r.fix_satisfaction,
                        "average_score": r.average,
                    }
                    for r in rows
                ]
                for key, rows in data.items()
            }
        )
