"""Pages of this app; the central site includes them (govservice/urls_central.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("calendar/", views.calendar_publish, name="calendar_publish"),
]
