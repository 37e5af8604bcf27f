"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cases/<str:number>/evaluate/", views.evaluate, name="evaluate"),
    path("cases/<str:number>/evaluate/fix/", views.evaluate_fix, name="evaluate_fix"),
    path("rate/window/", views.window_tablet, name="ratings_tablet"),
    path("rate/fix/<str:token>/", views.rate_fix_link, name="ratings_fix_link"),
    path("rate/<str:token>/", views.rate_link, name="ratings_link"),
    path("terminal/rate/", views.terminal_rate, name="ratings_terminal"),
    path("rectifications/", views.rectification_list, name="ratings_rectifications"),
    path("rectifications/<int:rectification_id>/", views.rectification_detail, name="ratings_rectification"),
    path(
        "rectifications/<int:rectification_id>/<slug:action>/",
        views.rectification_action,
        name="ratings_rectification_action",
    ),
    path("ratings/appeals/", views.appeals, name="ratings_appeals"),
    path("ratings/overview/", views.overview, name="ratings_overview"),
    path("ratings/overview.csv", views.overview_csv, name="ratings_overview_csv"),
]
