"""Pages of this app, included at the root of the front site (govservice/urls_front.py)."""

from django.urls import path

from . import views, views_originals, views_visits

urlpatterns = [
    path("matters/<str:code>/apply/", views.start, name="online_start"),
    path("online/", views.my_applications, name="online_mine"),
    path("cases/<str:number>/originals-visit/", views_originals.original_visit, name="original_visit"),
    path("bundles/", views.bundles, name="bundles"),
    path("bundles/<str:code>/apply/", views.bundle_start, name="bundle_start"),
    path("bundles/<str:code>/visit/", views_visits.bundle_visit, name="bundle_visit"),
    path("bundles/<str:code>/visit/book/", views_visits.bundle_visit_book_view, name="bundle_visit_book"),
    path("workbench/tickets/<int:ticket_id>/bundle/", views_visits.bundle_ticket, name="bundle_ticket"),
    path("online/bundles/<str:code>/", views.bundle_application, name="bundle_application"),
    path("online/bundles/<str:code>/files/<int:file_id>/", views.bundle_file, name="bundle_file"),
    path("online/<str:code>/", views.application, name="online_application"),
    path("online/<str:code>/discard/", views.discard, name="online_discard"),
    path("online/<str:code>/licences/", views.application_licences, name="online_licences"),
    path("online/<str:code>/files/<int:file_id>/", views.application_file, name="online_file"),
    path("workbench/prereview/", views.prereview_queue_page, name="prereview_queue"),
    path("workbench/prereview/<str:number>/", views.prereview_page, name="prereview_case"),
    path(
        "workbench/prereview/<str:number>/materials/<int:material_id>/",
        views.prereview_material,
        name="prereview_material",
    ),
]
