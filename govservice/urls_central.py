from .urls_common import common_urlpatterns

urlpatterns = [*common_urlpatterns]
