from django.urls import path

from .urls_common import common_urlpatterns

urlpatterns = [*common_urlpatterns]
