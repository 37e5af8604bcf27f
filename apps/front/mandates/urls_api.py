from django.urls import path

from .api import acting, companies, mandates, window

urlpatterns = [
    path("companies/", companies.CompanyListCreateApi.as_view(), name="api-companies"),
    path("companies/<str:credit_code>/agents/", companies.CompanyAgentsApi.as_view(), name="api-company-agents"),
    path("companies/<str:credit_code>/cases/", companies.CompanyCasesApi.as_view(), name="api-company-cases"),
    path("mandates/", mandates.MandateListCreateApi.as_view(), name="api-mandates"),
    path("mandates/<str:number>/", mandates.MandateDetailApi.as_view(), name="api-mandate"),
    path("mandates/<str:number>/confirm/", mandates.MandateConfirmApi.as_view(), name="api-mandate-confirm"),
    path("mandates/<str:number>/resend/", mandates.MandateResendApi.as_view(), name="api-mandate-resend"),
    path("mandates/<str:number>/revoke/", mandates.MandateRevokeApi.as_view(), name="api-mandate-revoke"),
    path("acting/", acting.ActingListApi.as_view(), name="api-acting"),
    path("acting/<int:principal_id>/cases/", acting.ActingCasesApi.as_view(), name="api-acting-cases"),
    path("acting/<int:principal_id>/cases/<str:number>/", acting.ActingCaseDetailApi.as_view(), name="api-acting-case"),
    path(
        "acting/<int:principal_id>/appointments/",
        acting.ActingAppointmentsApi.as_view(),
        name="api-acting-appointments",
    ),
    path(
        "acting/<int:principal_id>/appointments/<str:code>/cancel/",
        acting.ActingAppointmentCancelApi.as_view(),
        name="api-acting-appointment-cancel",
    ),
    path(
        "workbench/tickets/<int:ticket_id>/agent-check/",
        window.WindowCheckApi.as_view(),
        name="api-window-agent-check",
    ),
    path("workbench/mandates/paper/", window.PaperMandateApi.as_view(), name="api-paper-mandate"),
]
