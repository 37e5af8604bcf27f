from django.urls import path

from . import views

urlpatterns = [
    path("registry/verify/", views.verify, name="api-registry-verify"),
    path("registry/companies/verify/", views.verify_company, name="api-registry-company-verify"),
]
