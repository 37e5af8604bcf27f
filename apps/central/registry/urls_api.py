from django.urls import path

from . import views

urlpatterns = [
    path("registry/verify/", views.verify, name="api-registry-verify"),
]
