"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("matters/<str:code>/halls/", api.HallsForMatterApi.as_view(), name="api-matter-halls"),
    path("slots/", api.SlotListApi.as_view(), name="api-slots"),
    path("appointments/", api.AppointmentListCreateApi.as_view(), name="api-appointments"),
    path("appointments/<str:code>/", api.AppointmentDetailApi.as_view(), name="api-appointment"),
    path("appointments/<str:code>/cancel/", api.AppointmentCancelApi.as_view(), name="api-appointment-cancel"),
    path(
        "appointments/<str:code>/reschedule/", api.AppointmentRescheduleApi.as_view(), name="api-appointment-reschedule"
    ),
    path("waitlist/", api.WaitlistApi.as_view(), name="api-waitlist"),
    path("workbench/appointments/", api.StaffBookingApi.as_view(), name="api-staff-booking"),
    path("waitlist/<int:entry_id>/accept/", api.WaitlistAcceptApi.as_view(), name="api-waitlist-accept"),
    path("waitlist/<int:entry_id>/leave/", api.WaitlistLeaveApi.as_view(), name="api-waitlist-leave"),
]
