"""API of this app, included under /api/v1/ at the front (govservice/urls_front.py)."""

from django.urls import path

from .api import AccountDeleteApi, ConsentListApi, ExportApi

urlpatterns = [
    path("me/export/", ExportApi.as_view(), name="api-privacy-export"),
    path("me/consents/", ConsentListApi.as_view(), name="api-privacy-consents"),
    path("me/delete/", AccountDeleteApi.as_view(), name="api-privacy-delete"),
]
