from django.urls import path

from . import views

app_name = "mandates"
urlpatterns = [
    path("authorisations/", views.home, name="home"),
    path("authorisations/<str:number>/", views.detail, name="detail"),
    path("authorisations/<str:number>/confirm/", views.confirm, name="confirm"),
    path("authorisations/<str:number>/resend/", views.resend, name="resend"),
    path("authorisations/<str:number>/revoke/", views.revoke, name="revoke"),
    path("authorisations/<str:number>/letter/", views.letter, name="letter"),
    path("companies/", views.companies, name="companies"),
    path("companies/<str:credit_code>/", views.company, name="company"),
    path("acting/", views.acting, name="acting"),
    path("acting/<int:principal_id>/", views.principal, name="principal"),
    path("acting/<int:principal_id>/book/<str:matter_code>/", views.book, name="book"),
    path("acting/<int:principal_id>/appointments/<str:code>/cancel/", views.cancel, name="cancel"),
    path("acting/<int:principal_id>/cases/<str:number>/", views.case, name="case"),
    path("acting/<int:principal_id>/cases/<str:number>/documents/<str:code>/", views.document, name="document"),
    path("workbench/tickets/<int:ticket_id>/agent/", views.window, name="window"),
]
