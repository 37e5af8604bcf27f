"""Pages of this app, included at the root of both sites (govservice/urls_common.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("find/", views.matter_find, name="matter_find"),
]
