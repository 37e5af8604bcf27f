from django.urls import URLPattern, URLResolver, include, path

from apps.front.booking import api as booking_api
from apps.front.booking import views as booking_views
from apps.front.floor import api as hall_api
from apps.front.floor import supervisor as hall_supervisor
from apps.front.floor import views as hall_views
from apps.front.intake import api as intake_api
from apps.front.intake import views as intake_views
from apps.front.notifications import api as feedback_api
from apps.shared.accounts import views as account_views
from apps.shared.accounts.api import RegisterApi

from .urls_common import common_api, common_urlpatterns

api: list[URLPattern | URLResolver] = [
    *common_api,
    path("accounts/register/", RegisterApi.as_view(), name="api-register"),
    path("matters/<str:code>/halls/", booking_api.HallsForMatterApi.as_view(), name="api-matter-halls"),
    path("slots/", booking_api.SlotListApi.as_view(), name="api-slots"),
    path("appointments/", booking_api.AppointmentListCreateApi.as_view(), name="api-appointments"),
    path("appointments/<str:code>/", booking_api.AppointmentDetailApi.as_view(), name="api-appointment"),
    path("appointments/<str:code>/cancel/", booking_api.AppointmentCancelApi.as_view(), name="api-appointment-cancel"),
    path("appointments/<str:code>/prefile/", intake_api.PrefileApi.as_view(), name="api-prefile"),
    path("appointments/<str:code>/reschedule/", booking_api.AppointmentRescheduleApi.as_view(), name="api-appointment-reschedule"),
    path("waitlist/", booking_api.WaitlistApi.as_view(), name="api-waitlist"),
    path("workbench/appointments/", booking_api.StaffBookingApi.as_view(), name="api-staff-booking"),
    path("waitlist/<int:entry_id>/accept/", booking_api.WaitlistAcceptApi.as_view(), name="api-waitlist-accept"),
    path("waitlist/<int:entry_id>/leave/", booking_api.WaitlistLeaveApi.as_view(), name="api-waitlist-leave"),
    path("terminal/checkin/", hall_api.TerminalCheckinApi.as_view(), name="api-terminal-checkin"),
    path("terminal/walk-in/", hall_api.TerminalWalkInApi.as_view(), name="api-terminal-walk-in"),
    path("terminal/matters/", hall_api.TerminalMattersApi.as_view(), name="api-terminal-matters"),
    path("workbench/", hall_api.WorkbenchApi.as_view(), name="api-workbench"),
    path("workbench/call-next/", hall_api.CallNextApi.as_view(), name="api-call-next"),
    path("workbench/tickets/<int:ticket_id>/recall/", hall_api.RecallApi.as_view(), name="api-ticket-recall"),
    path("workbench/tickets/<int:ticket_id>/missed/", hall_api.MarkMissedApi.as_view(), name="api-ticket-missed"),
    path("workbench/tickets/<int:ticket_id>/start/", hall_api.StartApi.as_view(), name="api-ticket-start"),
    path("workbench/tickets/<int:ticket_id>/finish/", hall_api.FinishApi.as_view(), name="api-ticket-finish"),
    path("workbench/tickets/<int:ticket_id>/transfer/", hall_api.TransferApi.as_view(), name="api-ticket-transfer"),
    path("workbench/tickets/<int:ticket_id>/park/", hall_api.ParkApi.as_view(), name="api-ticket-park"),
    path("workbench/tickets/<int:ticket_id>/resume/", hall_api.ResumeApi.as_view(), name="api-ticket-resume"),
    path("workbench/tickets/<int:ticket_id>/accept/", intake_api.CaseAcceptApi.as_view(), name="api-case-accept"),
    path("workbench/tickets/<int:ticket_id>/refuse/", intake_api.CaseRefuseApi.as_view(), name="api-case-refuse"),
    path("workbench/tickets/<int:ticket_id>/notice/", intake_api.CaseNoticeApi.as_view(), name="api-case-notice"),
    path("workbench/tickets/<int:ticket_id>/receive/", intake_api.CaseReceiveApi.as_view(), name="api-case-receive"),
    path("workbench/cases/<str:number>/accept/", intake_api.ReceivedCaseAcceptApi.as_view(), name="api-received-case-accept"),
    path("workbench/cases/", intake_api.HallCaseListApi.as_view(), name="api-hall-cases"),
    path("workbench/cases/<str:number>/", intake_api.HallCaseDetailApi.as_view(), name="api-hall-case"),
    path("cases/", intake_api.CaseListApi.as_view(), name="api-cases"),
    path("cases/<str:number>/", intake_api.CaseDetailApi.as_view(), name="api-case"),
    path("cases/<str:number>/supplement/", intake_api.SupplementApi.as_view(), name="api-supplement"),
    path("cases/<str:number>/withdraw/", intake_api.WithdrawApi.as_view(), name="api-withdraw"),
    path("inbox/", feedback_api.InboxApi.as_view(), name="api-inbox"),
    path("", include("apps.front.guidance.urls_api")),
    path("", include("apps.front.consult.urls_api")),
    path("", include("apps.front.ratings.urls_api")),
    path("", include("apps.front.delivery.urls_api")),
    path("", include("apps.front.notifications.urls_api")),
]

