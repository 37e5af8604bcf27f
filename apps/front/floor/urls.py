"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import supervisor, views

urlpatterns = [
    path("terminal/", views.terminal_home, name="terminal"),
    path("terminal/checkin/", views.terminal_checkin, name="terminal_checkin"),
    path("terminal/reset/", views.terminal_reset, name="terminal_reset"),
    path("terminal/guide/", views.terminal_guide, name="terminal_guide"),
    path("supervisor/", supervisor.supervisor_view, name="hall_supervisor"),
    path("terminal/walk-in/", views.terminal_walk_in, name="terminal_walk_in"),
    path("terminal/tickets/<int:ticket_id>/", views.terminal_ticket, name="terminal_ticket"),
    path("board/<str:hall_code>/", views.board, name="board"),
    path("board/<str:hall_code>/live/", views.board_live, name="board_live"),
    path("workbench/", views.workbench, name="workbench"),
    path("workbench/queue/", views.workbench_queue, name="workbench_queue"),
    path("workbench/tickets/<int:ticket_id>/actions/<slug:action>/", views.workbench_action, name="workbench_action"),
]
