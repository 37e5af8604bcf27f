"""API of this app, included under /api/v1/ of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import api

urlpatterns = [
    path("track/", api.TrackApi.as_view(), name="api-track"),
    path("cases/<str:number>/delivery/", api.DeliveryChoiceApi.as_view(), name="api-delivery"),
    path("workbench/cases/<str:number>/pickup/", api.PickupApi.as_view(), name="api-pickup"),
    path("workbench/cases/<str:number>/delivery/", api.WindowDeliveryChoiceApi.as_view(), name="api-window-delivery"),
    path("courier/<slug:courier>/callback/", api.CourierCallbackApi.as_view(), name="api-courier-callback"),
]
