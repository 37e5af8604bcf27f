"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
