"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("terminal/checkin/", api.TerminalCheckinApi.as_view(), name="api-terminal-checkin"),
    path("terminal/walk-in/", api.TerminalWalkInApi.as_view(), name="api-terminal-walk-in"),
    path("terminal/matters/", api.TerminalMattersApi.as_view(), name="api-terminal-matters"),
    path("workbench/", api.WorkbenchApi.as_view(), name="api-workbench"),
    path("workbench/call-next/", api.CallNextApi.as_view(), name="api-call-next"),
    path("workbench/tickets/<int:ticket_id>/recall/", api.RecallApi.as_view(), name="api-ticket-recall"),
    path("workbench/tickets/<int:ticket_id>/missed/", api.MarkMissedApi.as_view(), name="api-ticket-missed"),
    path("workbench/tickets/<int:ticket_id>/start/", api.StartApi.as_view(), name="api-ticket-start"),
    path("workbench/tickets/<int:ticket_id>/finish/", api.FinishApi.as_view(), name="api-ticket-finish"),
    path("workbench/tickets/<int:ticket_id>/transfer/", api.TransferApi.as_view(), name="api-ticket-transfer"),
    path("workbench/tickets/<int:ticket_id>/park/", api.ParkApi.as_view(), name="api-ticket-park"),
    path("workbench/tickets/<int:ticket_id>/resume/", api.ResumeApi.as_view(), name="api-ticket-resume"),
]
