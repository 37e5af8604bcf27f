"""API of this app, included under /api/v1/ of the central site (govservice/urls_central.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("cases/", api.ReviewCaseListApi.as_view(), name="api-review-cases"),
    path("cases/<int:case_id>/", api.ReviewCaseDetailApi.as_view(), name="api-review-case"),
    path("cases/<int:case_id>/decide/", api.ReviewCaseDecideApi.as_view(), name="api-review-decide"),
    path("cases/<int:case_id>/<slug:action>/", api.CaseActionApi.as_view(), name="api-review-action"),
]
