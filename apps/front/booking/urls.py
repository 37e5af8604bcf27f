"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import staff_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("matters/<str:code>/", views.matter_detail, name="matter"),
    path("matters/<str:code>/book/", views.book, name="book"),
    path("appointments/<str:code>/", views.appointment_detail, name="appointment"),
    path("appointments/<str:code>.ics", views.appointment_ics, name="appointment_ics"),
    path("appointments/<str:code>/cancel/", views.appointment_cancel_view, name="appointment_cancel"),
    path("appointments/<str:code>/reschedule/", views.appointment_reschedule_view, name="appointment_reschedule"),
    path("waitlist/", views.waitlist_view, name="waitlist"),
    path("waitlist/<int:entry_id>/<slug:action>/", views.waitlist_action, name="waitlist_action"),
    path("supervisor/closures/", views.supervisor_closures, name="supervisor_closures"),
    path("supervisor/penalties/", staff_views.supervisor_penalties, name="supervisor_penalties"),
    path("workbench/book/", staff_views.staff_booking, name="staff_booking"),
]
