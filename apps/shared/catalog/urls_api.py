"""API of this app, included under /api/v1/ of both sites (govservice/urls_common.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("matters/", api.MatterListApi.as_view(), name="api-matters"),
    path("matters/search/", api.MatterSearchApi.as_view(), name="api-matter-search"),
    path("matters/<str:code>/", api.MatterDetailApi.as_view(), name="api-matter"),
]
