"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("track/", views.track, name="track"),
    path("cases/<str:number>/delivery/", views.choose, name="delivery_choose"),
    path("workbench/pickup/", views.pickup, name="pickup"),
    path("workbench/cases/<str:number>/delivery/", views.choose_at_window, name="delivery_choose_at_window"),
]
