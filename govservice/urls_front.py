from django.urls import URLPattern, URLResolver, include, path

from apps.shared.accounts import urls as account_urls
from apps.shared.accounts import urls_api as account_urls_api

from .urls_common import common_api, common_urlpatterns

api: list[URLPattern | URLResolver] = [
    # Booking first: a flash crowd's requests resolve without trying every other app's routes (no other API
    # route can match a booking path, so the order changes no route: tests/front/test_api_routes.py).
    path("", include("apps.front.booking.urls_api")),
    *common_api,
    path("", include(account_urls_api.register_urlpatterns)),
    path("", include("apps.front.intake.urls_api")),
    path("", include("apps.front.floor.urls_api")),
    path("", include("apps.front.guidance.urls_api")),
    path("", include("apps.front.consult.urls_api")),
    path("", include("apps.front.ratings.urls_api")),
    path("", include("apps.front.delivery.urls_api")),
    path("", include("apps.front.online.urls_api")),
    path("", include("apps.front.mandates.urls_api")),
    path("", include("apps.front.notifications.urls_api")),
    path("", include("apps.shared.privacy.urls_api")),
]

urlpatterns = [
    # The API first: the busiest paths resolve without trying every page pattern (no page path starts with
    # api/v1/, so the order changes no route: tests/shared/test_urls.py).
    path("api/v1/", include(api)),
    *common_urlpatterns,
    path("", include(account_urls.register_urlpatterns)),
    path("", include("apps.front.booking.urls")),
    path("", include("apps.front.intake.urls")),
    path("", include("apps.front.floor.urls")),
    path("", include("apps.front.guidance.urls")),
    path("", include("apps.front.consult.urls")),
    path("", include("apps.front.ratings.urls")),
    path("", include("apps.front.delivery.urls")),
    path("", include("apps.front.online.urls")),
    path("", include("apps.front.mandates.urls")),
    path("", include("apps.front.reports.urls")),
    path("", include("apps.front.notifications.urls")),
    path("", include("apps.shared.privacy.urls")),
    path("", include("apps.front.remote.urls")),
]

# Under /api/ Django's own errors answer in the API's error body (govservice/api.py).
handler400 = "govservice.api.bad_request"
handler403 = "govservice.api.permission_denied"
handler404 = "govservice.api.page_not_found"
handler500 = "govservice.api.server_error"
