from django.urls import path

from . import api

urlpatterns = [
    path("remote/relay/", api.relay, name="api-remote-relay"),
]
