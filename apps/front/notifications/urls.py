"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("me/notifications/", views.preferences, name="notification_preferences"),
]
