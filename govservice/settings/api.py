"""The REST API: tokens, authentication, parsers, pagination, the OpenAPI schema."""

from __future__ import annotations

from govservice.lib.envvars import env_int

from .core import IS_FRONT, SITE_ROLE

NUM_PROXIES = env_int("NUM_PROXIES", 0)
# API tokens (django-rest-knox, apps/shared/accounts/tokens.py): stored as a digest, staff ones last a working
# day, citizens' a week; at most 20 live tokens per user.
API_TOKEN_HOURS_STAFF = env_int("API_TOKEN_HOURS_STAFF", 10)
API_TOKEN_HOURS_CITIZEN = env_int("API_TOKEN_HOURS_CITIZEN", 7 * 24)
# Seconds a worker keeps a token it has looked up (0: none); a revocation ends it at once (accounts/tokencache.py).
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 30)
# Seconds a token's lookup is shared through Redis from its sign-in or its last lookup (0: not shared), so its
# first request on any worker of any node needs no query; a revocation ends it at once too.
API_TOKEN_SHARED_SECONDS = env_int("API_TOKEN_SHARED_SECONDS", 900)
REST_KNOX = {"TOKEN_LIMIT_PER_USER": 20, "AUTH_HEADER_PREFIX": "Token"}
REST_FRAMEWORK = {
    # The token first: DRF answers a missing or bad credential with the first class's challenge, so an API
    # client gets 401 with "WWW-Authenticate: Token" (SessionAuthentication has none: it would be 403).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.shared.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The schema documents every operation's error answers in the shared error body (govservice/schema.py).
    "DEFAULT_SCHEMA_CLASS": "govservice.schema.ApiSchema",
    # DRF's three, refusing JSON nested too deep and a NUL in any text (govservice/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "govservice.parsers.JSONParser",
        "govservice.parsers.FormParser",
        "govservice.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # DRF's limit/offset, refusing a limit or offset that is not a whole number (govservice/pagination.py).
    "DEFAULT_PAGINATION_CLASS": "govservice.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "govservice.api.exception_handler",
    # Per-IP throttles read the client address from X-Forwarded-For only behind this many trusted proxies;
    # 0 (the default) ignores the header, so a client cannot pose as many addresses. Behind one reverse
    # proxy that sets the header, NUM_PROXIES=1.
    "NUM_PROXIES": NUM_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"Cloud Window 云窗口 — {SITE_ROLE} API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The docs page loads Swagger UI from this site's static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Name each lifecycle's enum once (several serializers share them).
    "ENUM_NAME_OVERRIDES": {
        "LifeEventEnum": "apps.shared.catalog.models.LifeEvent",
        "CaseStatusEnum": "apps.front.intake.models.CaseStatus",
        "AppointmentStatusEnum": "apps.front.booking.models.AppointmentStatus",
        "TicketStatusEnum": "apps.front.floor.models.TicketStatus",
        "GreenReasonEnum": "apps.front.floor.models.GreenReason",
        "DeliveryStatusEnum": "apps.front.notifications.models.DeliveryStatus",
        "ConsultTicketKindEnum": "apps.front.consult.models.TicketKind",
        "ConsultTicketChannelEnum": "apps.front.consult.models.TicketChannel",
        "ConsultTicketStatusEnum": "apps.front.consult.models.TicketStatus",
        "ScoreEnum": "apps.front.ratings.models.Score",
        "MandateKindEnum": "apps.front.mandates.models.MandateKind",
        "MandateFormEnum": "apps.front.mandates.models.MandateForm",
        "MandateStatusEnum": "apps.front.mandates.models.MandateStatus",
        "MandateEventKindEnum": "apps.front.mandates.models.EventKind",
        "RectificationStatusEnum": "apps.front.ratings.models.RectificationStatus",
    }
    if IS_FRONT
    else {
        "ReviewStatusEnum": "apps.central.review.models.ReviewStatus",
        "DeliveryMethodEnum": "apps.central.review.models.DeliveryMethod",
    },
}
