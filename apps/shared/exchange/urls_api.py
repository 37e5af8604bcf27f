"""The signed endpoint of the wire, included under /api/v1/ of both sites (govservice/urls_common.py)."""

from django.urls import path

from .views import receive

urlpatterns = [
    path("exchange/messages/", receive, name="exchange-receive"),
]
