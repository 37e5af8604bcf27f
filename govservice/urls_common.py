"""URLs both sites serve: admin, auth pages, the signed exchange endpoint, API schema and docs. Each app's
routes are in its own urls.py (pages) and urls_api.py (API); this module and the site's only include them."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views import View
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .care import care_mode_set


class ApiDocsView(SpectacularSwaggerSplitView):
    """drf-spectacular's Swagger UI page. OPTIONS answers as any page does (200, ``Allow``): DRF's own answer is a
    description of the view, which this view's HTML template cannot render (a 500)."""

    def options(self, request, *args, **kwargs):
        return View.options(self, request, *args, **kwargs)


common_api: list[URLPattern | URLResolver] = [
    path("", include("apps.shared.accounts.urls_api")),
    path("", include("apps.shared.catalog.urls_api")),
    path("", include("apps.shared.exchange.urls_api")),
]

common_urlpatterns: list[URLPattern | URLResolver] = [
    # /healthz, /readyz, /metrics: the operator's endpoints (apps/shared/observability).
    path("", include("apps.shared.observability.urls")),
    path("", include("apps.shared.catalog.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("apps.shared.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("care/", care_mode_set, name="care_mode_set"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file of its own: nothing inline for the Content-Security-Policy.
    path("api/docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
]
