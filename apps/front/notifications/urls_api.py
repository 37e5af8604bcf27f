"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("me/notification-preferences/", api.PreferenceApi.as_view(), name="api-notification-preferences"),
    path("inbox/", api.InboxApi.as_view(), name="api-inbox"),
    path("inbox/<int:notification_id>/read/", api.InboxReadApi.as_view(), name="api-inbox-read"),
    path("notifications/callbacks/sms/", api.sms_callback, name="feedback-sms-callback"),
]
