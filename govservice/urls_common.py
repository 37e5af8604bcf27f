"""URLs both sites serve: admin, auth pages, the signed exchange endpoint, API schema and docs."""

from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken

from apps.shared.accounts.api import MeApi
from apps.shared.catalog.api import MatterDetailApi, MatterListApi, MatterSearchApi
from apps.shared.catalog.views import matter_find
from apps.shared.exchange.views import receive


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


common_api = [
    # Token auth for terminals' helpers, integrations and scripts; pages use sessions.
    path("auth/token/", ObtainAuthToken.as_view(), name="api-token"),
    path("me/", MeApi.as_view(), name="api-me"),
    path("matters/", MatterListApi.as_view(), name="api-matters"),
    path("matters/search/", MatterSearchApi.as_view(), name="api-matter-search"),
    path("matters/<str:code>/", MatterDetailApi.as_view(), name="api-matter"),
    path("exchange/messages/", receive, name="exchange-receive"),
]

common_urlpatterns = [
    path("healthz", healthz),
    path("find/", matter_find, name="matter_find"),
    path("admin/", admin.site.urls),
    path("accounts/", include("apps.shared.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file of its own: nothing inline for the Content-Security-Policy.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]
