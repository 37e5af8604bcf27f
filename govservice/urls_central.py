from django.urls import URLPattern, URLResolver, include, path

from apps.central.review import api as review_api
from apps.central.review import views as review_views

from .urls_common import common_api, common_urlpatterns

api: list[URLPattern | URLResolver] = [
    *common_api,
    path("cases/", review_api.ReviewCaseListApi.as_view(), name="api-review-cases"),
    path("cases/<int:case_id>/", review_api.ReviewCaseDetailApi.as_view(), name="api-review-case"),
    path("cases/<int:case_id>/decide/", review_api.ReviewCaseDecideApi.as_view(), name="api-review-decide"),
    path("cases/<int:case_id>/<slug:action>/", review_api.CaseActionApi.as_view(), name="api-review-action"),
    path("", include("apps.central.registry.urls_api")),
]

urlpatterns = [
    *common_urlpatterns,
    path("api/v1/", include(api)),
    path("", review_views.case_list, name="home"),
    path("cases/<int:case_id>/", review_views.case_detail, name="review_case"),
    path("cases/<int:case_id>/materials/<int:material_id>/", review_views.material, name="review_material"),
    path("cases/<int:case_id>/do/<slug:action>/", review_views.case_action, name="review_action"),
    path("dashboard/", review_views.dashboard, name="review_dashboard"),
]
