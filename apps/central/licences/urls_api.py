from django.urls import path

from . import views

urlpatterns = [
    path("licences/query/", views.query, name="api-licences-query"),
    path("licences/status/", views.status, name="api-licences-status"),
]
