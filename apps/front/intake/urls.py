"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import views, views_originals, views_window

urlpatterns = [
    path("appointments/<str:code>/prefile/", views.prefile, name="prefile"),
    path("me/", views.my_services, name="my_services"),
    path("cases/<str:number>/", views.case_detail, name="case"),
    path("cases/<str:number>/supplement/", views.supplement, name="supplement"),
    path("cases/<str:number>/withdraw/", views.withdraw, name="withdraw"),
    path("cases/<str:number>/deferred/", views.deferred, name="deferred"),
    path("terminal/assist/", views_window.assist, name="terminal_assist"),
    path("workbench/tickets/<int:ticket_id>/", views_window.intake_ticket, name="intake_ticket"),
    path("workbench/tickets/<int:ticket_id>/reveal-id/", views_window.reveal_id, name="reveal_id"),
    path(
        "workbench/tickets/<int:ticket_id>/licences/",
        views_window.intake_ticket_licences,
        name="intake_ticket_licences",
    ),
    path(
        "workbench/tickets/<int:ticket_id>/originals/<str:number>/",
        views_originals.originals_check,
        name="originals_check",
    ),
    path("workbench/cases/", views_window.hall_cases, name="hall_cases"),
    path("workbench/cases/<str:number>/", views_window.hall_case, name="hall_case"),
    path("documents/<str:code>.pdf", views.document_download, name="document"),
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
