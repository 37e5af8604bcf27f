"""WSGI application serving ``bench.ceiling`` with the site's own settings.

govservice/settings/core.py derives ROOT_URLCONF from SITE_ROLE; here it is replaced before the first request, which is
when Django's handler reads it. Everything else (middleware, DRF authentication, database options) is
the front site's.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govservice.settings")
settings.ROOT_URLCONF = "bench.ceiling"
application = get_wsgi_application()
