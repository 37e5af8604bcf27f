"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("appointments/<str:code>/prefile/", api.PrefileApi.as_view(), name="api-prefile"),
    path("workbench/tickets/<int:ticket_id>/accept/", api.CaseAcceptApi.as_view(), name="api-case-accept"),
    path("workbench/tickets/<int:ticket_id>/refuse/", api.CaseRefuseApi.as_view(), name="api-case-refuse"),
    path("workbench/tickets/<int:ticket_id>/notice/", api.CaseNoticeApi.as_view(), name="api-case-notice"),
    path("workbench/tickets/<int:ticket_id>/receive/", api.CaseReceiveApi.as_view(), name="api-case-receive"),
    path("workbench/cases/<str:number>/accept/", api.ReceivedCaseAcceptApi.as_view(), name="api-received-case-accept"),
    path("workbench/cases/<str:number>/materials/", api.HeldMaterialsApi.as_view(), name="api-held-case-materials"),
    path("workbench/cases/<str:number>/notice/", api.HeldNoticeApi.as_view(), name="api-held-case-notice"),
    path("workbench/cases/<str:number>/refuse/", api.HeldRefuseApi.as_view(), name="api-held-case-refuse"),
    path("workbench/cases/<str:number>/deferred/", api.StaffDeferredApi.as_view(), name="api-staff-deferred"),
    path("workbench/held-cases/", api.HeldCaseListApi.as_view(), name="api-held-cases"),
    path("workbench/held-cases/search/", api.HeldCaseSearchApi.as_view(), name="api-held-cases-search"),
    path("workbench/cases/", api.HallCaseListApi.as_view(), name="api-hall-cases"),
    path("workbench/cases/<str:number>/", api.HallCaseDetailApi.as_view(), name="api-hall-case"),
    path("cases/", api.CaseListApi.as_view(), name="api-cases"),
    path("cases/<str:number>/", api.CaseDetailApi.as_view(), name="api-case"),
    path("cases/<str:number>/supplement/", api.SupplementApi.as_view(), name="api-supplement"),
    path("cases/<str:number>/withdraw/", api.WithdrawApi.as_view(), name="api-withdraw"),
    path("cases/<str:number>/deferred/", api.DeferredApi.as_view(), name="api-deferred"),
    path("cases/<str:number>/licences/", api.CaseLicencesApi.as_view(), name="api-case-licences"),
    # Signed by another platform (issue 16): a person's cases here, for their list there.
    path("platform/cases/", views.platform_cases, name="api-platform-cases"),
]
