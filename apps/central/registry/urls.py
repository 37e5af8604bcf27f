"""Pages of this app, included at the root of the central site (govservice/urls_central.py)."""

from django.urls import path

from . import views_load

urlpatterns = [
    path("registry/load/", views_load.registry_load_page, name="registry_load"),
]
