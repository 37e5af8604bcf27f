from django.urls import URLPattern, URLResolver, include, path

from .urls_common import common_api, common_urlpatterns

api: list[URLPattern | URLResolver] = [
    *common_api,
    path("", include("apps.central.review.urls_api")),
    path("", include("apps.central.registry.urls_api")),
    path("", include("apps.central.licences.urls_api")),
    path("", include("apps.central.remote.urls_api")),
]

urlpatterns = [
    # The API first: the busiest paths resolve without trying every page pattern (no page path starts with
    # api/v1/, so the order changes no route: tests/shared/test_urls.py).
    path("api/v1/", include(api)),
    *common_urlpatterns,
    path("", include("apps.central.review.urls")),
    path("", include("apps.central.remote.urls")),
    path("", include("apps.central.registry.urls")),
    # Central supervisors publish a year's holidays (the front uses manage.py calendar_publish or the admin).
    path("", include("apps.shared.workcalendar.urls")),
]

# Under /api/ Django's own errors answer in the API's error body (govservice/api.py).
handler400 = "govservice.api.bad_request"
handler403 = "govservice.api.permission_denied"
handler404 = "govservice.api.page_not_found"
handler500 = "govservice.api.server_error"
