"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