urlpatterns = [
    *common_urlpatterns,
    path("api/v1/", include(api)),
    path("", booking_views.home, name="home"),
    path("register/", account_views.register, name="register"),
    path("matters/<str:code>/", booking_views.matter_detail, name="matter"),
    path("matters/<str:code>/book/", booking_views.book, name="book"),
    path("appointments/<str:code>/", booking_views.appointment_detail, name="appointment"),
    path("appointments/<str:code>.ics", booking_views.appointment_ics, name="appointment_ics"),
    path("appointments/<str:code>/cancel/", booking_views.appointment_cancel_view, name="appointment_cancel"),
    path("appointments/<str:code>/reschedule/", booking_views.appointment_reschedule_view, name="appointment_reschedule"),
    path("waitlist/", booking_views.waitlist_view, name="waitlist"),
    path("waitlist/<int:entry_id>/<slug:action>/", booking_views.waitlist_action, name="waitlist_action"),
    path("appointments/<str:code>/prefile/", intake_views.prefile, name="prefile"),
    path("me/", intake_views.my_services, name="my_services"),
    path("cases/<str:number>/", intake_views.case_detail, name="case"),
    path("cases/<str:number>/supplement/", intake_views.supplement, name="supplement"),
    path("cases/<str:number>/withdraw/", intake_views.withdraw, name="withdraw"),
    path("terminal/", hall_views.terminal_home, name="terminal"),
    path("terminal/checkin/", hall_views.terminal_checkin, name="terminal_checkin"),
    path("terminal/assist/", intake_views.assist, name="terminal_assist"),
    path("terminal/guide/", hall_views.terminal_guide, name="terminal_guide"),
    path("supervisor/", hall_supervisor.supervisor_view, name="hall_supervisor"),
    path("supervisor/closures/", booking_views.supervisor_closures, name="supervisor_closures"),
    path("terminal/walk-in/", hall_views.terminal_walk_in, name="terminal_walk_in"),
    path("terminal/tickets/<int:ticket_id>/", hall_views.terminal_ticket, name="terminal_ticket"),
    path("board/<str:hall_code>/", hall_views.board, name="board"),
    path("board/<str:hall_code>/live/", hall_views.board_live, name="board_live"),
    path("workbench/", hall_views.workbench, name="workbench"),
    path("workbench/tickets/<int:ticket_id>/actions/<slug:action>/", hall_views.workbench_action, name="workbench_action"),
    path("workbench/tickets/<int:ticket_id>/", intake_views.intake_ticket, name="intake_ticket"),
    path("workbench/tickets/<int:ticket_id>/reveal-id/", intake_views.reveal_id, name="reveal_id"),
    path("documents/<str:code>.pdf", intake_views.document_download, name="document"),
    path("verify/", intake_views.verify, name="verify_form"),
    path("verify/<str:code>/", intake_views.verify, name="verify"),
    path("", include("apps.front.guidance.urls")),
    path("", include("apps.front.consult.urls")),
    path("", include("apps.front.ratings.urls")),
    path("", include("apps.front.delivery.urls")),
    path("", include("apps.front.reports.urls")),
    path("", include("apps.front.notifications.urls")),
]
