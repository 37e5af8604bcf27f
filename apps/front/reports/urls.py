"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("reports/", views.reports, name="reports"),
    path("reports/<slug:slug>.csv", views.export, name="reports_export"),
]
