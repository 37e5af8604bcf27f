"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("guide/<str:code>/", views.matter_guide, name="matter_guide"),
]
