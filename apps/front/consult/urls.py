"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("consult/", views.my_tickets, name="consult_mine"),
    path("consult/ask/", views.ask, name="consult_ask"),
    path("consult/desk/", views.desk, name="consult_desk"),
    path("consult/desk/call/", views.desk_call, name="consult_desk_call"),
    path("consult/desk/<str:code>/", views.desk_ticket, name="consult_desk_ticket"),
    path("consult/desk/<str:code>/<slug:action>/", views.desk_action, name="consult_desk_action"),
    path("consult/reports/", views.reports, name="consult_reports"),
    path("consult/<str:code>/", views.ticket_detail, name="consult_ticket"),
    path("consult/<str:code>/<slug:action>/", views.ticket_action, name="consult_ticket_action"),
    path("terminal/consult/", views.terminal_ask, name="terminal_consult"),
    path("matters/<str:code>/faq/", views.matter_faq, name="matter_faq"),
]
