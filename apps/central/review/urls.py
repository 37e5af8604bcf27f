"""Pages of this app, included at the root of the central site (govservice/urls_central.py)."""

from django.urls import path

from . import views, views_staff

urlpatterns = [
    path("", views.case_list, name="home"),
    path("cases/<int:case_id>/", views.case_detail, name="review_case"),
    path("cases/<int:case_id>/materials/<int:material_id>/", views.material, name="review_material"),
    path("cases/<int:case_id>/do/<slug:action>/", views.case_action, name="review_action"),
    path("dashboard/", views.dashboard, name="review_dashboard"),
    path("staff/posts/", views_staff.staff_posts, name="review_staff_posts"),
]
