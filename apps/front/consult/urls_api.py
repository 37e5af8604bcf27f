"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("consult/tickets/", api.TicketListCreateApi.as_view(), name="api-consult-tickets"),
    path("consult/calls/", api.CallLogApi.as_view(), name="api-consult-calls"),
    path("consult/reports/", api.ReportApi.as_view(), name="api-consult-reports"),
    path("consult/tickets/<str:code>/", api.TicketDetailApi.as_view(), name="api-consult-ticket"),
    path("consult/tickets/<str:code>/claim/", api.ClaimApi.as_view(), name="api-consult-claim"),
    path("consult/tickets/<str:code>/route/", api.RouteApi.as_view(), name="api-consult-route"),
    path("consult/tickets/<str:code>/reply/", api.ReplyApi.as_view(), name="api-consult-reply"),
    path("consult/tickets/<str:code>/close/", api.CloseApi.as_view(), name="api-consult-close"),
    path("consult/tickets/<str:code>/follow-up/", api.FollowUpApi.as_view(), name="api-consult-follow-up"),
    path("consult/tickets/<str:code>/rate/", api.RateApi.as_view(), name="api-consult-rate"),
    path("consult/tickets/<str:code>/faq/", api.FaqPublishApi.as_view(), name="api-consult-faq-publish"),
    path("terminal/consult/", api.TerminalAskApi.as_view(), name="api-terminal-consult"),
    path("matters/<str:code>/faq/", api.MatterFaqApi.as_view(), name="api-matter-faq"),
]
