"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("terminal/remote/", views.kiosk_start, name="remote_kiosk_start"),
    path("workbench/tickets/<int:ticket_id>/remote/", views.window_start, name="remote_window_start"),
    path("remote/log/", views.hall_log, name="remote_hall_log"),
    path("remote/<uuid:session_id>/", views.hall_page, name="remote_hall"),
    path("remote/<uuid:session_id>/poll/", views.hall_poll, name="remote_hall_poll"),
    path("remote/<uuid:session_id>/signal/", views.hall_signal, name="remote_hall_signal"),
    path("remote/<uuid:session_id>/form/", views.hall_form, name="remote_hall_form"),
    path("remote/<uuid:session_id>/scan/", views.hall_scan, name="remote_hall_scan"),
    path("remote/<uuid:session_id>/hangup/", views.hall_hangup, name="remote_hall_hangup"),
    path("remote/<uuid:session_id>/documents/<str:code>.pdf", views.hall_document, name="remote_hall_document"),
]
