"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import api
from .api import bundle_visits, originals

urlpatterns = [
    path("online/applications/", api.ApplicationListApi.as_view(), name="api-online-applications"),
    path("online/applications/<str:code>/", api.ApplicationDetailApi.as_view(), name="api-online-application"),
    path("online/applications/<str:code>/files/", api.ApplicationFilesApi.as_view(), name="api-online-files"),
    path(
        "online/applications/<str:code>/files/<int:file_id>/", api.ApplicationFileApi.as_view(), name="api-online-file"
    ),
    path("online/applications/<str:code>/submit/", api.ApplicationSubmitApi.as_view(), name="api-online-submit"),
    path(
        "online/cases/<str:number>/originals-visit/", originals.OriginalsVisitApi.as_view(), name="api-originals-visit"
    ),
    path(
        "online/cases/<str:number>/originals-visit/cancel/",
        originals.OriginalsVisitCancelApi.as_view(),
        name="api-originals-visit-cancel",
    ),
    path("online/bundles/", api.BundleListApi.as_view(), name="api-bundles"),
    path("online/bundles/statistics/", api.BundleStatisticsApi.as_view(), name="api-bundle-statistics"),
    path("online/bundle-applications/", api.BundleApplicationListApi.as_view(), name="api-bundle-applications"),
    path(
        "online/bundle-applications/<str:code>/",
        api.BundleApplicationDetailApi.as_view(),
        name="api-bundle-application",
    ),
    path("online/bundle-applications/<str:code>/files/", api.BundleFilesApi.as_view(), name="api-bundle-files"),
    path(
        "online/bundle-applications/<str:code>/files/<int:file_id>/",
        api.BundleFileApi.as_view(),
        name="api-bundle-file",
    ),
    path("online/bundle-applications/<str:code>/submit/", api.BundleSubmitApi.as_view(), name="api-bundle-submit"),
    path("online/bundles/<str:code>/visit/", bundle_visits.BundleVisitApi.as_view(), name="api-bundle-visit"),
    path(
        "workbench/tickets/<int:ticket_id>/bundle/", bundle_visits.BundleTicketApi.as_view(), name="api-bundle-ticket"
    ),
    path(
        "workbench/tickets/<int:ticket_id>/bundle/accept/",
        bundle_visits.BundleTicketAcceptApi.as_view(),
        name="api-bundle-ticket-accept",
    ),
    path(
        "workbench/tickets/<int:ticket_id>/bundle/outcome/",
        bundle_visits.BundleTicketOutcomeApi.as_view(),
        name="api-bundle-ticket-outcome",
    ),
    path("workbench/prereview/", api.PrereviewQueueApi.as_view(), name="api-prereview-queue"),
    path("workbench/prereview/<str:number>/", api.PrereviewDetailApi.as_view(), name="api-prereview-case"),
    path(
        "workbench/prereview/<str:number>/materials/<int:material_id>/",
        api.PrereviewMaterialApi.as_view(),
        name="api-prereview-material",
    ),
    path("workbench/prereview/<str:number>/accept/", api.PrereviewAcceptApi.as_view(), name="api-prereview-accept"),
    path("workbench/prereview/<str:number>/notice/", api.PrereviewNoticeApi.as_view(), name="api-prereview-notice"),
    path("workbench/prereview/<str:number>/refuse/", api.PrereviewRefuseApi.as_view(), name="api-prereview-refuse"),
]
