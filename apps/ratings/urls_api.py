"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("cases/<str:number>/evaluation/", api.EvaluationCreateApi.as_view(), name="api-evaluation"),
]
