from django.urls import include, path

from .urls_common import common_api, common_urlpatterns

api = [
    *common_api,
    path("", include("apps.central.review.urls_api")),
]

urlpatterns = [
    *common_urlpatterns,
    path("api/v1/", include(api)),
    path("", include("apps.central.review.urls")),
]
