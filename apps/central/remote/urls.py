"""Pages of this app, included at the root of the central site (govservice/urls_central.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("remote/", views.desk, name="remote_desk"),
    path("remote/queue/", views.desk_queue, name="remote_queue"),
    path("remote/overview/", views.overview, name="remote_overview"),
    path("remote/<uuid:session_id>/", views.session_page, name="remote_session"),
    path("remote/<uuid:session_id>/answer/", views.answer, name="remote_answer"),
    path("remote/<uuid:session_id>/log/", views.session_log, name="remote_log"),
    path("remote/<uuid:session_id>/poll/", views.session_poll, name="remote_session_poll"),
    path("remote/<uuid:session_id>/signal/", views.session_signal, name="remote_session_signal"),
    path("remote/<uuid:session_id>/form/", views.session_form, name="remote_session_form"),
    path("remote/<uuid:session_id>/scans/<int:scan_id>/", views.scan_file, name="remote_scan"),
    path("remote/<uuid:session_id>/recording/", views.session_recording, name="remote_session_recording"),
    path("remote/<uuid:session_id>/recordings/<int:recording_id>/", views.recording_file, name="remote_recording"),
    *[
        path(
            f"remote/<uuid:session_id>/{action.replace('_', '-')}/",
            views.session_action,
            {"action": action},
            name=f"remote_session_{action}",
        )
        for action in views.ACTIONS
    ],
]
