"""Pages of this app, included at the root of the front site (govservice/urls_front.py): citizens live there."""

from django.urls import path

from . import views

urlpatterns = [
    path("me/privacy/", views.overview, name="privacy"),
    path("me/privacy/export/", views.export, name="privacy_export"),
    path("me/privacy/delete/", views.delete, name="privacy_delete"),
]
