"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import URLPattern, path

from . import api

urlpatterns: list[URLPattern] = [
    path("guidance/matters/<str:code>/", api.MatterGuideApi.as_view(), name="api-matter-guide"),
    path("guidance/matters/<str:code>/checklists/", api.ChecklistCreateApi.as_view(), name="api-checklist-create"),
    path("guidance/checklists/", api.MyChecklistsApi.as_view(), name="api-my-checklists"),
    path("guidance/checklists/<str:code>/", api.ChecklistDetailApi.as_view(), name="api-checklist"),
]
