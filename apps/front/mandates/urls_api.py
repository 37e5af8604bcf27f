from django.urls import path

from . import api

urlpatterns = [
    path("companies/", api.CompanyListCreateApi.as_view(), name="api-companies"),
    path("companies/<str:credit_code>/agents/", api.CompanyAgentsApi.as_view(), name="api-company-agents"),
    path("companies/<str:credit_code>/cases/", api.CompanyCasesApi.as_view(), name="api-company-cases"),
    path("mandates/", api.MandateListCreateApi.as_view(), name="api-mandates"),
    path("mandates/<str:number>/", api.MandateDetailApi.as_view(), name="api-mandate"),
    path("mandates/<str:number>/confirm/", api.MandateConfirmApi.as_view(), name="api-mandate-confirm"),
    path("mandates/<str:number>/resend/", api.MandateResendApi.as_view(), name="api-mandate-resend"),
    path("mandates/<str:number>/revoke/", api.MandateRevokeApi.as_view(), name="api-mandate-revoke"),
    path("acting/", api.ActingListApi.as_view(), name="api-acting"),
    path("acting/<int:principal_id>/cases/", api.ActingCasesApi.as_view(), name="api-acting-cases"),
    path("acting/<int:principal_id>/cases/<str:number>/", api.ActingCaseDetailApi.as_view(), name="api-acting-case"),
    path(
        "acting/<int:principal_id>/appointments/", api.ActingAppointmentsApi.as_view(), name="api-acting-appointments"
    ),
    path(
        "acting/<int:principal_id>/appointments/<str:code>/cancel/",
        api.ActingAppointmentCancelApi.as_view(),
        name="api-acting-appointment-cancel",
    ),
    path("workbench/tickets/<int:ticket_id>/agent-check/", api.WindowCheckApi.as_view(), name="api-window-agent-check"),
    path("workbench/mandates/paper/", api.PaperMandateApi.as_view(), name="api-paper-mandate"),
]
