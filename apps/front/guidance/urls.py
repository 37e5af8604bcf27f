"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("guide/<str:code>/", views.matter_guide, name="matter_guide"),
    path("guide/<str:code>/checklist.pdf", views.matter_guide_pdf, name="matter_guide_pdf"),
    path("guide/<str:code>/licences/", views.matter_licences, name="matter_licences"),
    path("checklists/", views.my_checklists, name="my_checklists"),
    path("checklists/<str:code>/", views.checklist_detail, name="checklist"),
    path("checklists/<str:code>.pdf", views.checklist_pdf, name="checklist_pdf"),
    path("checklists/<str:code>/book/", views.checklist_booking, name="checklist_booking"),
    path("checklists/<str:code>/book/confirm/", views.checklist_book_view, name="checklist_book"),
]
