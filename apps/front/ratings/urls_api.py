"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("cases/<str:number>/evaluation/", api.EvaluationCreateApi.as_view(), name="api-evaluation"),
    path("terminal/evaluations/", api.TerminalEvaluationApi.as_view(), name="api-terminal-evaluation"),
    path("ratings/tags/", api.TagsApi.as_view(), name="api-rating-tags"),
    path("ratings/links/<str:token>/", api.InvitationApi.as_view(), name="api-rating-link"),
    path("ratings/fix/<str:token>/", api.FixRatingApi.as_view(), name="api-rating-fix"),
    path("ratings/overview/", api.OverviewApi.as_view(), name="api-rating-overview"),
    path("rectifications/", api.RectificationListApi.as_view(), name="api-rectifications"),
    path("rectifications/<int:rectification_id>/", api.RectificationDetailApi.as_view(), name="api-rectification"),
    path("rectifications/<int:rectification_id>/assign/", api.AssignApi.as_view(), name="api-rectification-assign"),
    path("rectifications/<int:rectification_id>/rater/", api.RaterApi.as_view(), name="api-rectification-rater"),
    path(
        "rectifications/<int:rectification_id>/callbacks/", api.CallbackApi.as_view(), name="api-rectification-callback"
    ),
    path("rectifications/<int:rectification_id>/reply/", api.ReplyApi.as_view(), name="api-rectification-reply"),
    path("rectifications/<int:rectification_id>/appeal/", api.AppealApi.as_view(), name="api-rectification-appeal"),
    path(
        "rectifications/<int:rectification_id>/appeal/decision/",
        api.AppealDecisionApi.as_view(),
        name="api-rectification-appeal-decision",
    ),
]
