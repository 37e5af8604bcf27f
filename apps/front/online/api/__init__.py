"""The API of online applications (issue 15): the citizen's application (applications.py), the hall's online
pre-review (prereview.py), 一件事 bundles (bundles.py); errors are the API's ``{"code", "detail"}``
(govservice/api.py), plus ``errors`` by field key for the application form's answers (common.py)."""

from .applications import (
    ApplicationDetailApi,
    ApplicationFileApi,
    ApplicationFilesApi,
    ApplicationListApi,
    ApplicationSubmitApi,
)
from .bundles import (
    BundleApplicationDetailApi,
    BundleApplicationListApi,
    BundleFileApi,
    BundleFilesApi,
    BundleListApi,
    BundleStatisticsApi,
    BundleSubmitApi,
)
from .prereview import (
    PrereviewAcceptApi,
    PrereviewDetailApi,
    PrereviewMaterialApi,
    PrereviewNoticeApi,
    PrereviewQueueApi,
    PrereviewRefuseApi,
)

__all__ = [
    "ApplicationDetailApi",
    "ApplicationFileApi",
    "ApplicationFilesApi",
    "ApplicationListApi",
    "ApplicationSubmitApi",
    "BundleApplicationDetailApi",
    "BundleApplicationListApi",
    "BundleFileApi",
    "BundleFilesApi",
    "BundleListApi",
    "BundleStatisticsApi",
    "BundleSubmitApi",
    "PrereviewAcceptApi",
    "PrereviewDetailApi",
    "PrereviewMaterialApi",
    "PrereviewNoticeApi",
    "PrereviewQueueApi",
    "PrereviewRefuseApi",
]
