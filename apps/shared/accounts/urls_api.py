"""API of this app, included under /api/v1/ (govservice/urls_common.py; registration only at the front)."""

from django.urls import path

from .api import MeApi, RegisterApi

urlpatterns = [
    path("me/", MeApi.as_view(), name="api-me"),
]

# Citizens register at the front only (govservice/urls_front.py).
register_urlpatterns = [
    path("accounts/register/", RegisterApi.as_view(), name="api-register"),
]
