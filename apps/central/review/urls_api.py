"""API of this app, included under /api/v1/ of the central site (govservice/urls_central.py)."""

from django.urls import path

from . import api, api_actions

urlpatterns = [
    path("cases/", api.ReviewCaseListApi.as_view(), name="api-review-cases"),
    path("cases/<int:case_id>/", api.ReviewCaseDetailApi.as_view(), name="api-review-case"),
    path("cases/<int:case_id>/decide/", api.ReviewCaseDecideApi.as_view(), name="api-review-decide"),
    # Each review action an operation of its own (its body in the schema); the one route before them
    # answers what none of them matches.
    *(
        path(
            f"cases/<int:case_id>/{action}/",
            api_actions.case_action_view(action).as_view(),
            name=f"api-review-{action}",
        )
        for action in api_actions.CASE_ACTIONS
    ),
    path("cases/<int:case_id>/<slug:action>/", api_actions.CaseActionApi.as_view(), name="api-review-action"),
]
